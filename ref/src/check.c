/* SPDX-License-Identifier: MIT */
/*
 * check.c - argument checks for the I/O entry points.  They run before any
 * syscall so that bad input changes nothing (docs/spec.md, BAD-*).
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>

int rs_check_handle(const refstor *s, const char *op)
{
	if (!s)
		return rs_fail(EINVAL, "%s: NULL handle", op);
	return 0;
}

int rs_check_writable(const refstor *s, const char *op)
{
	if (!s->writable)
		return rs_fail(EBADF, "%s: handle is read-only", op);
	return 0;
}

/* Offsets are off_t in the kernel: anything past INT64_MAX cannot be addressed. */
int rs_check_range(const char *op, uint64_t offset, uint64_t length)
{
	if (offset > INT64_MAX || length > INT64_MAX || offset + length > INT64_MAX)
		return rs_fail(EINVAL,
			       "%s: offset %" PRIu64 " + length %" PRIu64
			       " is beyond the largest file offset (%" PRId64 ")",
			       op, offset, length, (int64_t)INT64_MAX);
	return 0;
}

static bool rs_aligned(uint64_t v, size_t align)
{
	/* Alignments are powers of two, but a modulo keeps this correct for any. */
	return align <= 1 || v % align == 0;
}

int rs_check_direct_range(const refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (!s->direct)
		return 0;
	if (!rs_aligned(offset, s->req_align) || !rs_aligned(length, s->req_align))
		return rs_fail(EINVAL,
			       "%s: offset %" PRIu64 " and length %" PRIu64
			       " must be multiples of req_align %zu for direct I/O",
			       op, offset, length, s->req_align);
	return 0;
}

int rs_check_iov(const refstor *s, const char *op, const struct iovec *iov, int iovcnt,
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
	if (r)
		return r;
	r = rs_check_direct_range(s, op, offset, sum);
	if (r)
		return r;
	*total = sum;
	return 0;
}

int rs_check_modify(const refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	int r = rs_check_handle(s, op);
	if (r || (r = rs_check_writable(s, op)) || (r = rs_check_range(op, offset, length)))
		return r;
	return rs_check_direct_range(s, op, offset, length);
}
