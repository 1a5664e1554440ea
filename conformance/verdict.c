/* SPDX-License-Identifier: MIT */
/*
 * verdict.c - the one verdict of a run.
 *
 * A check that did not run is never a pass: every test of a MUST clause must
 * have passed on at least one backend and mode, and failed on none.  A test
 * that never passed, because the implementation lacks a function it needs,
 * because it applied to no backend that came up, or because a backend could
 * not be brought up at all, makes the run INCOMPLETE, with the reason.  One
 * that never passed because the implementation declares it lacks what the
 * test needs (refstor_limits) is not applicable: said per limit, with its
 * clauses, and the best verdict is then "CONFORMANT except: <limits>".
 */
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rs_verdict_name(enum rs_verdict_code code)
{
	switch (code) {
	case RS_CONFORMANT:
		return "CONFORMANT";
	case RS_NOT_CONFORMANT:
		return "NOT CONFORMANT";
	case RS_INTERRUPTED:
		return "INTERRUPTED";
	case RS_CONFORMANT_EXCEPT:
		return "CONFORMANT except";
	default:
		return "INCOMPLETE";
	}
}

static bool rs_is(const struct rs_result *r, const char *status)
{
	return !strcmp(r->status, status);
}

/* Does the result concern a MUST clause of the spec?  Unknown clause IDs
 * count as MUST: a failure must not vanish because of a typo. */
static bool rs_concerns_must(const struct rs_spec *spec, const char *clauses)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", clauses);
	for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		const struct rs_clause *c = rs_spec_find(spec, id);
		if (!c || !strcmp(c->level, "MUST"))
			return true;
	}
	return false;
}

static void rs_why(struct rs_verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void rs_why(struct rs_verdict *v, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	for (size_t i = 0; i < v->nwhy; i++)
		if (!strcmp(v->why[i], line))
			return;
	v->why = realloc(v->why, (v->nwhy + 1) * sizeof(*v->why));
	v->why[v->nwhy++] = strdup(line);
}

/* What a NIMP or NA message names: "not implemented: WHAT (why)" -> "WHAT"
 * (refstor_x, or the keep-length profile); "not applicable: LIMIT (why)" ->
 * "LIMIT" (fixed-size). */
static void rs_skip_subject(const char *msg, char *out, size_t len)
{
	const char *p = msg;
	if (!strncmp(p, RS_NIMP_PREFIX, strlen(RS_NIMP_PREFIX)))
		p += strlen(RS_NIMP_PREFIX);
	else if (!strncmp(p, RS_NA_PREFIX, strlen(RS_NA_PREFIX)))
		p += strlen(RS_NA_PREFIX);
	const char *end = strstr(p, " (");
	size_t n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* The limits that made tests not applicable: per limit, how many tests and
 * which clauses (space-separated, each once). */
enum { RS_MAX_EXCEPTS = 8 };
struct rs_excepts {
	char limit[RS_MAX_EXCEPTS][128];
	char clauses[RS_MAX_EXCEPTS][768];
	size_t tests[RS_MAX_EXCEPTS];
	size_t n;
};

static void rs_except(struct rs_excepts *e, const char *limit, const char *clauses)
{
	size_t i = 0;
	while (i < e->n && strcmp(e->limit[i], limit))
		i++;
	if (i == e->n) {
		if (e->n == RS_MAX_EXCEPTS)
			i--; /* more limits than anyone defined: lump them into the last */
		else
			snprintf(e->limit[e->n++], sizeof(e->limit[0]), "%s", limit);
	}
	e->tests[i]++;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", clauses);
	for (char *save, *id = strtok_r(buf, " ", &save); id; id = strtok_r(NULL, " ", &save)) {
		if (rs_clauses_match(e->clauses[i], id))
			continue;
		size_t at = strlen(e->clauses[i]);
		snprintf(e->clauses[i] + at, sizeof(e->clauses[0]) - at, "%s%s", at ? " " : "", id);
	}
}

void rs_verdict_of(const struct rs_spec *spec, const struct rs_result *r, size_t n,
		   struct rs_verdict *v)
{
	memset(v, 0, sizeof(*v));
	struct rs_excepts excepts = {0};
	for (size_t i = 0; i < spec->n; i++) {
		const struct rs_clause *c = &spec->clauses[i];
		if (strcmp(c->level, "MUST"))
			continue;
		v->must_clauses++;
		bool failed = false, any = false;
		for (size_t k = 0; k < n; k++) {
			if (!rs_clauses_match(r[k].clauses, c->id))
				continue;
			any = true;
			if (rs_is(&r[k], "FAIL") && !failed)
				rs_why(v, "%s failed on %s (%s): %s: %.700s", c->id, r[k].backend,
				       r[k].mode, r[k].test, r[k].message);
			failed |= rs_is(&r[k], "FAIL");
		}
		v->must_failed += failed;
		if (!any)
			rs_why(v, "%s: no test of it was run (not selected)", c->id);
	}
	for (size_t k = 0; k < n; k++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", r[k].clauses);
		bool known = false;
		for (char *s, *id = strtok_r(buf, " ", &s); id; id = strtok_r(NULL, " ", &s))
			known |= rs_spec_find(spec, id) != NULL;
		v->orphan_failed |= !known && rs_is(&r[k], "FAIL");
	}

	/* Backends that never came up. */
	for (size_t k = 0; k < n; k++)
		if (rs_is(&r[k], "NORUN"))
			rs_why(v, "%s (%s) did not run: %s", r[k].backend, r[k].mode,
			       strncmp(r[k].message, RS_NORUN_PREFIX, strlen(RS_NORUN_PREFIX))
				   ? r[k].message
				   : r[k].message + strlen(RS_NORUN_PREFIX));
	/* Tests of MUST clauses that never passed anywhere. */
	for (size_t k = 0; k < n; k++) {
		if (!rs_concerns_must(spec, r[k].clauses))
			continue;
		bool first = true, passed = false, failed = false;
		const struct rs_result *nimp = NULL, *na = NULL, *skip = NULL;
		for (size_t j = 0; j < n; j++) {
			if (strcmp(r[j].test, r[k].test))
				continue;
			first &= j >= k;
			/* An expected failure ran, and is what the port is known
			 * to do: not a check that never ran. */
			passed |=
			    rs_is(&r[j], "PASS") || rs_is(&r[j], "XFAIL") || rs_is(&r[j], "FLAKE");
			failed |= rs_is(&r[j], "FAIL");
			if (rs_is(&r[j], "NIMP") && !nimp)
				nimp = &r[j];
			if (rs_is(&r[j], "NA") && !na)
				na = &r[j];
			if (rs_is(&r[j], "SKIP") && !skip)
				skip = &r[j];
		}
		if (!first || passed || failed)
			continue;
		if (nimp) {
			char fn[128];
			rs_skip_subject(nimp->message, fn, sizeof(fn));
			rs_why(v, "%s is not implemented: its tests did not run", fn);
		} else if (na) {
			char limit[128];
			rs_skip_subject(na->message, limit, sizeof(limit));
			rs_except(&excepts, limit, r[k].clauses);
			v->not_applicable++;
		} else if (skip) {
			rs_why(v, "%s [%s] ran nowhere: %s", r[k].test, r[k].clauses,
			       skip->message);
		}
	}
	for (size_t k = 0; k < n; k++) {
		v->expected_failures += rs_is(&r[k], "XFAIL");
		v->flakes += rs_is(&r[k], "FLAKE");
	}
	bool incomplete = v->nwhy > 0;
	/* Said whatever the verdict: a limit is never silent. */
	for (size_t i = 0; i < excepts.n; i++) {
		rs_why(v, "not applicable: %s (declared by the implementation): %zu tests of %s",
		       excepts.limit[i], excepts.tests[i], excepts.clauses[i]);
		size_t at = strlen(v->except);
		snprintf(v->except + at, sizeof(v->except) - at, "%s%s", at ? ", " : "",
			 excepts.limit[i]);
	}
	if (v->must_failed || v->orphan_failed)
		v->code = RS_NOT_CONFORMANT;
	else if (incomplete)
		v->code = RS_INCOMPLETE;
	else if (excepts.n)
		v->code = RS_CONFORMANT_EXCEPT;
	else
		v->code = RS_CONFORMANT;
}

void rs_verdict_interrupted(struct rs_verdict *v, int sig)
{
	v->code = RS_INTERRUPTED;
	v->signal = sig;
	rs_why(v,
	       "the run was interrupted by signal %d (%s) before its end: what it found so far is "
	       "above",
	       sig, strsignal(sig));
}

int rs_verdict_exit_status(const struct rs_verdict *v)
{
	return v->code == RS_INTERRUPTED ? 128 + v->signal : (int)v->code;
}

void rs_verdict_free(struct rs_verdict *v)
{
	for (size_t i = 0; i < v->nwhy; i++)
		free(v->why[i]);
	free(v->why);
	v->why = NULL;
	v->nwhy = 0;
}
