/* imago's try_discard_by_truncate: an offset + length that wraps around (or
 * passes INT64_MAX) is taken as "to the end", so the file is truncated at
 * the offset instead of the call being refused. */
#include "mutant.h"

#include <stdint.h>

MUTANT("BAD-RANGE-1", "an overflowing zeroing range discards by truncating the file");

static int to_the_end(refstor *s, uint64_t offset, int zeroes)
{
	uint64_t size = REF(size(s));
	if (offset >= size)
		return 0; /* "nothing to do" */
	return zeroes ? REF(write_zeroes(s, offset, size - offset))
		      : REF(discard(s, offset, size - offset));
}

static int overflows(const refstor *s, uint64_t offset, uint64_t length)
{
	return s && offset <= INT64_MAX && length &&
	       (length > UINT64_MAX - offset || offset + length > INT64_MAX);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	if (overflows(s, offset, length))
		return to_the_end(s, offset, 1);
	return REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	if (overflows(s, offset, length))
		return to_the_end(s, offset, 0);
	return REF(discard(s, offset, length));
}
