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
};

struct rs_verdict {
	enum rs_verdict_code code;
	size_t must_failed;  /* MUST clauses with a failure */
	size_t must_clauses; /* MUST clauses in the spec */
	/* Why it is incomplete: one line per reason, most telling first. */
	char **why;
	size_t nwhy;
};

/* CONFORMANT, NOT CONFORMANT or INCOMPLETE. */
const char *rs_verdict_name(enum rs_verdict_code code);
void rs_verdict_of(const struct rs_spec *spec, const struct rs_result *r, size_t n,
		   struct rs_verdict *v);
void rs_verdict_free(struct rs_verdict *v);

#endif
