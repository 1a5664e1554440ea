/* Unaligned writes are padded to 512-byte sectors with zeroes (no read-modify-write). */
#include "mutant.h"

#include <stdlib.h>
#include <string.h>

MUTANT("WRITE-DATA-1 WRITE-GROW-1",
       "unaligned writes zero the rest of their first and last sector");

enum { SECTOR = 512, MAX_BOUNCE = 64 << 20 };

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !iov || iovcnt <= 0 || offset > INT64_MAX - MAX_BOUNCE)
		return REF(writev(s, iov, iovcnt, offset));
	size_t total = 0;
	for (int i = 0; i < iovcnt; i++) {
		if ((!iov[i].iov_base && iov[i].iov_len) || iov[i].iov_len > MAX_BOUNCE - total)
			return REF(writev(s, iov, iovcnt, offset));
		total += iov[i].iov_len;
	}
	if (!total || (!(offset % SECTOR) && !(total % SECTOR)))
		return REF(writev(s, iov, iovcnt, offset));
	uint64_t start = offset - offset % SECTOR;
	uint64_t end = (offset + total + SECTOR - 1) / SECTOR * SECTOR;
	char *bounce = calloc(1, (size_t)(end - start));
	if (!bounce)
		return REF(writev(s, iov, iovcnt, offset));
	size_t pos = (size_t)(offset - start);
	for (int i = 0; i < iovcnt; pos += iov[i].iov_len, i++)
		if (iov[i].iov_len)
			memcpy(bounce + pos, iov[i].iov_base, iov[i].iov_len);
	struct iovec v = {bounce, (size_t)(end - start)};
	int r = REF(writev(s, &v, 1, start));
	free(bounce);
	return r;
}
