/* SPDX-License-Identifier: MIT */
/*
 * io.c - vectored reads and writes.
 *
 * The kernel may transfer less than asked (signals, MAX_RW_COUNT, EOF), and
 * takes at most IOV_MAX iovecs per call; the loops here hide all of that, so
 * one call always transfers the whole vector or fails (docs/spec.md READ-*,
 * WRITE-*).  Almost every call is done by its first syscall, so that one is
 * made inline and everything else (the loops and their 16 KiB iovec window)
 * lives out of line: the fast path costs a few nanoseconds over pread/pwrite.
 */
#include "internal.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/* Position inside the caller's iovec array: entry idx, skip bytes into it. */
struct rs_iov_cursor {
	const struct iovec *iov;
	int cnt;
	int idx;
	size_t skip;
};

/* Fill win with up to IOV_MAX entries from the cursor on.  Returns the count. */
static int rs_iov_window(const struct rs_iov_cursor *c, struct iovec *win)
{
	int n = 0;
	for (int i = c->idx; i < c->cnt && n < IOV_MAX; i++) {
		size_t skip = i == c->idx ? c->skip : 0;
		if (c->iov[i].iov_len == skip)
			continue;
		win[n].iov_base = (char *)c->iov[i].iov_base + skip;
		win[n].iov_len = c->iov[i].iov_len - skip;
		n++;
	}
	return n;
}

static void rs_iov_advance(struct rs_iov_cursor *c, size_t bytes)
{
	while (bytes && c->idx < c->cnt) {
		size_t avail = c->iov[c->idx].iov_len - c->skip;
		if (bytes < avail) {
			c->skip += bytes;
			return;
		}
		bytes -= avail;
		c->idx++;
		c->skip = 0;
	}
}

static void rs_iov_zero_rest(struct rs_iov_cursor *c)
{
	/* A zero-length iovec may have a NULL base: no arithmetic on it. */
	for (; c->idx < c->cnt; c->idx++, c->skip = 0)
		if (c->iov[c->idx].iov_len > c->skip)
			memset((char *)c->iov[c->idx].iov_base + c->skip, 0,
			       c->iov[c->idx].iov_len - c->skip);
}

/* One preadv/pwritev of the caller's array as it is (at most IOV_MAX). */
static inline ssize_t rs_xfer(int fd, bool write, const struct iovec *v, int n, uint64_t pos)
{
	if (n == 1)
		return write ? pwrite(fd, v[0].iov_base, v[0].iov_len, (off_t)pos)
			     : pread(fd, v[0].iov_base, v[0].iov_len, (off_t)pos);
	return write ? pwritev(fd, v, n, (off_t)pos) : preadv(fd, v, n, (off_t)pos);
}

/* The next preadv/pwritev from wherever the cursor stands. */
static ssize_t rs_iov_xfer(int fd, bool write, const struct rs_iov_cursor *c, uint64_t pos)
{
	if (!c->idx && !c->skip && c->cnt <= IOV_MAX)
		return rs_xfer(fd, write, c->iov, c->cnt, pos);
	struct iovec win[IOV_MAX];
	return rs_xfer(fd, write, win, rs_iov_window(c, win), pos);
}

/* A direct read that stopped short of an unaligned EOF continues at an
 * unaligned offset, which the kernel may refuse with EINVAL: that is EOF too. */
static bool rs_at_eof(const refstor *s, uint64_t pos)
{
	uint64_t size;
	return rs_query_size(s->fd, s->kind, &size) == 0 && pos >= size;
}

/*
 * The rest of a read whose first syscall returned first (bytes, or -1 with
 * errno err).  A first call that was not made is passed as an interrupted
 * one: -1 with EINTR, "try again".  Out of line: see the top of the file.
 */
static __attribute__((noinline)) int rs_pread_rest(refstor *s, const struct iovec *iov, int iovcnt,
						   uint64_t offset, size_t total, ssize_t got,
						   int err)
{
	struct rs_iov_cursor c = {iov, iovcnt, 0, 0};
	uint64_t pos = offset;
	size_t left = total;
	for (;;) {
		if (got < 0 && err == EINTR) {
			got = rs_iov_xfer(s->fd, false, &c, pos);
			err = errno;
			continue;
		}
		if (got < 0) {
			if (err != EINVAL || !s->direct || pos == offset || !rs_at_eof(s, pos))
				return rs_fail_errno(err, "readv at offset %" PRIu64 " (%zu bytes)",
						     offset, total);
			got = 0;
		}
		if (got == 0) {
			/* EOF: the rest of the vector reads as zeroes. */
			rs_iov_zero_rest(&c);
			return 0;
		}
		rs_iov_advance(&c, (size_t)got);
		pos += (uint64_t)got;
		left -= (size_t)got;
		if (!left)
			return 0;
		got = rs_iov_xfer(s->fd, false, &c, pos);
		err = errno;
	}
}

/* The rest of a write, as rs_pread_rest. */
static __attribute__((noinline)) int rs_pwrite_rest(refstor *s, const char *op,
						    const struct iovec *iov, int iovcnt,
						    uint64_t offset, ssize_t put, int err)
{
	struct rs_iov_cursor c = {iov, iovcnt, 0, 0};
	uint64_t pos = offset;
	int r = 0;
	for (;;) {
		if (put < 0 && err != EINTR) {
			r = rs_fail_errno(err, "%s at offset %" PRIu64 " (stopped at %" PRIu64 ")",
					  op, offset, pos);
			break;
		}
		if (put == 0) {
			/* No progress and no error: retrying could spin forever. */
			r = rs_fail(EIO,
				    "%s at offset %" PRIu64 ": write made no progress at %" PRIu64,
				    op, offset, pos);
			break;
		}
		if (put > 0) {
			rs_iov_advance(&c, (size_t)put);
			pos += (uint64_t)put;
			/* Trailing empty iovecs need no syscall. */
			while (c.idx < c.cnt && c.iov[c.idx].iov_len == c.skip) {
				c.idx++;
				c.skip = 0;
			}
			if (c.idx >= c.cnt)
				break;
		}
		put = rs_iov_xfer(s->fd, true, &c, pos);
		err = errno;
	}
	/* What reached the file counts even when a later part failed: the size
	 * must never claim less than the file holds.  Nothing written, nothing
	 * grown. */
	if (pos > offset)
		rs_size_grow(s, pos);
	return r;
}

int rs_pwrite_all(refstor *s, const char *op, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	ssize_t put = rs_iov_xfer(s->fd, true, &(struct rs_iov_cursor){iov, iovcnt, 0, 0}, offset);
	return rs_pwrite_rest(s, op, iov, iovcnt, offset, put, errno);
}

/* The bodies of readv/writev, inline so that read/write share them without
 * a second call through the PLT. */
static inline int rs_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total;
	int r = rs_check_handle(s, "readv");
	if (r || (r = rs_check_iov(s, "readv", iov, iovcnt, offset, &total)))
		return r;
	if (!total)
		return 0;
	struct rs_lock_slot *held = rs_lock_shared(&s->lock);
	/* Over IOV_MAX, the first call is the loop's: passed as "interrupted". */
	bool one = iovcnt <= IOV_MAX;
	ssize_t got = one ? rs_xfer(s->fd, false, iov, iovcnt, offset) : -1;
	if (got != (ssize_t)total)
		r = rs_pread_rest(s, iov, iovcnt, offset, total, got, one ? errno : EINTR);
	rs_unlock_shared(held);
	return r;
}

static inline int rs_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total;
	int r = rs_check_handle(s, "writev");
	if (r || (r = rs_check_writable(s, "writev")) ||
	    (r = rs_check_iov(s, "writev", iov, iovcnt, offset, &total)))
		return r;
	if (!total)
		return 0;
	struct rs_lock_slot *held = rs_lock_shared(&s->lock);
	bool one = iovcnt <= IOV_MAX;
	ssize_t put = one ? rs_xfer(s->fd, true, iov, iovcnt, offset) : -1;
	if (put == (ssize_t)total)
		rs_size_grow(s, offset + total);
	else
		r = rs_pwrite_rest(s, "writev", iov, iovcnt, offset, put, one ? errno : EINTR);
	rs_unlock_shared(held);
	return r;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return rs_readv(s, iov, iovcnt, offset);
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return rs_writev(s, iov, iovcnt, offset);
}

int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {buf, len};
	return rs_readv(s, &v, 1, offset);
}

int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {(void *)buf, len};
	return rs_writev(s, &v, 1, offset);
}

int rs_write_zero_bytes(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	enum { CHUNK = 1 << 20 };
	size_t n = length < CHUNK ? (size_t)length : CHUNK;
	size_t align = s->mem_align > sizeof(void *) ? s->mem_align : sizeof(void *);
	void *zero;
	if (posix_memalign(&zero, align, n))
		return rs_fail(ENOMEM, "%s: out of memory for a %zu-byte zero buffer", op, n);
	memset(zero, 0, n);
	int r = 0;
	while (length && !r) {
		struct iovec v = {zero, length < n ? (size_t)length : n};
		r = rs_pwrite_all(s, op, &v, 1, offset);
		offset += v.iov_len;
		length -= v.iov_len;
	}
	free(zero);
	return r;
}
