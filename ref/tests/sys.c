/* SPDX-License-Identifier: MIT */
/*
 * sys.c - the --wrap'ed libc calls of the unit binary (helpers.h, t_sys).
 *
 * The linker sends every call to pread, preadv, pwrite, pwritev and statx
 * made by the statically linked library to __wrap_NAME, and __real_NAME
 * is libc's: so a test can count what a refstor call did underneath, and
 * fail one call the way a kernel could, without a word of test code in
 * ref/src.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>

struct t_sys t_sys;

void t_sys_reset(void)
{
	for (int i = 0; i < T_CALLS; i++) {
		atomic_store(&t_sys.calls[i], 0);
		atomic_store(&t_sys.bytes[i], 0);
	}
	atomic_store(&t_sys.max_iovcnt, 0);
	atomic_store(&t_sys.min_buf_align, 0);
	t_sys.fail_at = 0;
}

ssize_t __real_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __real_preadv(int fd, const struct iovec *iov, int iovcnt, off_t off);
ssize_t __real_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __real_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off);
int __real_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx);

ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off);
ssize_t __wrap_preadv(int fd, const struct iovec *iov, int iovcnt, off_t off);
ssize_t __wrap_pwrite(int fd, const void *buf, size_t len, off_t off);
ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off);
int __wrap_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx);

/* Count a call; true if this one is to fail (errno is then set). */
static bool t_count(enum t_call c, uint64_t bytes)
{
	unsigned long n = atomic_fetch_add(&t_sys.calls[c], 1) + 1;
	atomic_fetch_add(&t_sys.bytes[c], bytes);
	if (t_sys.fail_at && t_sys.fail_call == c && n == t_sys.fail_at) {
		errno = t_sys.fail_errno;
		return true;
	}
	return false;
}

/* The alignment of a buffer written from: its address's lowest set bit. */
static void t_note_buf(const void *buf)
{
	unsigned long a = (unsigned long)((uintptr_t)buf & -(uintptr_t)buf);
	unsigned long cur = atomic_load(&t_sys.min_buf_align);
	while ((!cur || a < cur) && !atomic_compare_exchange_weak(&t_sys.min_buf_align, &cur, a))
		;
}

static void t_note_iovcnt(int iovcnt)
{
	unsigned long cur = atomic_load(&t_sys.max_iovcnt);
	while ((unsigned long)iovcnt > cur &&
	       !atomic_compare_exchange_weak(&t_sys.max_iovcnt, &cur, (unsigned long)iovcnt))
		;
}

static uint64_t t_iov_bytes(const struct iovec *iov, int iovcnt)
{
	uint64_t n = 0;
	for (int i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return n;
}

ssize_t __wrap_pread(int fd, void *buf, size_t len, off_t off)
{
	return t_count(T_PREAD, len) ? -1 : __real_pread(fd, buf, len, off);
}

ssize_t __wrap_preadv(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	t_note_iovcnt(iovcnt);
	return t_count(T_PREADV, t_iov_bytes(iov, iovcnt)) ? -1
							   : __real_preadv(fd, iov, iovcnt, off);
}

ssize_t __wrap_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	t_note_buf(buf);
	return t_count(T_PWRITE, len) ? -1 : __real_pwrite(fd, buf, len, off);
}

ssize_t __wrap_pwritev(int fd, const struct iovec *iov, int iovcnt, off_t off)
{
	t_note_iovcnt(iovcnt);
	for (int i = 0; i < iovcnt; i++)
		t_note_buf(iov[i].iov_base);
	return t_count(T_PWRITEV, t_iov_bytes(iov, iovcnt)) ? -1
							    : __real_pwritev(fd, iov, iovcnt, off);
}

int __wrap_statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *stx)
{
	if (t_count(T_STATX, 0))
		return -1;
	int r = __real_statx(dirfd, path, flags, mask, stx);
	if (!r && t_sys.statx_silent)
		stx->stx_mask &= ~(unsigned)STATX_DIOALIGN;
	return r;
}
