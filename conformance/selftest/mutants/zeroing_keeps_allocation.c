/* write_zeroes/discard inside the file use ZERO_RANGE, not PUNCH_HOLE. */
#include "mutant.h"

#include <errno.h>

MUTANT("ZERO-MID-2", "zeroing inside the file uses ZERO_RANGE: nothing is deallocated");

static bool inside(refstor *s, uint64_t offset, uint64_t length)
{
	return s && length && length <= UINT64_MAX - offset && offset + length < REF(size(s));
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	if (!inside(s, offset, length))
		return REF(write_zeroes(s, offset, length));
	return REF(write_allocated_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	if (!inside(s, offset, length))
		return REF(discard(s, offset, length));
	int r = REF(write_allocated_zeroes(s, offset, length));
	return r == -ENOTSUP ? 0 : r;
}
