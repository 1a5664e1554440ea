/* SPDX-License-Identifier: MIT */
/* handle.c - opening, creating, adopting and closing a refstor handle. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Build a handle around fd.  On failure fd is left open for the caller. */
static int rs_handle_new(int fd, const char *filename, bool relaxed_sync, refstor **out)
{
	const char *what = filename ? filename : "file descriptor";
	struct stat st;
	if (fstat(fd, &st))
		return rs_fail_errno(errno, "open %s: fstat", what);

	enum rs_kind kind;
	if (S_ISREG(st.st_mode))
		kind = RS_REGULAR;
	else if (S_ISBLK(st.st_mode))
		kind = RS_BLOCK;
	else if (S_ISCHR(st.st_mode))
		kind = RS_CHAR;
	else if (S_ISDIR(st.st_mode))
		return rs_fail(EISDIR, "open %s: is a directory", what);
	else
		return rs_fail(EINVAL, "open %s: not a regular file or device", what);

	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return rs_fail_errno(errno, "open %s: fcntl(F_GETFL)", what);

	uint64_t size;
	int r = rs_query_size(fd, kind, &size);
	if (r)
		return rs_fail_errno(rs_map_unsupported(-r), "open %s: cannot determine the size",
				     what);

	refstor *s = calloc(1, sizeof(*s));
	if (!s)
		return rs_fail(ENOMEM, "open %s: out of memory", what);
	if (filename && !(s->filename = strdup(filename))) {
		free(s);
		return rs_fail(ENOMEM, "open %s: out of memory", what);
	}
	r = pthread_rwlock_init(&s->lock, NULL);
	if (r) {
		free(s->filename);
		free(s);
		return rs_fail_errno(r, "open %s: pthread_rwlock_init", what);
	}
	s->fd = fd;
	s->kind = kind;
	s->writable = (fl & O_ACCMODE) != O_RDONLY;
	s->direct = (fl & O_DIRECT) != 0; /* an adopted O_DIRECT fd counts as direct */
	s->relaxed_sync = relaxed_sync;
	atomic_init(&s->size, size);
	atomic_init(&s->discard_unsupported, false);
	rs_probe_alignment(s);
	*out = s;
	return 0;
}

/* Switch O_DIRECT on for an open fd.  Done after open() rather than with it:
 * a directory then fails as a directory (EISDIR), not as "no direct I/O"
 * (EINVAL), and create() does not leave a file behind when the filesystem
 * refuses direct I/O. */
static int rs_enable_direct(int fd, const char *op, const char *path)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT))
		return rs_fail_errno(errno, "%s %s: direct I/O not supported here", op, path);
	return 0;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (!o || !out)
		return rs_fail(EINVAL, "open: NULL %s", o ? "output pointer" : "options");
	*out = NULL;
	if (!o->path || !o->path[0])
		return rs_fail(EINVAL, "open: filename required");
	int fd;
	do
		fd = open(o->path, (o->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return rs_fail_errno(errno, "open %s (%s)", o->path,
				     o->writable ? "read-write" : "read-only");
	struct stat st;
	int r = 0;
	if (o->direct && !fstat(fd, &st) && !S_ISDIR(st.st_mode))
		r = rs_enable_direct(fd, "open", o->path);
	if (!r)
		r = rs_handle_new(fd, o->path, o->relaxed_sync, out);
	if (r)
		close(fd);
	return r;
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o || !out)
		return rs_fail(EINVAL, "create: NULL %s", o ? "output pointer" : "options");
	*out = NULL;
	const char *path = o->open.path;
	if (!path || !path[0])
		return rs_fail(EINVAL, "create: filename required");
	if ((unsigned)o->prealloc > REFSTOR_PREALLOC_WRITE_DATA)
		return rs_fail(EINVAL, "create %s: unknown preallocation mode %d", path,
			       (int)o->prealloc);
	if (o->size > INT64_MAX)
		return rs_fail(EINVAL,
			       "create %s: size %" PRIu64 " is beyond the largest file size", path,
			       o->size);

	int base = O_RDWR | O_CLOEXEC;
	/* Try exclusively first even when overwriting: then we know whether the
	 * file is ours to remove if anything after creating it fails. */
	bool made = true;
	int fd;
	do
		fd = open(path, base | O_CREAT | O_EXCL, 0644);
	while (fd < 0 && errno == EINTR);
	if (fd < 0 && errno == EEXIST && o->overwrite) {
		made = false;
		do
			fd = open(path, base | O_CREAT | O_TRUNC, 0644);
		while (fd < 0 && errno == EINTR);
	}
	if (fd < 0)
		return rs_fail_errno(errno, "create %s", path);

	int r = o->open.direct ? rs_enable_direct(fd, "create", path) : 0;
	if (r) {
		close(fd);
		goto undo;
	}

	refstor *s;
	r = rs_handle_new(fd, path, o->open.relaxed_sync, &s);
	if (r) {
		close(fd);
		goto undo;
	}
	if (o->size > 0) {
		r = refstor_resize(s, o->size, o->prealloc);
		if (r) {
			/* Keep the resize's message, with the creation as context. */
			char why[512];
			snprintf(why, sizeof(why), "%s", refstor_last_error());
			refstor_close(s);
			rs_fail(-r, "create %s (%" PRIu64 " bytes, %s): %s", path, o->size,
				rs_prealloc_name(o->prealloc), why);
			goto undo;
		}
	}
	*out = s;
	return 0;
undo:
	if (made)
		unlink(path);
	return r;
}

int refstor_from_fd(int fd, refstor **out)
{
	if (!out)
		return rs_fail(EINVAL, "from_fd: NULL output pointer");
	*out = NULL;
	if (fd < 0)
		return rs_fail(EBADF, "from_fd: invalid file descriptor %d", fd);
	return rs_handle_new(fd, NULL, false, out);
}

void refstor_close(refstor *s)
{
	if (!s)
		return;
	/* close() errors are not actionable here: data durability is what sync()
	 * is for, and the fd is gone either way on Linux. */
	close(s->fd);
	pthread_rwlock_destroy(&s->lock);
	free(s->filename);
	free(s);
}

size_t refstor_mem_align(const refstor *s)
{
	return s ? s->mem_align : 0;
}

size_t refstor_req_align(const refstor *s)
{
	return s ? s->req_align : 0;
}

size_t refstor_zero_align(const refstor *s)
{
	return s ? s->zero_align : 0;
}

size_t refstor_discard_align(const refstor *s)
{
	return s ? s->discard_align : 0;
}

uint64_t refstor_size(const refstor *s)
{
	return s ? atomic_load(&s->size) : 0;
}

const char *refstor_filename(const refstor *s)
{
	return s ? s->filename : NULL;
}
