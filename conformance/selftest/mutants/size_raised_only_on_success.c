/* The handle's size is raised only when a whole write succeeded: a write
 * that fails part-way (ENOSPC, EIO) leaves the size below what reached the
 * file. */
#include "mutant.h"

#include <errno.h>

MUTANT("ENOSPC-1 FAULT-EIO-1", "a write failing part-way does not raise the size over what landed");

/* state[0]: 1 while the port's size differs from the reference's;
 * state[1]: the port's size then. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s)
		return REF(writev(s, iov, iovcnt, offset));
	uint64_t *st = mutant_state(s);
	uint64_t before = st[0] ? st[1] : REF(size(s));
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r < 0) {
		if (!st[0] && REF(size(s)) != before) {
			st[1] = before;
			st[0] = 1;
		}
	} else if (st[0] && iov && iovcnt > 0) {
		uint64_t end = offset;
		for (int i = 0; i < iovcnt; i++)
			end += iov[i].iov_len;
		if (end > offset && end > st[1])
			st[1] = end;
	}
	return r;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return REF(size(s));
	uint64_t *st = mutant_state(s);
	return st[0] ? st[1] : REF(size(s));
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = REF(resize(s, new_size, mode));
	if (!r && s)
		mutant_state(s)[0] = 0;
	return r;
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(write_allocated_zeroes(s, offset, length));
	if (!r && s)
		mutant_state(s)[0] = 0;
	return r;
}
