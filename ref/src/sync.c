/* SPDX-License-Identifier: MIT */
/* sync.c - flush, sync and invalidate_cache. */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int refstor_flush(refstor *s)
{
	/* The handle buffers nothing: every write went straight to the kernel. */
	return rs_check_handle(s, "flush");
}

int refstor_sync(refstor *s)
{
	int r = rs_check_handle(s, "sync");
	if (r)
		return r;
#if defined(__APPLE__)
	/* fsync on macOS does not reach stable storage; F_FULLFSYNC does. */
	if (!s->relaxed_sync) {
		do
			r = fcntl(s->fd, F_FULLFSYNC);
		while (r < 0 && errno == EINTR);
		return r < 0 ? rs_fail_errno(errno, "sync: F_FULLFSYNC") : 0;
	}
#endif
	do
		r = fsync(s->fd);
	while (r < 0 && errno == EINTR);
	return r < 0 ? rs_fail_errno(errno, "sync: fsync") : 0;
}

int refstor_invalidate_cache(refstor *s)
{
	/* Nothing is cached in the handle, so nothing can be stale. */
	return rs_check_handle(s, "invalidate_cache");
}
