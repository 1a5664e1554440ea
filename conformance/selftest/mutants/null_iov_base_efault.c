/* iovecs are not checked for NULL buffers: the kernel meets them and its
 * -EFAULT is passed on instead of -EINVAL. */
#include "mutant.h"

#include <errno.h>

MUTANT("BAD-NULL-1", "an iovec with a NULL buffer fails with -EFAULT");

static int null_base(const struct iovec *iov, int iovcnt)
{
	for (int i = 0; iov && i < iovcnt; i++)
		if (!iov[i].iov_base && iov[i].iov_len)
			return 1;
	return 0;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && null_base(iov, iovcnt))
		return mutant_fail(EFAULT, "readv at offset %llu: Bad address",
				   (unsigned long long)offset);
	return REF(readv(s, iov, iovcnt, offset));
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && null_base(iov, iovcnt))
		return mutant_fail(EFAULT, "writev at offset %llu: Bad address",
				   (unsigned long long)offset);
	return REF(writev(s, iov, iovcnt, offset));
}
