/* The size is raised to offset + length before the write is made, and not
 * lowered when the write fails: a failed write claims all of its range. */
#include "mutant.h"

#include <errno.h>

MUTANT("FAULT-EIO-1 FAULT-ZERO-1",
       "a failing write raises the size to the end of the failed write");

/* state[0]: the highest end claimed by a failed write since the last resize. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r < 0 && r != -EINVAL && r != -EBADF && s && iov && iovcnt > 0) {
		uint64_t end = offset, *st = mutant_state(s);
		for (int i = 0; i < iovcnt; i++)
			end += iov[i].iov_len;
		if (end > st[0])
			st[0] = end;
	}
	return r;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return REF(size(s));
	uint64_t size = REF(size(s)), claimed = mutant_state(s)[0];
	return claimed > size ? claimed : size;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = REF(resize(s, new_size, mode));
	if (!r && s)
		mutant_state(s)[0] = 0;
	return r;
}
