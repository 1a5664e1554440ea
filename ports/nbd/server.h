/* SPDX-License-Identifier: MIT */
/*
 * server.h - one server process per handle: started with the descriptors it
 * needs and no others, its stderr kept (the last 2 KiB) to quote when it
 * fails, and stopped so that nothing is left behind: no process, no zombie,
 * no descriptor.
 */
#ifndef RN_SERVER_H
#define RN_SERVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { RN_TAIL_MAX = 2048, RN_CHILD_FDS = 5 };

struct rn_server {
	const char *name; /* the program, for messages */
	pid_t pid;        /* 0: none */
	int pidfd;        /* -1 where pidfd_open is missing */
	int err_fd;       /* the read end of its stderr, non-blocking */
	/* What it said last.  Locked: threads failing at once drain it. */
	pthread_mutex_t tail_lock;
	char tail[RN_TAIL_MAX];
	size_t tail_len;
};

void rn_server_init(struct rn_server *srv);
/*
 * Start program (found on PATH) with argv.  fds[i] (i < RN_CHILD_FDS) is the
 * descriptor the server gets as its fd i, -1 for none, except fd 2, which is
 * always a pipe to us; every other descriptor is closed in it.  Returns 0, or
 * a negative errno with the message set ("<op> <what>: ...").
 */
int rn_server_start(struct rn_server *srv, const char *program, char *const argv[],
		    const int fds[RN_CHILD_FDS], const char *op, const char *what);
/* Read what the server wrote to stderr so far (never blocks). */
void rn_server_drain(struct rn_server *srv);
/* Read its stderr until it closes it (the server exited) or the deadline
 * (CLOCK_MONOTONIC ns) passes: what a server that failed to start said. */
void rn_server_collect(struct rn_server *srv, int64_t deadline_ns);
/* The last of what it said, on one line (newlines become " / "), or "" */
void rn_server_said(struct rn_server *srv, char *buf, size_t len);
/* SIGTERM, up to 2 s for it to exit, then SIGKILL; reap it and close our
 * ends.  Safe on a server never started.  Leaves srv as rn_server_init. */
void rn_server_stop(struct rn_server *srv);
void rn_server_destroy(struct rn_server *srv);

#endif
