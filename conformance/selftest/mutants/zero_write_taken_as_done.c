/* A write call that returns 0 is taken as "nothing more to write": the
 * write reports success, and the size is raised to its end. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("FAULT-ZERO-1", "a write that returns 0 is treated as done");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = mutant_plain(s, iov, iovcnt, offset, MUTANT_KNOWN | MUTANT_WRITABLE);
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
		idx = mutant_iov_skip(v, iovcnt, idx, (size_t)n);
	}
	free(v);
	close(fd);
	mutant_raise_size(s, err ? pos : offset + total);
	return err ? mutant_fail(err, "writev at offset %llu: %s", (unsigned long long)offset,
				 strerror(err))
		   : 0;
}
