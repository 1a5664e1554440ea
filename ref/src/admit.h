/* SPDX-License-Identifier: MIT */
/*
 * admit.h - what open, create and from_fd check before a descriptor becomes
 * a handle: the options, the type of what a path names, an open(2) that
 * cannot block.  The ABI's obligations, the same for every implementation
 * that opens the file itself: librefstor and ports/nbd's peers (which
 * compile admit.c in) share them, messages included.
 */
#ifndef REFSTOR_ADMIT_H
#define REFSTOR_ADMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct refstor;
struct refstor_open_opts;
struct refstor_create_opts;

/* What kind of object the fd refers to decides size lookup, whether the
 * length can change and how zeroes are made. */
enum rs_kind { RS_REGULAR, RS_BLOCK, RS_CHAR };

/* Storage is a regular file, a block device or a character device (*kind);
 * a directory is refused with EISDIR, anything else with EINVAL (OPEN-TYPE-1).
 * 0, or the negative errno with the message set. */
int rs_check_type(mode_t m, const char *op, const char *what, enum rs_kind *kind);
/* rs_check_type of what path names, before it is opened at all; a path that
 * cannot be stat'ed is left to open(2) to report. */
int rs_check_path(const char *op, const char *path);
/* open(2) with O_NONBLOCK and O_CLOEXEC, retried over EINTR and a lease
 * break: a descriptor, or -1 with errno. */
int rs_open_nonblock(const char *path, int flags, mode_t mode);
/* A descriptor from rs_open_nonblock made ready: its type checked again,
 * O_NONBLOCK cleared, O_DIRECT set if direct. */
int rs_ready_fd(int fd, const char *op, const char *path, bool direct);
/* Everything open (create) checks of its arguments before it touches the
 * path's file: o and out not NULL (*out then NULL), a path, ABI 1.0's
 * options (a known profile, nothing in the reserved space), and for open
 * what the path names, for create the preallocation mode and the size.  0,
 * or the negative errno with the message set. */
int rs_admit_open(const struct refstor_open_opts *o, struct refstor **out);
int rs_admit_create(const struct refstor_create_opts *o, struct refstor **out);

#endif
