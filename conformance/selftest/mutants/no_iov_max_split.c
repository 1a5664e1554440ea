/* Vectors longer than IOV_MAX go to the kernel whole, which refuses them. */
#include "mutant.h"

#include <errno.h>
#include <limits.h>

MUTANT("READ-IOV-1", "more than IOV_MAX iovecs are refused");

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (iovcnt > IOV_MAX)
		return mutant_fail(EINVAL, "readv: %d iovecs", iovcnt);
	return REF(readv(s, iov, iovcnt, offset));
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (iovcnt > IOV_MAX)
		return mutant_fail(EINVAL, "writev: %d iovecs", iovcnt);
	return REF(writev(s, iov, iovcnt, offset));
}
