/* Mutant: reads past EOF leave the caller's buffers as they were (READ-EOF-*). */
#include "mutant.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	struct stat st;
	if (!s || iovcnt < 0 || fstat(s->fd, &st))
		return rs_ref_readv(s, iov, iovcnt, offset);
	/* Save what lies past EOF, let the reference zero it, put it back. */
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	char *saved = malloc(total ? total : 1);
	size_t pos = 0;
	for (int i = 0; i < iovcnt; i++, pos += iov[i - 1].iov_len)
		memcpy(saved + pos, iov[i].iov_base, iov[i].iov_len);
	int r = rs_ref_readv(s, iov, iovcnt, offset);
	pos = 0;
	for (int i = 0; i < iovcnt && !r; i++) {
		for (size_t b = 0; b < iov[i].iov_len; b++)
			if (offset + pos + b >= (uint64_t)st.st_size)
				((char *)iov[i].iov_base)[b] = saved[pos + b];
		pos += iov[i].iov_len;
	}
	free(saved);
	return r;
}

int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {buf, len};
	return refstor_readv(s, &v, 1, offset);
}
