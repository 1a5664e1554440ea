/* Discard-by-truncate also lowers the handle's size. */
#include "mutant.h"

MUTANT("ZERO-TRUNC-2", "a tail discard lowers refstor_size() to the cut");

/* state[0]: 1 when lowered; state[1]: the lowered size. */
static int lower(refstor *s, uint64_t offset, uint64_t length, int r)
{
	uint64_t size = REF(size(s));
	if (!r && s && length && offset < size && length >= size - offset) {
		uint64_t *st = mutant_state(s);
		st[0] = 1;
		st[1] = offset;
	}
	return r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return lower(s, offset, length, REF(write_zeroes(s, offset, length)));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return lower(s, offset, length, REF(discard(s, offset, length)));
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return 0;
	uint64_t *st = mutant_state(s);
	uint64_t size = REF(size(s));
	return st[0] && st[1] < size ? st[1] : size;
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (s)
		mutant_state(s)[0] = 0; /* a write grows it back, as in the buggy port */
	return r;
}
