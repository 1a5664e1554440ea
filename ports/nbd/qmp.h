/* SPDX-License-Identifier: MIT */
/*
 * qmp.h - the few QMP exchanges the qemu preset needs: the greeting and
 * capabilities negotiation, one command at a time and, with it, an event to
 * wait for (block_resize; block-export-del and its BLOCK_EXPORT_DELETED).
 * Not a JSON parser: qemu writes one object per line, with fixed spelling,
 * and we only ask "return or error, and which event".
 */
#ifndef RN_QMP_H
#define RN_QMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct rn_qmp {
	int fd; /* -1: no monitor (nbdkit) */
	size_t len;
	bool skipping; /* inside a line longer than buf: dropped */
	char buf[8192];
};

void rn_qmp_init(struct rn_qmp *q, int fd);
void rn_qmp_close(struct rn_qmp *q);
/* Read the greeting and leave capabilities negotiation mode. */
int rn_qmp_start(struct rn_qmp *q, int64_t deadline_ns, char *why, size_t len);
/*
 * Send cmd (one JSON object) and read up to its reply and, if event is not
 * NULL, that event too (it may come before or after the reply).  Returns 0
 * for a "return"; 1 for an "error", with its desc in why; a negative errno
 * when the monitor failed or the deadline (CLOCK_MONOTONIC ns) passed, with
 * why saying so.
 */
int rn_qmp_run(struct rn_qmp *q, const char *cmd, const char *event, int64_t deadline_ns, char *why,
	       size_t len);

#endif
