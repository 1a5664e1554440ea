/* SPDX-License-Identifier: MIT */
/* internal.h - the handle and the helpers shared by librefstor's sources. */
#ifndef REFSTOR_INTERNAL_H
#define REFSTOR_INTERNAL_H

/* The library is built with -fvisibility=hidden (ref/CMakeLists.txt): only
 * the functions declared in refstor.h are default-visible, so that the rs_*
 * helpers below stay out of both the shared and the static library's symbol
 * table.  Every source includes this header before refstor.h's functions
 * are defined. */
#pragma GCC visibility push(default)
#include "refstor.h"
#pragma GCC visibility pop

#include "admit.h"
#include "lock.h"
#include "message.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

struct refstor {
	int fd;
	char *filename; /* NULL for refstor_from_fd */
	enum rs_kind kind;
	bool writable;
	bool direct;
	bool relaxed_sync;
	bool keep_length; /* REFSTOR_PROFILE_KEEP_LENGTH: zeroing never cuts the file */
	size_t req_align;
	size_t mem_align;
	size_t zero_align;    /* already max(granularity, req_align) */
	size_t discard_align; /* likewise */
	/* Logical size.  Atomic because writes under the shared lock grow it. */
	_Atomic uint64_t size;
	/* Set once punch-hole said "unsupported": later calls skip the syscall. */
	atomic_bool discard_unsupported;
	/* Shared for I/O; exclusive for anything that changes the file's length
	 * (resize, discard-by-truncate), so no I/O sees a half-done length change.
	 * Last, on cache lines of its own: every I/O writes to it (lock.h), and
	 * must not thereby evict the fields above from other cores' caches. */
	struct rs_lock lock;
};

/* Every "cannot do that here" errno becomes ENOTSUP (docs/spec.md ERR-NOTSUP-1). */
int rs_map_unsupported(int err);

/*
 * Argument checks, inline: they run on every I/O, before any syscall, so that
 * bad input changes nothing (docs/spec.md BAD-*).  The reports of failures
 * are out of line in check.c, off the hot path.
 */
int rs_fail_null_handle(const char *op) __attribute__((cold));
int rs_fail_read_only(const char *op) __attribute__((cold));
int rs_fail_range(const char *op, uint64_t offset, uint64_t length) __attribute__((cold));
int rs_fail_direct_range(const refstor *s, const char *op, uint64_t offset, uint64_t length)
    __attribute__((cold));
/* Every iovec checked, the total summed: the general case, and every failure. */
int rs_check_iov_all(const refstor *s, const char *op, const struct iovec *iov, int iovcnt,
		     uint64_t offset, size_t *total);

/* Alignments are powers of two (probe.c makes sure). */
static inline bool rs_aligned(uint64_t v, size_t align)
{
	return !(v & (align - 1));
}

static inline int rs_check_handle(const refstor *s, const char *op)
{
	return __builtin_expect(!s, 0) ? rs_fail_null_handle(op) : 0;
}

static inline int rs_check_writable(const refstor *s, const char *op)
{
	return __builtin_expect(!s->writable, 0) ? rs_fail_read_only(op) : 0;
}

/* Offsets are off_t in the kernel: anything past INT64_MAX cannot be addressed. */
static inline int rs_check_range(const char *op, uint64_t offset, uint64_t length)
{
	if (__builtin_expect(offset > INT64_MAX || length > INT64_MAX - offset, 0))
		return rs_fail_range(op, offset, length);
	return 0;
}

static inline int rs_check_direct_range(const refstor *s, const char *op, uint64_t offset,
					uint64_t length)
{
	if (s->direct && __builtin_expect(!rs_aligned(offset | length, s->req_align), 0))
		return rs_fail_direct_range(s, op, offset, length);
	return 0;
}

/* All of the above for a call that changes [offset, offset + length). */
static inline int rs_check_modify(const refstor *s, const char *op, uint64_t offset,
				  uint64_t length)
{
	int r = rs_check_handle(s, op);
	if (r || (r = rs_check_writable(s, op)) || (r = rs_check_range(op, offset, length)))
		return r;
	return rs_check_direct_range(s, op, offset, length);
}

/* An iovec array: the common single, valid iovec inline, the rest in check.c. */
static inline int rs_check_iov(const refstor *s, const char *op, const struct iovec *iov,
			       int iovcnt, uint64_t offset, size_t *total)
{
	if (iovcnt == 1 && iov && iov->iov_base && iov->iov_len <= INT64_MAX &&
	    offset <= INT64_MAX - iov->iov_len &&
	    (!s->direct || (rs_aligned(offset | iov->iov_len, s->req_align) &&
			    rs_aligned((uintptr_t)iov->iov_base, s->mem_align)))) {
		*total = iov->iov_len;
		return 0;
	}
	return rs_check_iov_all(s, op, iov, iovcnt, offset, total);
}

/* probe.c: alignment of direct I/O, fs granularity, device size. */
void rs_probe_alignment(refstor *s);
int rs_query_size(int fd, enum rs_kind kind, uint64_t *size);

/* resize.c: "none", "zero", "allocate", "write_data" (or "unknown"). */
const char *rs_prealloc_name(enum refstor_prealloc m);

/* io.c: the loops under readv/writev, reused by resize(WRITE_DATA). */
int rs_pwrite_all(refstor *s, const char *op, const struct iovec *iov, int iovcnt, uint64_t offset);
/* Raise the logical size to at least end (never lowers it).  Inline: every
 * write does it, and it is almost always one load and one compare. */
static inline void rs_size_grow(refstor *s, uint64_t end)
{
	uint64_t cur = atomic_load_explicit(&s->size, memory_order_relaxed);
	while (cur < end && !atomic_compare_exchange_weak(&s->size, &cur, end))
		;
}
/* Write length zero bytes at offset, honouring direct-I/O alignment. */
int rs_write_zero_bytes(refstor *s, const char *op, uint64_t offset, uint64_t length);

#endif
