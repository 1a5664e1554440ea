/* SPDX-License-Identifier: MIT */
/*
 * calls.h - the implementation as the tests see it: every function forwards
 * to the loaded one, and on the way records which call is in progress (for
 * the runner's crash and hang reports, watch.h) and which handles are open
 * (so that the hygiene audit can close what the test left and then see what
 * the implementation itself still holds).
 */
#ifndef REFSTOR_CONF_CALLS_H
#define REFSTOR_CONF_CALLS_H

#include "impl.h"
#include "watch.h"

/* A table like real, whose functions forward to real's and record into w
 * (which may be NULL).  A function real lacks stays NULL.  open and create
 * give every handle whose options leave the profile at 0 the run's profile p
 * (ci/conformance --profile), so a run holds every test to one profile.  One
 * per process: the table and the handle list are the test process's own. */
const struct rs_impl *rs_calls_wrap(const struct rs_impl *real, struct rs_watch *w,
				    enum refstor_profile p);
/* Close, through the implementation, every handle still open. */
void rs_calls_close_all(void);

#endif
