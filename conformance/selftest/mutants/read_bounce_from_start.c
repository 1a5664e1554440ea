/* Unaligned reads bounce via 512-byte sectors, copied from the bounce start. */
#include "mutant.h"

#include <stdlib.h>
#include <string.h>

MUTANT("READ-DATA-1 READ-EOF-2", "unaligned reads copy from the start of the bounce buffer");

enum { SECTOR = 512, MAX_BOUNCE = 64 << 20 };

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !iov || iovcnt <= 0 || !(offset % SECTOR))
		return REF(readv(s, iov, iovcnt, offset));
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if ((!iov[i].iov_base && iov[i].iov_len) || iov[i].iov_len > MAX_BOUNCE - total)
			return REF(readv(s, iov, iovcnt, offset));
		total += iov[i].iov_len;
	}
	size_t head = offset % SECTOR;
	char *bounce = malloc(total + head + 1);
	if (!bounce)
		return REF(readv(s, iov, iovcnt, offset));
	struct iovec v = {bounce, total + head};
	int r = REF(readv(s, &v, 1, offset - head));
	/* The defect: the bytes start at bounce + head, not at bounce. */
	size_t pos = 0;
	for (int i = 0; !r && i < iovcnt; pos += iov[i].iov_len, i++)
		if (iov[i].iov_len)
			memcpy(iov[i].iov_base, bounce + pos, iov[i].iov_len);
	free(bounce);
	return r;
}
