/* SPDX-License-Identifier: MIT */
/* internal.h - the handle and the helpers shared by librefstor's sources. */
#ifndef REFSTOR_INTERNAL_H
#define REFSTOR_INTERNAL_H

#include "refstor.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

/* What kind of object the fd refers to decides size lookup, whether the
 * length can change and how zeroes are made. */
enum rs_kind { RS_REGULAR, RS_BLOCK, RS_CHAR };

struct refstor {
	int fd;
	char *filename; /* NULL for refstor_from_fd */
	enum rs_kind kind;
	bool writable;
	bool direct;
	bool relaxed_sync;
	size_t req_align;
	size_t mem_align;
	size_t zero_align;    /* already max(granularity, req_align) */
	size_t discard_align; /* likewise */
	/* Logical size.  Atomic because writes under the shared lock grow it. */
	_Atomic uint64_t size;
	/* Set once punch-hole said "unsupported": later calls skip the syscall. */
	atomic_bool discard_unsupported;
	/* Shared for I/O; exclusive for anything that changes the file's length
	 * (resize, discard-by-truncate), so no I/O sees a half-done length change. */
	pthread_rwlock_t lock;
};

/* error.c: set the thread-local message; return -err (err > 0). */
int rs_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Like rs_fail, with ": strerror(err)" appended. */
int rs_fail_errno(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Every "cannot do that here" errno becomes ENOTSUP (docs/spec.md ERR-NOTSUP-1). */
int rs_map_unsupported(int err);

/* check.c: argument checks shared by the I/O entry points. */
int rs_check_handle(const refstor *s, const char *op);
int rs_check_writable(const refstor *s, const char *op);
int rs_check_range(const char *op, uint64_t offset, uint64_t length);
int rs_check_direct_range(const refstor *s, const char *op, uint64_t offset, uint64_t length);
/* All of the above for a call that changes [offset, offset + length). */
int rs_check_modify(const refstor *s, const char *op, uint64_t offset, uint64_t length);
int rs_check_iov(const refstor *s, const char *op, const struct iovec *iov, int iovcnt,
		 uint64_t offset, size_t *total);

/* probe.c: alignment of direct I/O, fs granularity, device size. */
void rs_probe_alignment(refstor *s);
int rs_query_size(int fd, enum rs_kind kind, uint64_t *size);

/* io.c: the loops under readv/writev, reused by resize(WRITE_DATA). */
int rs_pwrite_all(refstor *s, const char *op, const struct iovec *iov, int iovcnt, uint64_t offset);
/* Raise the logical size to at least end (never lowers it). */
void rs_size_grow(refstor *s, uint64_t end);
/* Write length zero bytes at offset, honouring direct-I/O alignment. */
int rs_write_zero_bytes(refstor *s, const char *op, uint64_t offset, uint64_t length);

#endif
