/* A write raises the size to offset + length even when the length is 0. */
#include "mutant.h"

MUTANT("READ-IOV-2", "a zero-length write past the end raises refstor_size()");

/* state[0]: the size that empty writes raised it to (0: none). */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r || !s || (iovcnt && !iov) || iovcnt < 0)
		return r;
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	uint64_t *st = mutant_state(s);
	if (!total && offset > st[0])
		st[0] = offset;
	return r;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return 0;
	uint64_t size = REF(size(s)), raised = mutant_state(s)[0];
	return raised > size ? raised : size;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = REF(resize(s, new_size, mode));
	if (!r && s)
		mutant_state(s)[0] = 0;
	return r;
}
