/* Unaligned zeroing requests are rounded outwards to the zeroing alignment. */
#include "mutant.h"

MUTANT("ZERO-ALIGN-1", "unaligned zeroing is rounded outwards to the zeroing alignment");

static int widened(refstor *s, enum mutant_zeroing op, uint64_t offset, uint64_t length)
{
	uint64_t a = !s ? 0 : op == MUTANT_DISCARD ? REF(discard_align(s)) : REF(zero_align(s));
	if (!s || a < 2 || !length || length > INT64_MAX || offset > INT64_MAX - length ||
	    offset >= REF(size(s)))
		return mutant_zero(s, op, offset, length);
	uint64_t start = offset / a * a;
	uint64_t end = (offset + length + a - 1) / a * a;
	return mutant_zero(s, op, start, end - start);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, MUTANT_WRITE_ZEROES, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, MUTANT_DISCARD, offset, length);
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, MUTANT_ALLOCATED, offset, length);
}
