/* Mutant: one pwritev, success whatever it wrote (WRITE-PARTIAL-1). */
#include "mutant.h"

#include <errno.h>
#include <unistd.h>

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !s->writable || iovcnt <= 0 || iovcnt > 1024)
		return rs_ref_writev(s, iov, iovcnt, offset);
	ssize_t n = pwritev(s->fd, iov, iovcnt, (off_t)offset);
	if (n < 0)
		return rs_fail_errno(errno, "writev");
	rs_size_grow(s, offset + (uint64_t)n);
	return 0;
}

int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {(void *)buf, len};
	return refstor_writev(s, &v, 1, offset);
}
