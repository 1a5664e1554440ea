/* SPDX-License-Identifier: MIT */
/*
 * check.c - what the inline argument checks of internal.h say when they
 * fail, and the general iovec check.  Everything here runs only on bad input
 * or unusual vectors, never on the fast path.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

int rs_fail_null_handle(const char *op)
{
	return rs_fail(EINVAL, "%s: NULL handle", op);
}

int rs_fail_read_only(const char *op)
{
	return rs_fail(EBADF, "%s: handle is read-only", op);
}

int rs_fail_range(const char *op, uint64_t offset, uint64_t length)
{
	return rs_fail(EINVAL,
		       "%s: offset %" PRIu64 " + length %" PRIu64
		       " is beyond the largest file offset (%" PRId64 ")",
		       op, offset, length, (int64_t)INT64_MAX);
}

int rs_fail_direct_range(const refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	return rs_fail(EINVAL,
		       "%s: offset %" PRIu64 " and length %" PRIu64
		       " must be multiples of req_align %zu for direct I/O",
		       op, offset, length, s->req_align);
}

int rs_check_iov_all(const refstor *s, const char *op, const struct iovec *iov, int iovcnt,
		     uint64_t offset, size_t *total)
{
	if (iovcnt < 0)
		return rs_fail(EINVAL, "%s: negative iovcnt %d", op, iovcnt);
	if (iovcnt > 0 && !iov)
		return rs_fail(EINVAL, "%s: NULL iovec array with iovcnt %d", op, iovcnt);
	size_t sum = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base && iov[i].iov_len)
			return rs_fail(EINVAL, "%s: iovec %d has a NULL buffer of %zu bytes", op, i,
				       iov[i].iov_len);
		if (iov[i].iov_len > SSIZE_MAX - sum)
			return rs_fail(EINVAL, "%s: total length of %d iovecs overflows", op,
				       iovcnt);
		sum += iov[i].iov_len;
		if (s->direct && (!rs_aligned((uintptr_t)iov[i].iov_base, s->mem_align) ||
				  !rs_aligned(iov[i].iov_len, s->req_align)))
			return rs_fail(EINVAL,
				       "%s: iovec %d (buffer %p, %zu bytes) must be aligned to "
				       "mem_align %zu with a length that is a multiple of "
				       "req_align %zu for direct I/O",
				       op, i, iov[i].iov_base, iov[i].iov_len, s->mem_align,
				       s->req_align);
	}
	int r = rs_check_range(op, offset, sum);
	if (r || (r = rs_check_direct_range(s, op, offset, sum)))
		return r;
	*total = sum;
	return 0;
}
