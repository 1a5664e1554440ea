/* SPDX-License-Identifier: MIT */
/*
 * io.c - reads, writes, zeroing, discard and sync as NBD requests.
 *
 * What the adapter adds to the server, and why (nothing else is added):
 *  - the C ABI's argument checks (NULL handle, iovecs, ranges past
 *    INT64_MAX, a read-only handle), before anything is sent;
 *  - reads past the size read as zeroes (the ABI's rule; NBD cannot read
 *    there): only the part below the size is asked for;
 *  - an export has a fixed size (REFSTOR_LIMIT_FIXED_SIZE): a write or
 *    allocated zeroes that reach past it fail with -ENOSPC before anything
 *    is sent; write_zeroes and discard are cut at the size, since what lies
 *    past it reads as zeroes already (the reference cuts a file there, or
 *    keeps its length: no server can do either on an export);
 *  - a vector of buffers becomes one request through a bounce buffer (NBD
 *    has no vectored I/O), and requests are cut at the server's maximum
 *    (NBD's 32-bit lengths for zeroing and trimming).
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Zeroing and trimming have no maximum of their own, but NBD's request length
 * is 32 bits: 1 GiB pieces (a power of two, so every piece stays aligned). */
enum { RN_ZERO_PIECE = 1 << 30 };

static int rn_fail_null(const char *op)
{
	return rs_fail(EINVAL, "%s: NULL handle", op);
}

/* The reference's errno for a change through a read-only handle. */
static int rn_fail_read_only(const refstor *s, const char *op)
{
	return rs_fail_path(EBADF, s->what, "%s %s: handle is read-only", op, s->what);
}

static int rn_check_range(const char *op, uint64_t offset, uint64_t length)
{
	if (offset > INT64_MAX || length > INT64_MAX - offset)
		return rs_fail(EINVAL,
			       "%s: offset %" PRIu64 " + length %" PRIu64
			       " is beyond the largest file offset (%" PRId64 ")",
			       op, offset, length, (int64_t)INT64_MAX);
	return 0;
}

/* The connection is gone when a reconnect after a resize failed. */
static int rn_check_connected(const refstor *s, const char *op)
{
	if (s->nbd)
		return 0;
	return rs_fail_path(EIO, s->what,
			    "%s %s: no connection to the server (a reconnect after a resize "
			    "failed)",
			    op, s->what);
}

static bool rn_aligned(uint64_t v, size_t align)
{
	return !(v & (align - 1));
}

/*
 * The iovecs, checked as the reference checks them, and the total.  With a
 * minimum block size (a direct qemu handle: req_align > 1) the offset and
 * every segment's length must be multiples of it, the ABI's rule for the
 * alignment a handle reports (BAD-ALIGN-1, per segment as the kernel's rule
 * for O_DIRECT vectors): checked here, before any of the vector is sent,
 * because the bounce buffer would turn two half blocks into one aligned
 * request, and because libnbd's own alignment check is off (conn.c).
 */
static int rn_check_iov(const refstor *s, const char *op, const struct iovec *iov, int iovcnt,
			uint64_t offset, size_t *total)
{
	if (iovcnt < 0)
		return rs_fail(EINVAL, "%s: negative iovcnt %d", op, iovcnt);
	if (iovcnt > 0 && !iov)
		return rs_fail(EINVAL, "%s: NULL iovec array with iovcnt %d", op, iovcnt);
	/* Under the handle's lock: the value of the connection in use. */
	size_t align = atomic_load(&((refstor *)s)->req_align);
	size_t sum = 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base && iov[i].iov_len)
			return rs_fail(EINVAL, "%s: iovec %d has a NULL buffer of %zu bytes", op, i,
				       iov[i].iov_len);
		if (iov[i].iov_len > SSIZE_MAX - sum)
			return rs_fail(EINVAL, "%s: total length of %d iovecs overflows", op,
				       iovcnt);
		sum += iov[i].iov_len;
		if (!rn_aligned(iov[i].iov_len, align))
			return rs_fail(EINVAL,
				       "%s: iovec %d (%zu bytes) is not a multiple of req_align "
				       "%zu, the server's minimum block size",
				       op, i, iov[i].iov_len, align);
	}
	int r = rn_check_range(op, offset, sum);
	if (r)
		return r;
	if (!rn_aligned(offset, align))
		return rs_fail(EINVAL,
			       "%s: offset %" PRIu64 " is not a multiple of req_align %zu, the "
			       "server's minimum block size",
			       op, offset, align);
	*total = sum;
	return 0;
}

static int rn_fail_fixed(const refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	return rs_fail_path(ENOSPC, s->what,
			    "%s %s at offset %" PRIu64 " (%" PRIu64 " bytes): beyond the end of "
			    "the export (%" PRIu64 " bytes), whose size is fixed",
			    op, s->what, offset, length, atomic_load(&((refstor *)s)->size));
}

static int rn_fail_req(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	char detail[96];
	snprintf(detail, sizeof(detail), " at offset %" PRIu64 " (%" PRIu64 " bytes)", offset,
		 length);
	return rn_fail_nbd(s, op, detail);
}

/* Position inside an iovec array. */
struct rn_cursor {
	const struct iovec *iov;
	int cnt, idx;
	size_t skip;
};

/* Copy n bytes between the cursor's buffers and buf (out: from the iovecs
 * into buf; buf NULL: only move the cursor), advancing the cursor. */
static void rn_copy(struct rn_cursor *c, char *buf, size_t n, bool out)
{
	while (n && c->idx < c->cnt) {
		size_t avail = c->iov[c->idx].iov_len - c->skip;
		size_t k = n < avail ? n : avail;
		if (k && buf) {
			char *at = (char *)c->iov[c->idx].iov_base + c->skip;
			if (out)
				memcpy(buf, at, k);
			else
				memcpy(at, buf, k);
			buf += k;
		}
		n -= k;
		c->skip += k;
		if (c->skip == c->iov[c->idx].iov_len) {
			c->idx++;
			c->skip = 0;
		}
	}
}

/* Zeroes from the cursor to the end of the vector (an empty iovec may have
 * a NULL base: no arithmetic on it). */
static void rn_zero_rest(struct rn_cursor *c)
{
	for (; c->idx < c->cnt; c->idx++, c->skip = 0)
		if (c->iov[c->idx].iov_len > c->skip)
			memset((char *)c->iov[c->idx].iov_base + c->skip, 0,
			       c->iov[c->idx].iov_len - c->skip);
}

/* One request of n bytes at pos, from or into buf. */
static int rn_request(refstor *s, const char *op, bool write, void *buf, size_t n, uint64_t pos)
{
	int r = write ? nbd_pwrite(s->nbd, buf, n, pos, 0) : nbd_pread(s->nbd, buf, n, pos, 0);
	return r == -1 ? rn_fail_req(s, op, pos, n) : 0;
}

/* Transfer the first len bytes of the vector at offset, in requests of at
 * most max_req bytes.  One non-empty buffer is used as it is; several go
 * through a bounce buffer, so that each request is the vector's next max_req
 * bytes, as one pwritev would be. */
static int rn_transfer(refstor *s, const char *op, bool write, const struct iovec *iov, int iovcnt,
		       uint64_t offset, size_t len)
{
	int nonempty = -1;
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len) {
			nonempty = nonempty == -1 ? i : -2;
			if (nonempty == -2)
				break;
		}
	if (nonempty >= 0) {
		char *buf = iov[nonempty].iov_base;
		for (size_t done = 0; done < len;) {
			size_t n = len - done < s->max_req ? len - done : s->max_req;
			int r = rn_request(s, op, write, buf + done, n, offset + done);
			if (r)
				return r;
			done += n;
		}
		return 0;
	}
	size_t blen = len < s->max_req ? len : s->max_req;
	char *bounce = malloc(blen);
	if (!bounce)
		return rs_fail_path(ENOMEM, s->what, "%s %s: out of memory for %zu bytes", op,
				    s->what, blen);
	struct rn_cursor c = {iov, iovcnt, 0, 0};
	int r = 0;
	for (size_t done = 0; done < len && !r;) {
		size_t n = len - done < blen ? len - done : blen;
		if (write)
			rn_copy(&c, bounce, n, true);
		r = rn_request(s, op, write, bounce, n, offset + done);
		if (!r && !write)
			rn_copy(&c, bounce, n, false);
		done += n;
	}
	free(bounce);
	return r;
}

static int rn_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total;
	if (!s)
		return rn_fail_null("readv");
	pthread_rwlock_rdlock(&s->lock);
	int r = rn_check_iov(s, "readv", iov, iovcnt, offset, &total);
	if (!r && total && !(r = rn_check_connected(s, "readv"))) {
		/* Below the size from the server; at and past it, zeroes. */
		uint64_t size = atomic_load(&s->size);
		size_t below = offset >= size ? 0 : size - offset < total ? size - offset : total;
		if (below)
			r = rn_transfer(s, "readv", false, iov, iovcnt, offset, below);
		if (!r && below < total) {
			struct rn_cursor c = {iov, iovcnt, 0, 0};
			rn_copy(&c, NULL, below, false);
			rn_zero_rest(&c);
		}
	}
	pthread_rwlock_unlock(&s->lock);
	return r;
}

static int rn_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total;
	if (!s)
		return rn_fail_null("writev");
	if (!s->writable)
		return rn_fail_read_only(s, "writev");
	pthread_rwlock_rdlock(&s->lock);
	int r = rn_check_iov(s, "writev", iov, iovcnt, offset, &total);
	if (!r && total && !(r = rn_check_connected(s, "writev"))) {
		if (offset + total > atomic_load(&s->size))
			r = rn_fail_fixed(s, "writev", offset, total);
		else
			r = rn_transfer(s, "writev", true, iov, iovcnt, offset, total);
	}
	pthread_rwlock_unlock(&s->lock);
	return r;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return rn_readv(s, iov, iovcnt, offset);
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return rn_writev(s, iov, iovcnt, offset);
}

int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {buf, len};
	return rn_readv(s, &v, 1, offset);
}

int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {(void *)buf, len};
	return rn_writev(s, &v, 1, offset);
}

/* NBD_CMD_WRITE_ZEROES (zero) or NBD_CMD_TRIM over the range, in pieces. */
static int rn_zero_pieces(refstor *s, const char *op, bool trim, uint32_t flags, uint64_t offset,
			  uint64_t length)
{
	for (uint64_t done = 0; done < length;) {
		uint64_t n = length - done < RN_ZERO_PIECE ? length - done : RN_ZERO_PIECE;
		int r = trim ? nbd_trim(s->nbd, n, offset + done, flags)
			     : nbd_zero(s->nbd, n, offset + done, flags);
		if (r == -1)
			return rn_fail_req(s, op, offset + done, n);
		done += n;
	}
	return 0;
}

/* The checks every zeroing call makes; 1 when there is nothing to do. */
static int rn_check_zeroing(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (!s)
		return rn_fail_null(op);
	if (!s->writable)
		return rn_fail_read_only(s, op);
	int r = rn_check_range(op, offset, length);
	return r ? r : !length;
}

enum rn_zeroing { RN_WRITE_ZEROES, RN_ALLOCATED_ZEROES, RN_DISCARD };

static int rn_zeroing(refstor *s, const char *op, enum rn_zeroing kind, uint64_t offset,
		      uint64_t length)
{
	int r = rn_check_zeroing(s, op, offset, length);
	if (r)
		return r < 0 ? r : 0;
	pthread_rwlock_rdlock(&s->lock);
	uint64_t size = atomic_load(&s->size);
	bool cut = kind != RN_ALLOCATED_ZEROES && offset + length > size;
	if (cut)
		length = offset < size ? size - offset : 0;
	if ((r = rn_check_connected(s, op))) {
		/* reported */
	} else if (cut && !length) {
		r = 0; /* all of it past the end: reads as zeroes already */
	} else if (offset + length > size) {
		r = rn_fail_fixed(s, op, offset, length);
	} else if (kind == RN_DISCARD) {
		/* The ABI's discard is a hint: a server that cannot trim has
		 * done a correct discard by doing nothing. */
		r = s->can_trim ? rn_zero_pieces(s, op, true, 0, offset, length) : 0;
	} else if (!s->can_zero) {
		r = rs_fail_path(ENOTSUP, s->what,
				 "%s %s at offset %" PRIu64 " (%" PRIu64
				 " bytes): the server does not offer NBD_CMD_WRITE_ZEROES",
				 op, s->what, offset, length);
	} else {
		/*
		 * write_zeroes: FAST_ZERO, where the server knows it, asks it to
		 * fail (ENOTSUP) rather than write zeroes: the reference punches
		 * a hole, and "-ENOTSUP when the storage cannot do it".
		 * Allocated zeroes: NO_HOLE alone, zeroes that stay allocated;
		 * not FAST_ZERO, since the reference's FALLOC_FL_ZERO_RANGE may
		 * itself write zeroes on a block device (the kernel's fallback).
		 */
		uint32_t flags = kind == RN_ALLOCATED_ZEROES ? LIBNBD_CMD_FLAG_NO_HOLE
				 : s->can_fast_zero          ? LIBNBD_CMD_FLAG_FAST_ZERO
							     : 0;
		r = rn_zero_pieces(s, op, false, flags, offset, length);
	}
	pthread_rwlock_unlock(&s->lock);
	/* A trim the server refuses as unsupported is the same hint ignored. */
	return kind == RN_DISCARD && r == -ENOTSUP ? 0 : r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return rn_zeroing(s, "write_zeroes", RN_WRITE_ZEROES, offset, length);
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return rn_zeroing(s, "write_allocated_zeroes", RN_ALLOCATED_ZEROES, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return rn_zeroing(s, "discard", RN_DISCARD, offset, length);
}

int rn_zero_no_hole(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (!s->can_zero)
		return rs_fail_path(ENOTSUP, s->what,
				    "%s %s: the server does not offer NBD_CMD_WRITE_ZEROES", op,
				    s->what);
	return rn_zero_pieces(s, op, false, LIBNBD_CMD_FLAG_NO_HOLE, offset, length);
}

int rn_write_zero_data(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	size_t n = length < s->max_req ? (size_t)length : s->max_req;
	char *zero = calloc(1, n ? n : 1);
	if (!zero)
		return rs_fail_path(ENOMEM, s->what, "%s %s: out of memory for %zu bytes", op,
				    s->what, n);
	int r = 0;
	for (uint64_t done = 0; done < length && !r;) {
		size_t k = length - done < n ? (size_t)(length - done) : n;
		r = rn_request(s, op, true, zero, k, offset + done);
		done += k;
	}
	free(zero);
	return r;
}

int refstor_flush(refstor *s)
{
	/* Nothing is buffered in the handle: every write was a request the
	 * server answered. */
	return s ? 0 : rn_fail_null("flush");
}

int refstor_sync(refstor *s)
{
	if (!s)
		return rn_fail_null("sync");
	pthread_rwlock_rdlock(&s->lock);
	int r = rn_check_connected(s, "sync");
	if (!r && nbd_flush(s->nbd, 0) == -1)
		r = rn_fail_nbd(s, "sync", NULL);
	pthread_rwlock_unlock(&s->lock);
	return r;
}

int refstor_invalidate_cache(refstor *s)
{
	/* Nothing is cached in the handle (NBD_CMD_CACHE is a prefetch, not
	 * an invalidation). */
	return s ? 0 : rn_fail_null("invalidate_cache");
}
