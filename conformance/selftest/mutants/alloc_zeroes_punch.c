/* write_allocated_zeroes inside the file punches a hole instead of ZERO_RANGE. */
#include "mutant.h"

MUTANT("ALLOC-ZERO-1", "allocated zeroes inside the file are a punched hole");

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	if (!s || !length || length > UINT64_MAX - offset || offset + length >= REF(size(s)))
		return REF(write_allocated_zeroes(s, offset, length));
	return REF(write_zeroes(s, offset, length));
}
