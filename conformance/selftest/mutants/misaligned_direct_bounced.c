/* On a direct handle, a request off req_align or mem_align is not refused:
 * it is quietly done through the page cache (a buffered descriptor), so a
 * caller's alignment bug goes unnoticed. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("BAD-ALIGN-1", "misaligned direct requests succeed through the page cache");

/* The total length of a valid request that a direct handle would refuse
 * for its alignment alone; 0 for anything else. */
static size_t misaligned(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset,
			 uint64_t need)
{
	if (!s || !iov || iovcnt <= 0 || iovcnt > IOV_MAX || offset > INT64_MAX ||
	    (mutant_mode(s) & need) != need)
		return 0;
	size_t req = REF(req_align(s)), mem = REF(mem_align(s)), total = 0;
	bool off = !req || !mem || offset % req;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base || iov[i].iov_len > SSIZE_MAX - total)
			return 0;
		if (iov[i].iov_len && ((uintptr_t)iov[i].iov_base % mem || iov[i].iov_len % req))
			off = true;
		total += iov[i].iov_len;
	}
	return off && total <= INT64_MAX - offset ? total : 0;
}

/* The whole vector through a buffered descriptor; reads zero-fill at EOF.
 * Returns the bytes transferred, or -errno. */
static int64_t bounce(refstor *s, bool write, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int fd = mutant_fd(s, write ? O_RDWR : O_RDONLY);
	struct iovec *v = fd >= 0 ? malloc((size_t)iovcnt * sizeof(*v)) : NULL;
	if (!v) {
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	memcpy(v, iov, (size_t)iovcnt * sizeof(*v));
	int idx = 0, tries = 0;
	int64_t done = 0;
	while (idx < iovcnt) {
		ssize_t n = write ? pwritev(fd, v + idx, iovcnt - idx, (off_t)(offset + done))
				  : preadv(fd, v + idx, iovcnt - idx, (off_t)(offset + done));
		if (n < 0 && errno == EINTR && ++tries < 100)
			continue;
		if (n < 0) {
			done = -errno;
			break;
		}
		if (n == 0) {
			if (write) {
				done = -EIO;
				break;
			}
			for (; idx < iovcnt; idx++)
				if (v[idx].iov_len)
					memset(v[idx].iov_base, 0, v[idx].iov_len);
			break;
		}
		done += n;
		idx = mutant_iov_skip(v, iovcnt, idx, (size_t)n);
	}
	free(v);
	close(fd);
	return done;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!misaligned(s, iov, iovcnt, offset, MUTANT_KNOWN | MUTANT_DIRECT))
		return REF(readv(s, iov, iovcnt, offset));
	int64_t r = bounce(s, false, iov, iovcnt, offset);
	return r < 0 ? mutant_fail((int)-r, "readv at offset %llu: %s", (unsigned long long)offset,
				   strerror((int)-r))
		     : 0;
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total =
	    misaligned(s, iov, iovcnt, offset, MUTANT_KNOWN | MUTANT_DIRECT | MUTANT_WRITABLE);
	if (!total)
		return REF(writev(s, iov, iovcnt, offset));
	int64_t r = bounce(s, true, iov, iovcnt, offset);
	if (r < 0)
		return mutant_fail((int)-r, "writev at offset %llu: %s", (unsigned long long)offset,
				   strerror((int)-r));
	mutant_raise_size(s, offset + total);
	return 0;
}
