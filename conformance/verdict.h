/* SPDX-License-Identifier: MIT */
/* verdict.h - one verdict for a set of results, and why. */
#ifndef REFSTOR_CONF_VERDICT_H
#define REFSTOR_CONF_VERDICT_H

#include "report.h"
#include "spec.h"

enum rs_verdict_code {
	RS_CONFORMANT = 0,     /* every MUST test passed somewhere, none failed anywhere */
	RS_NOT_CONFORMANT = 1, /* a MUST clause failed */
	RS_INCOMPLETE = 3,     /* none failed, but some checks never ran */
	/* None failed, everything else ran, but some tests did not apply: the
	 * implementation declares it lacks what they need (refstor_limits). */
	RS_CONFORMANT_EXCEPT = 4,
	/* Stopped by a signal before its end (exit status 128 + the signal);
	 * ci/conformance's ERROR (2: a setup error, nothing ran) has no
	 * results to judge and is written by the script itself. */
	RS_INTERRUPTED = 128,
};

struct rs_verdict {
	enum rs_verdict_code code;
	int signal;          /* RS_INTERRUPTED: by which */
	size_t must_failed;  /* MUST clauses with a failure */
	size_t must_clauses; /* MUST clauses in the spec */
	/* Results an --expect file excused (expect.h): XFAIL, and FLAKE (failed,
	 * then passed when rerun).  Neither fails the verdict; both are said. */
	size_t expected_failures, flakes;
	bool orphan_failed; /* a failed test names no clause of the spec */
	/* The declared limits that made tests not applicable, as the verdict
	 * line says them ("fixed-size, out-of-process"), and how many tests
	 * applied nowhere because of them. */
	char except[256];
	size_t not_applicable;
	/* Why: the failed MUST clauses first (where, which test, what), then
	 * what never ran; one line per reason. */
	char **why;
	size_t nwhy;
};

/* CONFORMANT, NOT CONFORMANT, INCOMPLETE, CONFORMANT except or INTERRUPTED
 * (the verdict line adds ": " and except to the last). */
const char *rs_verdict_name(enum rs_verdict_code code);
void rs_verdict_of(const struct rs_spec *spec, const struct rs_result *r, size_t n,
		   struct rs_verdict *v);
void rs_verdict_free(struct rs_verdict *v);
/* The run was stopped by signal sig: INTERRUPTED, whatever it found so far
 * (which stays in why). */
void rs_verdict_interrupted(struct rs_verdict *v, int sig);
/* The exit status that says the verdict: 0, 1, 3, 4 or 128 + the signal. */
int rs_verdict_exit_status(const struct rs_verdict *v);

#endif
