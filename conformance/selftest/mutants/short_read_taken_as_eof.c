/* A read that returns fewer bytes than asked is taken for the end of the
 * file: the rest of the vector is zero-filled instead of read. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

MUTANT("FAULT-SHORT-1", "a short read zero-fills the rest of the vector");

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = mutant_plain(s, iov, iovcnt, offset, MUTANT_KNOWN);
	int fd =
	    total ? mutant_fd(s, O_RDONLY | (mutant_mode(s) & MUTANT_DIRECT ? O_DIRECT : 0)) : -1;
	if (fd < 0)
		return REF(readv(s, iov, iovcnt, offset));
	ssize_t n;
	int tries = 0;
	do
		n = preadv(fd, iov, iovcnt, (off_t)offset);
	while (n < 0 && errno == EINTR && ++tries < 100);
	int e = errno;
	close(fd);
	if (n < 0)
		return mutant_fail(e, "readv at offset %llu: %s", (unsigned long long)offset,
				   strerror(e));
	/* Fewer bytes than asked: "end of file", the rest reads as zeroes. */
	size_t skip = (size_t)n;
	for (int i = 0; i < iovcnt; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		memset((char *)iov[i].iov_base + skip, 0, iov[i].iov_len - skip);
		skip = 0;
	}
	return 0;
}
