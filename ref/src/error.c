/* SPDX-License-Identifier: MIT */
/* error.c - the thread-local error message: the only mutable global state. */
#include "internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

enum { RS_MSG_MAX = 1024 };

static _Thread_local char rs_msg[RS_MSG_MAX];

static void rs_vset(int err, bool with_errno, const char *fmt, va_list ap)
{
	int n = vsnprintf(rs_msg, sizeof(rs_msg), fmt, ap);
	if (with_errno && n >= 0 && (size_t)n < sizeof(rs_msg)) {
		char ebuf[128];
		/* strerror_r (GNU variant) is thread-safe, strerror is not. */
		const char *e = strerror_r(err, ebuf, sizeof(ebuf));
		snprintf(rs_msg + n, sizeof(rs_msg) - (size_t)n, ": %s", e);
	}
}

int rs_fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rs_vset(err, false, fmt, ap);
	va_end(ap);
	return -err;
}

int rs_fail_errno(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rs_vset(err, true, fmt, ap);
	va_end(ap);
	return -err;
}

int rs_map_unsupported(int err)
{
	switch (err) {
	case EOPNOTSUPP:
#if ENOTSUP != EOPNOTSUPP
	case ENOTSUP:
#endif
	case ENODEV:
	case ENXIO:
	case ENOTTY:
		return ENOTSUP;
	default:
		return err;
	}
}

const char *refstor_last_error(void)
{
	return rs_msg;
}
