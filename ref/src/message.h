/* SPDX-License-Identifier: MIT */
/*
 * message.h - the thread-local message of refstor_last_error() and the one
 * way to set it.  One copy: librefstor and ports/nbd's peers (which compile
 * message.c in) shorten and quote their messages alike.
 */
#ifndef REFSTOR_MESSAGE_H
#define REFSTOR_MESSAGE_H

#include <stdbool.h>

/*
 * Set the thread-local message; return -err (err > 0).  with_errno appends
 * ": strerror(err)".  A message that names path (through a %s of fmt) and
 * is too long for the buffer is shortened in the path (its middle becomes
 * "..."), never in the reason or the errno's text.
 */
int rs_failf(int err, bool with_errno, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define rs_fail(err, ...)                  rs_failf(err, false, NULL, __VA_ARGS__)
#define rs_fail_errno(err, ...)            rs_failf(err, true, NULL, __VA_ARGS__)
#define rs_fail_path(err, path, ...)       rs_failf(err, false, path, __VA_ARGS__)
#define rs_fail_path_errno(err, path, ...) rs_failf(err, true, path, __VA_ARGS__)

#endif
