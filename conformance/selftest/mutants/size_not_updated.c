/* A write past the end does not grow the handle's size. */
#include "mutant.h"

MUTANT("WRITE-GROW-1", "writes past the end leave refstor_size() as it was");

/* state[0]: 1 once frozen; state[1]: the size it is frozen at. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s)
		return REF(writev(s, iov, iovcnt, offset));
	uint64_t *st = mutant_state(s);
	if (!st[0]) {
		st[0] = 1;
		st[1] = REF(size(s));
	}
	return REF(writev(s, iov, iovcnt, offset));
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return 0;
	uint64_t *st = mutant_state(s);
	return st[0] ? st[1] : REF(size(s));
}
