/* A write raises the size to offset + length even when the length is 0. */
#include "mutant.h"

MUTANT("READ-IOV-2", "a zero-length write past the end raises refstor_size()");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r || !s || (iovcnt && !iov) || iovcnt < 0)
		return r;
	if (!mutant_iov_len(iov, iovcnt))
		mutant_raise_size(s, offset);
	return r;
}
