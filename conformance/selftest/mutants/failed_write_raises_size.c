/* The size is raised to offset + length before the write is made, and not
 * lowered when the write fails: a failed write claims all of its range. */
#include "mutant.h"

#include <errno.h>

MUTANT("FAULT-EIO-1 FAULT-ZERO-1",
       "a failing write raises the size to the end of the failed write");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r < 0 && r != -EINVAL && r != -EBADF && s && iov && iovcnt > 0)
		mutant_raise_size(s, offset + mutant_iov_len(iov, iovcnt));
	return r;
}
