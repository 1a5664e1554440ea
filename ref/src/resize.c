/* SPDX-License-Identifier: MIT */
/* resize.c - change the length, with four ways to fill what is added. */
#include "internal.h"
#include "refstor_names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

/* For the rest of the library (handle.c), which does not include the table. */
const char *rs_prealloc_name(enum refstor_prealloc m)
{
	return refstor_prealloc_name(m);
}

static int rs_truncate(int fd, uint64_t size)
{
	int r;
	do
		r = ftruncate(fd, (off_t)size);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

/* fallocate(0) over [from, to): reserve blocks and extend the file. */
static int rs_allocate(refstor *s, uint64_t from, uint64_t to)
{
#if defined(__linux__)
	int r;
	do
		r = fallocate(s->fd, 0, (off_t)from, (off_t)(to - from));
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
#elif defined(__APPLE__)
	fstore_t fs = {F_ALLOCATEALL, F_PEOFPOSMODE, 0, (off_t)(to - from), 0};
	if (fcntl(s->fd, F_PREALLOCATE, &fs) < 0)
		return -errno;
	return rs_truncate(s->fd, to);
#else
	int r = posix_fallocate(s->fd, (off_t)from, (off_t)(to - from));
	return -r;
#endif
}

/*
 * Write zeroes over [from, to).  Direct I/O would need both ends aligned, and
 * a resize may end anywhere: so switch O_DIRECT off for this write.  That is
 * safe only because resize holds the exclusive lock (no other I/O of this
 * handle runs meanwhile) and because the buffered zeroes are written back
 * before direct I/O resumes: xfs fails a later direct read over blocks still
 * delayed-allocated in the page cache with EIO ("Direct I/O collision with
 * buffered writes"), found by refstor-fsx on xfs.
 */
static int rs_write_data(refstor *s, const char *op, uint64_t from, uint64_t to)
{
	int fl = 0;
	bool toggled = false;
	if (s->direct) {
		fl = fcntl(s->fd, F_GETFL);
		if (fl < 0 || fcntl(s->fd, F_SETFL, fl & ~O_DIRECT))
			return rs_fail_errno(errno, "%s: cannot leave direct I/O mode", op);
		toggled = true;
	}
	int r = rs_write_zero_bytes(s, op, from, to - from);
	if (toggled && !r &&
	    sync_file_range(s->fd, (off_t)from, (off_t)(to - from),
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				SYNC_FILE_RANGE_WAIT_AFTER))
		r = rs_fail_errno(errno, "%s: writing back the zeroes before direct I/O resumes",
				  op);
	if (toggled) {
		if (fcntl(s->fd, F_SETFL, fl) && !r)
			r = rs_fail_errno(errno, "%s: cannot return to direct I/O mode", op);
	}
	return r;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = rs_check_handle(s, "resize");
	if (r || (r = rs_check_writable(s, "resize")))
		return r;
	const char *name = refstor_prealloc_name(mode);
	if ((unsigned)mode > REFSTOR_PREALLOC_WRITE_DATA)
		return rs_fail(EINVAL, "resize to %" PRIu64 ": unknown preallocation mode %d",
			       new_size, (int)mode);
	if (new_size > INT64_MAX)
		return rs_fail(EINVAL, "resize to %" PRIu64 " (%s): beyond the largest file size",
			       new_size, name);

	rs_lock_exclusive(&s->lock);
	uint64_t cur = atomic_load(&s->size);
	if (new_size == cur) {
		r = 0;
	} else if (s->kind != RS_REGULAR) {
		r = rs_fail(ENOTSUP,
			    "resize to %" PRIu64 " (%s): a block device's size (%" PRIu64
			    " bytes) cannot be changed",
			    new_size, name, cur);
	} else if (new_size < cur || mode == REFSTOR_PREALLOC_NONE ||
		   mode == REFSTOR_PREALLOC_ZERO) {
		/* A file's new tail reads as zeroes anyway: ZERO needs nothing more. */
		r = rs_truncate(s->fd, new_size);
		if (r)
			r = rs_fail_errno(-r, "resize to %" PRIu64 " (%s)", new_size, name);
	} else {
		/* A failed grow (ENOSPC, EIO) can leave the file partly extended:
		 * put the length back, so a failed resize changes nothing. */
		struct stat st;
		bool have_st = fstat(s->fd, &st) == 0;
		if (mode == REFSTOR_PREALLOC_ALLOCATE) {
			r = rs_allocate(s, cur, new_size);
			if (r)
				r = rs_fail_errno(rs_map_unsupported(-r),
						  "resize to %" PRIu64 " (%s)", new_size, name);
		} else {
			char op[64];
			snprintf(op, sizeof(op), "resize to %" PRIu64 " (%s)", new_size, name);
			r = rs_write_data(s, op, cur, new_size);
		}
		/* Only if it did change: a needless ftruncate would still touch
		 * the file's mtime, and a failed resize changes nothing. */
		struct stat now;
		if (r && have_st && !fstat(s->fd, &now) && now.st_size != st.st_size)
			rs_truncate(s->fd, (uint64_t)st.st_size);
	}
	/* On failure too: the writes of WRITE_DATA may have raised it. */
	atomic_store(&s->size, r ? cur : new_size);
	rs_unlock_exclusive(&s->lock);
	return r;
}
