/* SPDX-License-Identifier: MIT */
/* admit.c - see admit.h. */
#pragma GCC visibility push(default)
#include "refstor.h"
#pragma GCC visibility pop
#include "admit.h"
#include "message.h"

#include <errno.h>
#include <inttypes.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* What a file of mode m is, for the message that refuses it. */
static const char *rs_type_name(mode_t m)
{
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISLNK(m))
		return "a symbolic link";
	return "of an unknown type";
}

/* Storage is a regular file, a block device, or a character device (whose
 * size BLKGETSIZE64 must then tell: ERR-NOTSUP-1).  A directory is refused
 * with EISDIR, anything else (a FIFO, a socket) with EINVAL: OPEN-TYPE-1. */
int rs_check_type(mode_t m, const char *op, const char *what, enum rs_kind *kind)
{
	if (S_ISREG(m))
		*kind = RS_REGULAR;
	else if (S_ISBLK(m))
		*kind = RS_BLOCK;
	else if (S_ISCHR(m))
		*kind = RS_CHAR;
	else if (S_ISDIR(m))
		return rs_fail_path(EISDIR, what, "%s %s: is a directory", op, what);
	else
		return rs_fail_path(EINVAL, what, "%s %s: is %s, not a regular file or device", op,
				    what, rs_type_name(m));
	return 0;
}

/* Before opening: a path that names no storage is refused without being
 * opened at all.  (Even a non-blocking open of a FIFO is not harmless: it
 * lets a writer waiting in open(2) through, whose reader then vanishes.)  A
 * path that cannot be stat'ed is left to open(2) to report. */
int rs_check_path(const char *op, const char *path)
{
	struct stat st;
	enum rs_kind kind;
	return stat(path, &st) ? 0 : rs_check_type(st.st_mode, op, path, &kind);
}

/*
 * open(2) that cannot block (OPEN-TYPE-1): O_NONBLOCK, so that a FIFO that
 * took the path's place after rs_check_path (a read-only open waits for a
 * writer, forever) or a serial line without carrier returns at once;
 * rs_ready_fd refuses the first and clears O_NONBLOCK on what it keeps.
 * The one wait kept is a blocking open's legitimate one: a regular file
 * whose lease holder is being asked to let go (EWOULDBLOCK: the kernel has
 * started the lease break, which ends within lease-break-time) is tried
 * again, for as long as the path still names a regular file.
 */
int rs_open_nonblock(const char *path, int flags, mode_t mode)
{
	for (;;) {
		int fd = open(path, flags | O_NONBLOCK | O_CLOEXEC, mode);
		if (fd >= 0)
			return fd;
		int e = errno;
		struct stat st;
		if (e == EINTR)
			continue;
		if ((e != EWOULDBLOCK && e != EAGAIN) || stat(path, &st) || !S_ISREG(st.st_mode)) {
			errno = e;
			return -1;
		}
		nanosleep(&(struct timespec){.tv_nsec = 10 * 1000 * 1000}, NULL);
	}
}

/* A descriptor from rs_open_nonblock made ready for a handle: the type of
 * what it is open on checked again (the path may have changed since
 * rs_check_path), O_NONBLOCK cleared and O_DIRECT set if asked.  O_DIRECT is
 * switched on here rather than at open(): a directory then fails as a
 * directory (EISDIR), not as "no direct I/O" (EINVAL), and create() does not
 * leave a file behind when the filesystem refuses direct I/O. */
int rs_ready_fd(int fd, const char *op, const char *path, bool direct)
{
	struct stat st;
	enum rs_kind kind;
	if (fstat(fd, &st))
		return rs_fail_path_errno(errno, path, "%s %s: fstat", op, path);
	int r = rs_check_type(st.st_mode, op, path, &kind);
	if (r)
		return r;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK))
		return rs_fail_path_errno(errno, path, "%s %s: fcntl", op, path);
	if (direct && fcntl(fd, F_SETFL, (fl & ~O_NONBLOCK) | O_DIRECT))
		return rs_fail_path_errno(errno, path, "%s %s: direct I/O not supported here", op,
					  path);
	return 0;
}

static bool rs_all_zero(const uint64_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i])
			return false;
	return true;
}

/* The options of ABI 1.0: a profile this library knows, and nothing in the
 * reserved space (an option of a later 1.x that it would otherwise ignore):
 * o's, and more[nmore] (create's own). */
static int rs_check_opts(const char *op, const struct refstor_open_opts *o, const uint64_t *more,
			 size_t nmore)
{
	if ((unsigned)o->profile > REFSTOR_PROFILE_KEEP_LENGTH)
		return rs_fail(EINVAL, "%s: unknown profile %d", op, (int)o->profile);
	if (!rs_all_zero(o->reserved, sizeof(o->reserved) / sizeof(o->reserved[0])) ||
	    !rs_all_zero(more, nmore))
		return rs_fail(EINVAL,
			       "%s: a reserved option field is not zero: an option this "
			       "library (ABI %d) does not know",
			       op, REFSTOR_ABI_VERSION);
	return 0;
}

int rs_admit_open(const struct refstor_open_opts *o, struct refstor **out)
{
	if (!o || !out)
		return rs_fail(EINVAL, "open: NULL %s", o ? "output pointer" : "options");
	*out = NULL;
	if (!o->path || !o->path[0])
		return rs_fail(EINVAL, "open: filename required");
	int r = rs_check_opts("open", o, NULL, 0);
	return r ? r : rs_check_path("open", o->path);
}

int rs_admit_create(const struct refstor_create_opts *o, struct refstor **out)
{
	if (!o || !out)
		return rs_fail(EINVAL, "create: NULL %s", o ? "output pointer" : "options");
	*out = NULL;
	const char *path = o->open.path;
	if (!path || !path[0])
		return rs_fail(EINVAL, "create: filename required");
	if ((unsigned)o->prealloc > REFSTOR_PREALLOC_WRITE_DATA)
		return rs_fail_path(EINVAL, path, "create %s: unknown preallocation mode %d", path,
				    (int)o->prealloc);
	int r = rs_check_opts("create", &o->open, o->reserved,
			      sizeof(o->reserved) / sizeof(o->reserved[0]));
	if (r)
		return r;
	if (o->size > INT64_MAX)
		return rs_fail_path(EINVAL, path,
				    "create %s: size %" PRIu64 " is beyond the largest file size",
				    path, o->size);
	return 0;
}
