/* A zero-length zeroing inside the file calls fallocate(len 0), which fails. */
#include "mutant.h"

#include <errno.h>

MUTANT("ZERO-PAST-1", "a zero-length zeroing inside the file fails with -EINVAL");

static int empty_inside(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (!s || length || offset >= REF(size(s)))
		return 0;
	return mutant_fail(EINVAL, "%s at %llu (0 bytes): fallocate: Invalid argument", op,
			   (unsigned long long)offset);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = empty_inside(s, "write_zeroes", offset, length);
	return r ? r : REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = empty_inside(s, "discard", offset, length);
	return r ? r : REF(discard(s, offset, length));
}
