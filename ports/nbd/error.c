/* SPDX-License-Identifier: MIT */
/*
 * error.c - the errno and the message of a failure that happened in libnbd
 * or in the server.  The message itself, the peers' only mutable global
 * state, is ref/src/message.c's, compiled in.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rn_fail_nbd(refstor *s, const char *op, const char *detail)
{
	/* Read both before anything else can call into libnbd on this thread:
	 * they are libnbd's thread-local state, like our message. */
	int e = nbd_get_errno();
	const char *why = nbd_get_error();
	/* libnbd sets no errno for some failures: EIO is what a request that
	 * did not complete is. */
	if (e <= 0)
		e = EIO;
	/* The server is gone (it died, or was killed with the thread that
	 * started it: server.c).  libnbd says so with ENOTCONN for the request
	 * that found out, and with EINVAL ("invalid state: DEAD") for every
	 * later one, which would read as a bad argument: the storage is out of
	 * reach, an I/O error.  What the server said last may tell why. */
	/* libnbd's and the servers' messages often end in the errno's text
	 * already: saying it twice says nothing more. */
	char ebuf[128];
	const char *etext = strerror_r(e, ebuf, sizeof(ebuf));
	if (!s->nbd || !(nbd_aio_is_dead(s->nbd) || nbd_aio_is_closed(s->nbd)))
		return rs_failf(e, !why || !strstr(why, etext), s->what, "%s %s%s: %s", op, s->what,
				detail ? detail : "", why ? why : "(libnbd gave no message)");
	if (e == EINVAL)
		e = EIO;
	etext = strerror_r(e, ebuf, sizeof(ebuf));
	char said[RN_TAIL_MAX + 16];
	rn_server_drain(&s->server);
	rn_server_said(&s->server, said, sizeof(said));
	return rs_failf(e, !strstr(said, etext) && (!why || !strstr(why, etext)), s->what,
			"%s %s%s: the connection to %s is gone (%s); it said: %s", op, s->what,
			detail ? detail : "", s->server.name, why ? why : "no message from libnbd",
			said[0] ? said : "(nothing)");
}

int rn_errno_in(const char *text, int fallback)
{
	/* The errnos a server's start-up or QMP failure names that the ABI
	 * has a meaning for; anything else is an I/O error to the caller.
	 * EFBIG: qemu's block_resize past a file-size limit says "File too
	 * large" (the server inherits this process's RLIMIT_FSIZE). */
	static const int known[] = {ENOENT, EACCES, EINVAL, EISDIR,  EROFS,
				    ENOSPC, EPERM,  EBUSY,  ENOTSUP, EFBIG};
	const char *last = NULL;
	int found = fallback;
	for (size_t i = 0; text && i < sizeof(known) / sizeof(known[0]); i++) {
		char ebuf[128];
		const char *e = strerror_r(known[i], ebuf, sizeof(ebuf));
		/* The last one named: a later line says what finally failed. */
		for (const char *at = strstr(text, e); at; at = strstr(at + 1, e))
			if (!last || at > last) {
				last = at;
				found = known[i];
			}
	}
	return found;
}
