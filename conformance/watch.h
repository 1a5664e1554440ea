/* SPDX-License-Identifier: MIT */
/*
 * watch.h - what a test process is doing, kept where its runner can read it
 * after the process is gone: the calls into the implementation in progress
 * ("killed by signal 11 in refstor_discard", "hung in refstor_writev after
 * 20 s"), whether the body got to its end, and what the hygiene audit found.
 *
 * One small file per test in the run's state directory (REFSTOR_CONF_STATE),
 * mapped shared: the test process writes plain memory, no system call per
 * call, and the page outlives a crash.
 */
#ifndef REFSTOR_CONF_WATCH_H
#define REFSTOR_CONF_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Threads calling the implementation at once (the CONC tests): each has a
 * slot of its own, so nothing is written by two threads. */
enum { RS_WATCH_SLOTS = 16, RS_WATCH_TEXT = 1024 };

struct rs_watch_slot {
	char call[48];    /* "refstor_writev"; "" between calls */
	int64_t since_ns; /* CLOCK_MONOTONIC when it began */
};

struct rs_watch {
	/* The process that records here; 0: any.  A child the test forks
	 * (to survive a call that blocks) shares the page but must not leave
	 * its calls in it when it is killed. */
	int32_t owner;
	struct rs_watch_slot slot[RS_WATCH_SLOTS];
	uint32_t finished;         /* the body got to its end */
	char fds[RS_WATCH_TEXT];   /* HYGIENE-FD-1: what was left open, "" if nothing */
	char files[RS_WATCH_TEXT]; /* HYGIENE-FILES-1: what was left behind */
};

/* The test process: create and map suite/name's record in dir.  NULL (and
 * nothing recorded) when dir is NULL or the file cannot be made. */
struct rs_watch *rs_watch_open(const char *dir, const char *suite, const char *name);
/* Mark a call as begun on this thread; returns the slot for rs_watch_leave.
 * w may be NULL. */
int rs_watch_enter(struct rs_watch *w, const char *call);
void rs_watch_leave(struct rs_watch *w, int slot);

/* The runner: read suite/name's record; false if the process made none. */
bool rs_watch_read(const char *dir, const char *suite, const char *name, struct rs_watch *out);
/* The call in progress longest ("refstor_writev"), and for how long; false
 * when no call was in progress. */
bool rs_watch_oldest(const struct rs_watch *w, char *call, size_t len, double *seconds);

/* Watch w from a thread of its own (fsx, the fuzzer: a process that cannot
 * be timed out from outside per call): once a call has been in progress for
 * more than limit seconds, hung(call, limit) runs there.  It must not return
 * (a hung call cannot be unwound): report and end the process.  0, or
 * -errno. */
int rs_watchdog_start(struct rs_watch *w, double limit,
		      void (*hung)(const char *call, double limit));

#endif
