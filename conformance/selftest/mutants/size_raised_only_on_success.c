/* The handle's size is raised only when a whole write succeeded: a write
 * that fails part-way (ENOSPC, EIO) leaves the size below what reached the
 * file. */
#include "mutant.h"

#include <errno.h>

MUTANT("ENOSPC-1 FAULT-EIO-1", "a write failing part-way does not raise the size over what landed");

/* While the size is pinned below what landed, later writes raise it as far
 * as they reach. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s)
		return REF(writev(s, iov, iovcnt, offset));
	uint64_t before = refstor_size(s);
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r < 0) {
		if (!mutant_size_pinned(s) && REF(size(s)) != before)
			mutant_pin_size(s, before);
	} else if (mutant_size_pinned(s) && iov && iovcnt > 0) {
		uint64_t end = offset + mutant_iov_len(iov, iovcnt);
		if (end > offset)
			mutant_raise_size(s, end);
	}
	return r;
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(write_allocated_zeroes(s, offset, length));
	if (!r && s)
		mutant_reset_size(s);
	return r;
}
