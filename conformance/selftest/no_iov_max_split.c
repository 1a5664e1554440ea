/* Mutant: vectors longer than IOV_MAX go to the kernel whole, which refuses
 * them (READ-IOV-1). */
#include "mutant.h"

#include <errno.h>
#include <limits.h>

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (iovcnt > IOV_MAX)
		return rs_fail(EINVAL, "readv: %d iovecs", iovcnt);
	return rs_ref_readv(s, iov, iovcnt, offset);
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (iovcnt > IOV_MAX)
		return rs_fail(EINVAL, "writev: %d iovecs", iovcnt);
	return rs_ref_writev(s, iov, iovcnt, offset);
}
