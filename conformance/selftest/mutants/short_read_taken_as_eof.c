/* A read that returns fewer bytes than asked is taken for the end of the
 * file: the rest of the vector is zero-filled instead of read. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

MUTANT("FAULT-SHORT-1", "a short read zero-fills the rest of the vector");

/* A request the reference would take as it is: anything else goes to it. */
static size_t plain(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !iov || iovcnt <= 0 || iovcnt > IOV_MAX || offset > INT64_MAX ||
	    !(mutant_mode(s) & MUTANT_KNOWN))
		return 0;
	bool direct = mutant_mode(s) & MUTANT_DIRECT;
	size_t req = REF(req_align(s)), mem = REF(mem_align(s)), total = 0;
	if (!req || !mem || (direct && offset % req))
		return 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base || iov[i].iov_len > SSIZE_MAX - total)
			return 0;
		if (direct && ((uintptr_t)iov[i].iov_base % mem || iov[i].iov_len % req))
			return 0;
		total += iov[i].iov_len;
	}
	return total <= INT64_MAX - offset ? total : 0;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = plain(s, iov, iovcnt, offset);
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
