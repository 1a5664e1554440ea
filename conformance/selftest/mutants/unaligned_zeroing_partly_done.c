/* Unaligned zeroing zeroes the whole aligned middle first, then fails with -EINVAL. */
#include "mutant.h"

#include <errno.h>

MUTANT("ZERO-ALIGN-1", "unaligned zeroing does the aligned middle, then fails with -EINVAL");

/* zero_align (discard_align) covers a device's sector size too. */
static int middle_first(refstor *s, enum mutant_zeroing op, uint64_t offset, uint64_t length)
{
	uint64_t size = s ? REF(size(s)) : 0;
	uint64_t a = !s ? 0 : op == MUTANT_DISCARD ? REF(discard_align(s)) : REF(zero_align(s));
	if (!s || a < 2 || !length || length > INT64_MAX || offset > INT64_MAX - length ||
	    offset >= size)
		return mutant_zero(s, op, offset, length);
	uint64_t end = offset + length < size ? offset + length : size;
	if (!(offset % a) && !(end % a))
		return mutant_zero(s, op, offset, length);
	uint64_t first = (offset + a - 1) / a * a, last = end / a * a;
	if (first < last) {
		int r = mutant_zero(s, op, first, last - first);
		if (r)
			return r;
	}
	return mutant_fail(EINVAL, "zeroing at %llu (%llu bytes): not aligned to %llu",
			   (unsigned long long)offset, (unsigned long long)length,
			   (unsigned long long)a);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return middle_first(s, MUTANT_WRITE_ZEROES, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return middle_first(s, MUTANT_DISCARD, offset, length);
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return middle_first(s, MUTANT_ALLOCATED, offset, length);
}
