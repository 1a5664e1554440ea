/* SPDX-License-Identifier: MIT */
/* message.c - the thread-local error message: the only mutable global state.
 * Compiled into librefstor and into ports/nbd's peers (message.h). */
#pragma GCC visibility push(default)
#include "refstor.h"
#pragma GCC visibility pop
#include "message.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { RS_MSG_MAX = 1024 };

static _Thread_local char rs_msg[RS_MSG_MAX];

/* A cut at text[at] must not split a UTF-8 sequence: back off (ahead, for
 * the start of a kept tail) over continuation bytes. */
static size_t rs_utf8_back(const char *text, size_t at, size_t lo)
{
	while (at > lo && ((unsigned char)text[at] & 0xc0) == 0x80)
		at--;
	return at;
}

static size_t rs_utf8_ahead(const char *text, size_t at, size_t hi)
{
	while (at < hi && ((unsigned char)text[at] & 0xc0) == 0x80)
		at++;
	return at;
}

/* rs_msg = full[0, n) with its middle section [from, to) replaced by "..."
 * and then suffix appended: what a message too long for the buffer becomes.
 * The caller chose [from, to) so that the result fits. */
static void rs_put_elided(const char *full, size_t n, size_t from, size_t to, const char *suffix)
{
	from = rs_utf8_back(full, from, 0);
	to = rs_utf8_ahead(full, to, n);
	snprintf(rs_msg, sizeof(rs_msg), "%.*s...%s%s", (int)from, full, full + to, suffix);
}

/*
 * Make full (n bytes) + suffix fit the buffer by cutting bytes out of its
 * middle, never the suffix (the errno's text): out of the path where the
 * message names one (its head and tail stay, so that both the directory and
 * the file name can still be recognised), else out of the middle of the
 * message (the operation at its start and the reason at its end stay).
 */
static void rs_put_shortened(const char *full, size_t n, const char *path, const char *suffix)
{
	size_t room = sizeof(rs_msg) - 1 - strlen(suffix) - 3; /* 3: "..." */
	size_t excess = n - room;                              /* n > room here */
	const char *at = path && path[0] ? strstr(full, path) : NULL;
	size_t plen = at ? strlen(path) : 0;
	if (at && plen > excess + 16) {
		size_t keep = plen - excess;
		size_t from = (size_t)(at - full) + keep - keep / 2;
		rs_put_elided(full, n, from, from + excess, suffix);
		return;
	}
	size_t head = room / 4; /* the operation; the rest of the room is the reason's */
	rs_put_elided(full, n, head, head + excess, suffix);
}

/* Format the message; with_errno appends ": strerror(err)".  A message that
 * does not fit the buffer gives up bytes of path (see rs_put_shortened), never
 * the reason or the errno's text. */
static void rs_vset(int err, bool with_errno, const char *path, const char *fmt, va_list ap)
{
	char ebuf[128], suffix[160] = "";
	if (with_errno) {
		/* strerror_r (GNU variant) is thread-safe, strerror is not. */
		const char *e = strerror_r(err, ebuf, sizeof(ebuf));
		snprintf(suffix, sizeof(suffix), ": %s", e);
	}
	va_list again;
	va_copy(again, ap);
	int n = vsnprintf(rs_msg, sizeof(rs_msg), fmt, ap);
	size_t slen = strlen(suffix);
	if (n < 0) {
		snprintf(rs_msg, sizeof(rs_msg), "(unformattable message)%s", suffix);
	} else if ((size_t)n + slen < sizeof(rs_msg)) {
		memcpy(rs_msg + n, suffix, slen + 1);
	} else {
		char *full = malloc((size_t)n + 1);
		if (full && vsnprintf(full, (size_t)n + 1, fmt, again) == n) {
			rs_put_shortened(full, (size_t)n, path, suffix);
		} else {
			/* Out of memory: keep the head that fitted, end with the reason. */
			size_t keep = sizeof(rs_msg) - 1 - slen - 3;
			keep = rs_utf8_back(rs_msg, keep, 0);
			snprintf(rs_msg + keep, sizeof(rs_msg) - keep, "...%s", suffix);
		}
		free(full);
	}
	va_end(again);
}

int rs_failf(int err, bool with_errno, const char *path, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rs_vset(err, with_errno, path, fmt, ap);
	va_end(ap);
	return -err;
}

const char *refstor_last_error(void)
{
	return rs_msg;
}
