/* Reads past the end of the file leave the caller's buffers as they were. */
#include "mutant.h"

#include <stdlib.h>
#include <string.h>

MUTANT("READ-EOF-1 READ-EOF-2 READ-EOF-3", "reads past EOF are not zero-filled");

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || iovcnt <= 0 || !iov)
		return REF(readv(s, iov, iovcnt, offset));
	/* Save what lies past the size, let the reference zero it, put it back. */
	uint64_t size = REF(size(s));
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	char *saved = malloc(total ? total : 1);
	if (!saved)
		return REF(readv(s, iov, iovcnt, offset));
	size_t pos = 0;
	for (int i = 0; i < iovcnt; pos += iov[i].iov_len, i++)
		if (iov[i].iov_len)
			memcpy(saved + pos, iov[i].iov_base, iov[i].iov_len);
	int r = REF(readv(s, iov, iovcnt, offset));
	pos = 0;
	for (int i = 0; i < iovcnt && !r; pos += iov[i].iov_len, i++)
		for (size_t b = 0; b < iov[i].iov_len; b++)
			if (offset + pos + b >= size)
				((char *)iov[i].iov_base)[b] = saved[pos + b];
	free(saved);
	return r;
}
