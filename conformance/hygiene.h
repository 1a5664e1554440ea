/* SPDX-License-Identifier: MIT */
/*
 * hygiene.h - the audit after every test (HYGIENE-FD-1, HYGIENE-FILES-1):
 * once the test's own handles are closed, the implementation holds no
 * descriptor it did not hold before the test, and no file exists in the test
 * directory, or next to it on the target, that the test did not name.
 */
#ifndef REFSTOR_CONF_HYGIENE_H
#define REFSTOR_CONF_HYGIENE_H

#include <stdbool.h>
#include <stddef.h>

enum { RS_MAX_FDS = 1024 };
/* The descriptors this process has open (open[fd] for fd < RS_MAX_FDS), and
 * how many. */
int rs_fds_open(bool open[RS_MAX_FDS]);
/* Whether fd is open on target (a file under that directory, or the device
 * itself), with what it is open on in what ("" if /proc cannot say). */
bool rs_fd_on(int fd, const char *target, char *what, size_t len);

/* Before the body: the descriptors open now, and what the target holds.
 * test_dir is NULL on a device. */
void rs_hygiene_begin(const char *target, const char *test_dir);
/* A path the test itself named (t_file): it, and the directories on the way
 * to it, may exist at the end. */
void rs_hygiene_made(const char *path);
/* After the body and after every handle is closed: what is left, as one
 * line each ("" when nothing). */
void rs_hygiene_end(char *fds, size_t fds_len, char *files, size_t files_len);

#endif
