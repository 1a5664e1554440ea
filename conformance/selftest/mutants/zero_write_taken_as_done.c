/* A write call that returns 0 is taken as "nothing more to write": the
 * write reports success, and the size is raised to its end. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("FAULT-ZERO-1", "a write that returns 0 is treated as done");

/* state[1]: the highest end
 * written since the last resize (the port's size, when above the
 * reference's). */
static size_t plain(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !iov || iovcnt <= 0 || iovcnt > IOV_MAX || offset > INT64_MAX ||
	    (mutant_mode(s) & (MUTANT_KNOWN | MUTANT_WRITABLE)) != (MUTANT_KNOWN | MUTANT_WRITABLE))
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

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = plain(s, iov, iovcnt, offset);
	int fd =
	    total ? mutant_fd(s, O_RDWR | (mutant_mode(s) & MUTANT_DIRECT ? O_DIRECT : 0)) : -1;
	struct iovec *v = fd >= 0 ? malloc((size_t)iovcnt * sizeof(*v)) : NULL;
	if (!v) {
		if (fd >= 0)
			close(fd);
		return REF(writev(s, iov, iovcnt, offset));
	}
	memcpy(v, iov, (size_t)iovcnt * sizeof(*v));
	int idx = 0, tries = 0, err = 0;
	uint64_t pos = offset;
	while (idx < iovcnt) {
		ssize_t n = pwritev(fd, v + idx, iovcnt - idx, (off_t)pos);
		if (n < 0 && errno == EINTR && ++tries < 100)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break; /* the defect: "done" */
		pos += (uint64_t)n;
		size_t k = (size_t)n;
		while (idx < iovcnt && k >= v[idx].iov_len)
			k -= v[idx++].iov_len;
		if (idx < iovcnt) {
			v[idx].iov_base = (char *)v[idx].iov_base + k;
			v[idx].iov_len -= k;
		}
	}
	free(v);
	close(fd);
	uint64_t *st = mutant_state(s);
	uint64_t end = err ? pos : offset + total;
	if (end > st[1])
		st[1] = end;
	return err ? mutant_fail(err, "writev at offset %llu: %s", (unsigned long long)offset,
				 strerror(err))
		   : 0;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return REF(size(s));
	uint64_t size = REF(size(s)), mine = mutant_state(s)[1];
	return mine > size ? mine : size;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = REF(resize(s, new_size, mode));
	if (!r && s)
		mutant_state(s)[1] = 0;
	return r;
}
