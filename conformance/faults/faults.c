/* SPDX-License-Identifier: MIT */
/*
 * faults.c - the interposer (see faults.h).
 *
 * This is test machinery, not librefstor: its state is process-wide on
 * purpose (the interposed calls have nowhere else to find it), guarded by
 * atomics so that threads of the implementation under test can call in.
 */
#include "faults.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

enum { RS_MAX_FAULTS = 8 };

/* Which file a fault or the call counter is about: a regular file (device
 * and inode), every file of a filesystem (a directory was named: device
 * only), or a block device (its device number). */
struct rs_match {
	bool any; /* nothing named: every fd matches */
	bool blk; /* match st_rdev of block devices */
	bool any_ino;
	dev_t dev;
	ino_t ino;
};

struct rs_armed {
	atomic_bool on;
	struct rs_fault f;
	struct rs_match m;
	atomic_int seen;      /* matching calls so far */
	atomic_ulong applied; /* calls the fault was applied to */
};

static struct {
	struct rs_match watch;
	struct rs_armed faults[RS_MAX_FAULTS];
	atomic_ulong count[RS_CALL_COUNT];
	atomic_ulong fired;
} rs_state = {.watch = {.any = true}};

static int rs_match_path(const char *path, struct rs_match *m)
{
	struct stat st;
	if (stat(path, &st))
		return -1;
	*m = (struct rs_match){.blk = S_ISBLK(st.st_mode),
			       .any_ino = S_ISDIR(st.st_mode),
			       .dev = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev,
			       .ino = st.st_ino};
	return 0;
}

static bool rs_matches(const struct rs_match *m, const struct stat *st)
{
	if (!st)
		return false;
	if (m->any) /* files and devices, never the process's pipes and terminals */
		return S_ISREG(st->st_mode) || S_ISBLK(st->st_mode);
	if (m->blk)
		return S_ISBLK(st->st_mode) && st->st_rdev == m->dev;
	return st->st_dev == m->dev && (m->any_ino || st->st_ino == m->ino);
}

int rs_fault_watch(const char *path)
{
	return rs_match_path(path, &rs_state.watch);
}

int rs_fault_arm(const char *path, const struct rs_fault *f)
{
	struct rs_match m;
	if (rs_match_path(path, &m))
		return -1;
	for (int i = 0; i < RS_MAX_FAULTS; i++) {
		struct rs_armed *a = &rs_state.faults[i];
		if (atomic_load(&a->on))
			continue;
		a->f = *f;
		a->m = m;
		atomic_store(&a->seen, 0);
		atomic_store(&a->applied, 0);
		atomic_store(&a->on, true);
		return i;
	}
	return -1;
}

void rs_fault_clear(void)
{
	for (int i = 0; i < RS_MAX_FAULTS; i++)
		atomic_store(&rs_state.faults[i].on, false);
}

unsigned long rs_fault_hits(int slot)
{
	return slot >= 0 && slot < RS_MAX_FAULTS ? atomic_load(&rs_state.faults[slot].applied) : 0;
}

unsigned long rs_fault_count(enum rs_call call)
{
	return call < RS_CALL_COUNT ? atomic_load(&rs_state.count[call]) : 0;
}

void rs_fault_count_reset(void)
{
	for (int i = 0; i < RS_CALL_COUNT; i++)
		atomic_store(&rs_state.count[i], 0);
	atomic_store(&rs_state.fired, 0);
}

unsigned long rs_fault_fired(void)
{
	return atomic_load(&rs_state.fired);
}

/* Count the call; return the fault to apply to it, if any. */
static const struct rs_fault *rs_intercept(enum rs_call call, int fd)
{
	bool armed = false;
	for (int i = 0; i < RS_MAX_FAULTS && !armed; i++)
		armed = atomic_load(&rs_state.faults[i].on);
	struct stat st;
	const struct stat *stp = NULL;
	int saved = errno;
	if (!fstat(fd, &st))
		stp = &st;
	errno = saved;
	if (rs_matches(&rs_state.watch, stp))
		atomic_fetch_add(&rs_state.count[call], 1);
	/* Every matching fault counts the call, so that "skip the first call"
	 * means the first call whichever fault took it; the first one whose
	 * window it falls in applies. */
	const struct rs_fault *chosen = NULL;
	for (int i = 0; i < RS_MAX_FAULTS && armed; i++) {
		struct rs_armed *a = &rs_state.faults[i];
		if (!atomic_load(&a->on) || a->f.call != call || !rs_matches(&a->m, stp))
			continue;
		int n = atomic_fetch_add(&a->seen, 1);
		if (chosen || n < a->f.skip || (a->f.times >= 0 && n >= a->f.skip + a->f.times))
			continue;
		chosen = &a->f;
		atomic_fetch_add(&a->applied, 1);
	}
	if (chosen)
		atomic_fetch_add(&rs_state.fired, 1);
	return chosen;
}

typedef ssize_t (*rs_preadv2_fn)(int, const struct iovec *, int, off_t, int);
typedef int (*rs_fallocate_fn)(int, int, off_t, off_t);
typedef int (*rs_fd_fn)(int);
typedef int (*rs_ftruncate_fn)(int, off_t);

/* libc's own functions, found once at load time (before any thread of the
 * implementation can race to look them up). */
static struct {
	rs_preadv2_fn preadv2, pwritev2;
	rs_fallocate_fn fallocate;
	rs_fd_fn fsync, fdatasync;
	rs_ftruncate_fn ftruncate;
} rs_real;

__attribute__((constructor)) static void rs_find_real(void)
{
	*(void **)&rs_real.preadv2 = dlsym(RTLD_NEXT, "preadv2");
	*(void **)&rs_real.pwritev2 = dlsym(RTLD_NEXT, "pwritev2");
	*(void **)&rs_real.fallocate = dlsym(RTLD_NEXT, "fallocate");
	*(void **)&rs_real.fsync = dlsym(RTLD_NEXT, "fsync");
	*(void **)&rs_real.fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	*(void **)&rs_real.ftruncate = dlsym(RTLD_NEXT, "ftruncate");
}

/* Cap an iovec array at max bytes: the kernel's short transfer, imitated. */
static int rs_cap_iov(const struct iovec *iov, int cnt, size_t max, struct iovec *out)
{
	int n = 0;
	for (int i = 0; i < cnt && max && n < 1024; i++) {
		size_t len = iov[i].iov_len < max ? iov[i].iov_len : max;
		out[n].iov_base = iov[i].iov_base;
		out[n].iov_len = len;
		max -= len;
		n++;
	}
	return n ? n : 1;
}

/* Whether f is an error to return (then in errno). */
static bool rs_fails(const struct rs_fault *f)
{
	if (f && f->err)
		errno = f->err;
	return f && f->err;
}

/* Every read and write, whatever its libc name, lands here. */
static ssize_t rs_rw(enum rs_call call, rs_preadv2_fn real, int fd, const struct iovec *iov,
		     int cnt, off_t off, int flags)
{
	const struct rs_fault *f = rs_intercept(call, fd);
	if (rs_fails(f))
		return -1;
	if (f && f->zero_write && call == RS_CALL_WRITE)
		return 0;
	if (f && f->max_bytes) {
		struct iovec capped[1024];
		int n = rs_cap_iov(iov, cnt > 1024 ? 1024 : cnt, f->max_bytes, capped);
		return real(fd, capped, n, off, flags);
	}
	return real(fd, iov, cnt, off, flags);
}

/* write/writev: pwritev2 at offset -1 is a write at the file position.  They
 * matter because OPEN-NOMOD-3 counts every write-class call at open. */
ssize_t write(int fd, const void *buf, size_t len)
{
	struct iovec v = {(void *)buf, len};
	return rs_rw(RS_CALL_WRITE, rs_real.pwritev2, fd, &v, 1, -1, 0);
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
	return rs_rw(RS_CALL_WRITE, rs_real.pwritev2, fd, iov, cnt, -1, 0);
}

/* The single-buffer calls map onto preadv2/pwritev2, so one path serves all. */
static ssize_t rs_single(enum rs_call call, int fd, void *buf, size_t len, off_t off)
{
	struct iovec v = {buf, len};
	return rs_rw(call, call == RS_CALL_READ ? rs_real.preadv2 : rs_real.pwritev2, fd, &v, 1,
		     off, 0);
}

/* The 64-bit names are the same functions: off_t is 64 bits here. */
#define RS_ALIAS(name, of) __typeof__(of) name __attribute__((alias(#of)))

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	return rs_single(RS_CALL_READ, fd, buf, len, off);
}
RS_ALIAS(pread64, pread);

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return rs_single(RS_CALL_WRITE, fd, (void *)buf, len, off);
}
RS_ALIAS(pwrite64, pwrite);

ssize_t preadv(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return rs_rw(RS_CALL_READ, rs_real.preadv2, fd, iov, cnt, off, 0);
}
RS_ALIAS(preadv64, preadv);

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
	return rs_rw(RS_CALL_WRITE, rs_real.pwritev2, fd, iov, cnt, off, 0);
}
RS_ALIAS(pwritev64, pwritev);

/* preadv2/pwritev2 themselves: the real ones are what everything above uses. */
ssize_t preadv2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return rs_rw(RS_CALL_READ, rs_real.preadv2, fd, iov, cnt, off, flags);
}
RS_ALIAS(preadv64v2, preadv2);

ssize_t pwritev2(int fd, const struct iovec *iov, int cnt, off_t off, int flags)
{
	return rs_rw(RS_CALL_WRITE, rs_real.pwritev2, fd, iov, cnt, off, flags);
}
RS_ALIAS(pwritev64v2, pwritev2);

int fallocate(int fd, int mode, off_t off, off_t len)
{
	if (rs_fails(rs_intercept(RS_CALL_FALLOCATE, fd)))
		return -1;
	return rs_real.fallocate(fd, mode, off, len);
}
RS_ALIAS(fallocate64, fallocate);

int fsync(int fd)
{
	return rs_fails(rs_intercept(RS_CALL_FSYNC, fd)) ? -1 : rs_real.fsync(fd);
}

int fdatasync(int fd)
{
	return rs_fails(rs_intercept(RS_CALL_FDATASYNC, fd)) ? -1 : rs_real.fdatasync(fd);
}

int ftruncate(int fd, off_t len)
{
	return rs_fails(rs_intercept(RS_CALL_FTRUNCATE, fd)) ? -1 : rs_real.ftruncate(fd, len);
}
RS_ALIAS(ftruncate64, ftruncate);
