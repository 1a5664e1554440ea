/* SPDX-License-Identifier: MIT */
/*
 * error.c - the thread-local error message (the only mutable global state of
 * the peers), and the errno of a failure that happened in libnbd or in the
 * server.
 */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RN_MSG_MAX = 2048 };

static _Thread_local char rn_msg[RN_MSG_MAX];

/* A cut must not split a UTF-8 sequence: move it over continuation bytes. */
static size_t rn_utf8_back(const char *text, size_t at)
{
	while (at > 0 && ((unsigned char)text[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t rn_utf8_ahead(const char *text, size_t at, size_t hi)
{
	while (at < hi && ((unsigned char)text[at] & 0xc0) == 0x80)
		at++;
	return at;
}

/*
 * full (n bytes) + suffix does not fit: cut `excess` bytes out of the middle
 * of path where the message names it (its head and tail stay, so that both
 * the directory and the file name can still be recognised), else out of the
 * message's middle (the operation at its start and the reason at its end
 * stay).  The suffix, the errno's text, is never cut: ERR-MSG-LONG-1.
 */
static void rn_put_shortened(const char *full, size_t n, const char *path, const char *suffix)
{
	size_t room = sizeof(rn_msg) - 1 - strlen(suffix) - 3; /* 3: "..." */
	size_t excess = n - room;
	const char *at = path && path[0] ? strstr(full, path) : NULL;
	size_t plen = at ? strlen(path) : 0;
	size_t from = room / 4;
	if (at && plen > excess + 16) {
		size_t keep = plen - excess;
		from = (size_t)(at - full) + keep - keep / 2;
	}
	size_t to = rn_utf8_ahead(full, from + excess, n);
	from = rn_utf8_back(full, from);
	snprintf(rn_msg, sizeof(rn_msg), "%.*s...%s%s", (int)from, full, full + to, suffix);
}

static void rn_vset(int err, bool with_errno, const char *path, const char *fmt, va_list ap)
{
	char ebuf[128], suffix[160] = "";
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(rn_msg, sizeof(rn_msg), fmt, ap);
	if (with_errno) {
		/* strerror_r (GNU variant) is thread-safe, strerror is not. */
		const char *e = strerror_r(err, ebuf, sizeof(ebuf));
		/* libnbd's and the servers' messages often end in the errno's
		 * text already: saying it twice says nothing more. */
		if (n < 0 || (size_t)n >= sizeof(rn_msg) || !strstr(rn_msg, e))
			snprintf(suffix, sizeof(suffix), ": %s", e);
	}
	size_t slen = strlen(suffix);
	if (n < 0) {
		snprintf(rn_msg, sizeof(rn_msg), "(unformattable message)%s", suffix);
	} else if ((size_t)n + slen < sizeof(rn_msg)) {
		memcpy(rn_msg + n, suffix, slen + 1);
	} else {
		char *full = malloc((size_t)n + 1);
		if (full && vsnprintf(full, (size_t)n + 1, fmt, again) == n) {
			rn_put_shortened(full, (size_t)n, path, suffix);
		} else {
			/* Out of memory: keep the head that fitted, end with the reason. */
			size_t keep = rn_utf8_back(rn_msg, sizeof(rn_msg) - 1 - slen - 3);
			snprintf(rn_msg + keep, sizeof(rn_msg) - keep, "...%s", suffix);
		}
		free(full);
	}
	va_end(again);
}

int rn_failf(int err, bool with_errno, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rn_vset(err, with_errno, path, fmt, ap);
	va_end(ap);
	return -err;
}

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
	if (!s->nbd || !(nbd_aio_is_dead(s->nbd) || nbd_aio_is_closed(s->nbd)))
		return rn_failf(e, true, s->what, "%s %s%s: %s", op, s->what, detail ? detail : "",
				why ? why : "(libnbd gave no message)");
	if (e == EINVAL)
		e = EIO;
	char said[RN_TAIL_MAX + 16];
	rn_server_drain(&s->server);
	rn_server_said(&s->server, said, sizeof(said));
	return rn_failf(e, true, s->what, "%s %s%s: the connection to %s is gone (%s); it said: %s",
			op, s->what, detail ? detail : "", s->server.name,
			why ? why : "no message from libnbd", said[0] ? said : "(nothing)");
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

const char *refstor_last_error(void)
{
	return rn_msg;
}
