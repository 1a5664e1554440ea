/* Unaligned zeroing requests are rounded outwards to the zeroing alignment. */
#include "mutant.h"

MUTANT("ZERO-ALIGN-1", "unaligned zeroing is rounded outwards to the zeroing alignment");

enum op { WRITE_ZEROES, DISCARD, ALLOCATED };

static int zero(refstor *s, enum op op, uint64_t offset, uint64_t length)
{
	return op == WRITE_ZEROES ? REF(write_zeroes(s, offset, length))
	       : op == DISCARD    ? REF(discard(s, offset, length))
				  : REF(write_allocated_zeroes(s, offset, length));
}

static int widened(refstor *s, enum op op, uint64_t offset, uint64_t length)
{
	uint64_t a = !s ? 0 : op == DISCARD ? REF(discard_align(s)) : REF(zero_align(s));
	if (!s || a < 2 || !length || length > INT64_MAX || offset > INT64_MAX - length ||
	    offset >= REF(size(s)))
		return zero(s, op, offset, length);
	uint64_t start = offset / a * a;
	uint64_t end = (offset + length + a - 1) / a * a;
	return zero(s, op, start, end - start);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, WRITE_ZEROES, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, DISCARD, offset, length);
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return widened(s, ALLOCATED, offset, length);
}
