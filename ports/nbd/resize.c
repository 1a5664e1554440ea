/* SPDX-License-Identifier: MIT */
/*
 * resize.c - resize through the server: qemu's block_resize (QMP) with the
 * export taken down around it, a new connection to learn the new size, then
 * the preallocation the mode asks for over NBD.  nbdkit's file plugin cannot
 * resize an export.
 */
#include "internal.h"
#include "preset.h"
#include "../../ref/src/refstor_names.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/*
 * What the added range [from, to) gets: NONE and ZERO nothing (the server's
 * resize left it reading as zeroes); ALLOCATE zeroes that stay allocated
 * (NBD_CMD_WRITE_ZEROES with NO_HOLE, the nearest NBD has to fallocate);
 * WRITE_DATA zeroes written (NBD_CMD_WRITE).
 */
int rn_prealloc(refstor *s, const char *op, uint64_t from, uint64_t to, enum refstor_prealloc mode)
{
	if (to <= from)
		return 0;
	switch (mode) {
	case REFSTOR_PREALLOC_ALLOCATE:
		return rn_zero_no_hole(s, op, from, to - from);
	case REFSTOR_PREALLOC_WRITE_DATA:
		return rn_write_zero_data(s, op, from, to - from);
	default:
		return 0;
	}
}

/* One QMP command with an event to wait for (or NULL); 0, or the failure
 * reported: qemu's refusal with the errno it names, a dead monitor with what
 * the server said. */
static int rn_qmp(refstor *s, const char *op, const char *what, const char *cmd, const char *event)
{
	char why[1024];
	int64_t deadline = rn_now_ns() + rn_timeout_ns();
	int r = rn_qmp_run(&s->qmp, cmd, event, deadline, why, sizeof(why));
	if (r > 0)
		return rs_fail_path(rn_errno_in(why, EIO), s->what, "%s %s: %s's %s: %s", op,
				    s->what, s->server.name, what, why);
	return r < 0 ? rn_fail_server(s, op, why, deadline) : 0;
}

/*
 * qemu 7.2's NBD export does not let its node be resized while it exists:
 * it unshares BLK_PERM_RESIZE ("Don't allow resize while the NBD server is
 * running"), so block_resize fails with a permission conflict.  And the size
 * an NBD client sees is read once, in the handshake.  So: our connection
 * closed, the export deleted (mode hard: a connection qemu has not finished
 * closing must not make it "in use"; BLOCK_EXPORT_DELETED says it is gone),
 * the node resized, the export added again as it was, a new connection.  The
 * export comes back even when the resize failed, so the handle stays usable.
 */
int rn_resize_locked(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	char op[96], cmd[256];
	snprintf(op, sizeof(op), "resize to %" PRIu64 " (%s)", new_size,
		 refstor_prealloc_name(mode));
	uint64_t cur = atomic_load(&s->size);
	rn_disconnect(s);
	int r = rn_qmp(s, op, "block-export-del",
		       "{\"execute\": \"block-export-del\", \"arguments\": "
		       "{\"id\": \"exp\", \"mode\": \"hard\"}}\n",
		       "BLOCK_EXPORT_DELETED");
	if (r)
		return r;
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"block_resize\", \"arguments\": {\"node-name\": \"disk\", "
		 "\"size\": %" PRIu64 "}}\n",
		 new_size);
	int resized = rn_qmp(s, op, "block_resize", cmd, NULL);
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\": \"block-export-add\", \"arguments\": {\"type\": \"nbd\", "
		 "\"id\": \"exp\", \"node-name\": \"disk\", \"name\": \"\", "
		 "\"writable\": %s}}\n",
		 s->writable ? "true" : "false");
	if ((r = rn_qmp(s, op, "block-export-add", cmd, NULL)))
		return r;
	int sock = rn_dial(s, op);
	if (sock < 0)
		return sock;
	if ((r = rn_connect(s, op, sock, rn_now_ns() + rn_timeout_ns())))
		return r;
	if (resized)
		return resized; /* its message is still this thread's */
	uint64_t now = atomic_load(&s->size);
	/* Fill up to the size asked for, not past it: qemu may report more
	 * (whole 512-byte sectors), and writing there would lengthen the file
	 * beyond what the caller asked. */
	uint64_t to = now < new_size ? now : new_size;
	return rn_prealloc(s, op, cur, to, mode);
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (!s)
		return rs_fail(EINVAL, "resize: NULL handle");
	if (!s->writable)
		return rs_fail_path(EBADF, s->what, "resize %s: handle is read-only", s->what);
	if ((unsigned)mode > REFSTOR_PREALLOC_WRITE_DATA)
		return rs_fail(EINVAL, "resize to %" PRIu64 ": unknown preallocation mode %d",
			       new_size, (int)mode);
	if (new_size > INT64_MAX)
		return rs_fail(EINVAL, "resize to %" PRIu64 " (%s): beyond the largest file size",
			       new_size, refstor_prealloc_name(mode));
	if (rn_preset()->limits & REFSTOR_LIMIT_NO_RESIZE)
		return rs_fail_path(ENOTSUP, s->what,
				    "resize %s to %" PRIu64 " (%s): %s's file plugin cannot resize "
				    "an export",
				    s->what, new_size, refstor_prealloc_name(mode),
				    rn_preset()->program);
	pthread_rwlock_wrlock(&s->lock);
	int r = rn_resize_locked(s, new_size, mode);
	pthread_rwlock_unlock(&s->lock);
	return r;
}
