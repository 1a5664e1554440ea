/* Zeroing inside the file gives fallocate offset + length as the length. */
#include "mutant.h"

MUTANT("ZERO-MID-1 ZERO-DISCARD-1 ZERO-ALIGN-1",
       "zeroing inside the file punches offset + length bytes");

/* The length fallocate gets.  Where offset + (offset + length) would reach
 * the size, the port would punch up to the end; this mutant then leaves the
 * request alone rather than have the reference truncate. */
static uint64_t wrong_length(refstor *s, uint64_t offset, uint64_t length)
{
	uint64_t size = s ? REF(size(s)) : 0;
	if (!length || length > UINT64_MAX - offset || offset + length >= size ||
	    offset + length >= size - offset)
		return length;
	return offset + length;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return REF(write_zeroes(s, offset, wrong_length(s, offset, length)));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return REF(discard(s, offset, wrong_length(s, offset, length)));
}
