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
#include <time.h>
#include <unistd.h>

/* Build a handle around fd, with o's options (NULL: the defaults).  On
 * failure fd is left open for the caller. */
static int rs_handle_new(int fd, const char *filename, const char *op,
			 const struct refstor_open_opts *o, refstor **out)
{
	char fdname[48];
	snprintf(fdname, sizeof(fdname), "file descriptor %d", fd);
	const char *what = filename ? filename : fdname;
	struct stat st;
	if (fstat(fd, &st))
		return rs_fail_path_errno(errno, what, "%s %s: fstat", op, what);

	enum rs_kind kind;
	int r = rs_check_type(st.st_mode, op, what, &kind);
	if (r)
		return r;

	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return rs_fail_path_errno(errno, what, "%s %s: fcntl(F_GETFL)", op, what);

	uint64_t size;
	r = rs_query_size(fd, kind, &size);
	if (r)
		return rs_fail_path_errno(rs_map_unsupported(-r), what,
					  "%s %s: cannot determine the size", op, what);

	/* Aligned for the lock's cache lines (lock.h); sizeof is a multiple of
	 * the alignment, as aligned_alloc wants. */
	refstor *s = aligned_alloc(_Alignof(refstor), sizeof(*s));
	if (!s)
		return rs_fail_path(ENOMEM, what, "%s %s: out of memory", op, what);
	memset(s, 0, sizeof(*s));
	if (filename && !(s->filename = strdup(filename))) {
		free(s);
		return rs_fail_path(ENOMEM, what, "%s %s: out of memory", op, what);
	}
	r = rs_lock_init(&s->lock);
	if (r) {
		free(s->filename);
		free(s);
		return rs_fail_path_errno(r, what, "%s %s: pthread_mutex_init", op, what);
	}
	s->fd = fd;
	s->kind = kind;
	s->writable = (fl & O_ACCMODE) != O_RDONLY;
	s->direct = (fl & O_DIRECT) != 0; /* an adopted O_DIRECT fd counts as direct */
	s->relaxed_sync = o && o->relaxed_sync;
	s->keep_length = o && o->profile == REFSTOR_PROFILE_KEEP_LENGTH;
	atomic_init(&s->size, size);
	atomic_init(&s->discard_unsupported, false);
	rs_probe_alignment(s);
	*out = s;
	return 0;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = rs_admit_open(o, out);
	if (r)
		return r;
	int fd = rs_open_nonblock(o->path, o->writable ? O_RDWR : O_RDONLY, 0);
	if (fd < 0)
		return rs_fail_path_errno(errno, o->path, "open %s (%s)", o->path,
					  o->writable ? "read-write" : "read-only");
	r = rs_ready_fd(fd, "open", o->path, o->direct);
	if (!r)
		r = rs_handle_new(fd, o->path, "open", o, out);
	if (r)
		close(fd);
	return r;
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	int r = rs_admit_create(o, out);
	if (r)
		return r;
	const char *path = o->open.path;

	/* Try exclusively first even when overwriting: then we know whether the
	 * file is ours to remove if anything after creating it fails.  (An
	 * exclusive open never opens what exists, a FIFO included.) */
	bool made = true;
	int fd = rs_open_nonblock(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST && o->overwrite) {
		made = false;
		r = rs_check_path("create", path);
		if (r)
			return r;
		/* Not O_TRUNC here: the file is emptied only once the handle
		 * can be had (direct I/O refused must leave it as it was, as
		 * the kernel's own O_DIRECT|O_TRUNC open does: OPEN-DIRECT-1). */
		fd = rs_open_nonblock(path, O_RDWR | O_CREAT, 0644);
	}
	if (fd < 0)
		return rs_fail_path_errno(errno, path, "create %s", path);

	r = rs_ready_fd(fd, "create", path, o->open.direct);
	if (!r && !made && ftruncate(fd, 0))
		r = rs_fail_path_errno(errno, path, "create %s: truncate", path);
	if (r) {
		close(fd);
		goto undo;
	}

	refstor *s;
	r = rs_handle_new(fd, path, "create", &o->open, &s);
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
			rs_fail_path(-r, path, "create %s (%" PRIu64 " bytes, %s): %s", path,
				     o->size, rs_prealloc_name(o->prealloc), why);
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
	/* pwrite on an O_APPEND descriptor writes at the end whatever the
	 * offset, and says it succeeded (FROMFD-3). */
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_APPEND) && (fl & O_ACCMODE) != O_RDONLY)
		return rs_fail(EINVAL,
			       "from_fd file descriptor %d: opened with O_APPEND, which writes at "
			       "the end of the file whatever the offset",
			       fd);
	return rs_handle_new(fd, NULL, "from_fd", NULL, out);
}

void refstor_close(refstor *s)
{
	if (!s)
		return;
	/* close() errors are not actionable here: data durability is what sync()
	 * is for, and the fd is gone either way on Linux. */
	close(s->fd);
	rs_lock_destroy(&s->lock);
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
