/* SPDX-License-Identifier: MIT */
/* spec.h - the clauses of docs/spec.md, as the list and the report need them. */
#ifndef REFSTOR_CONF_SPEC_H
#define REFSTOR_CONF_SPEC_H

#include <stdbool.h>
#include <stddef.h>

struct rs_clause {
	char id[48];      /* READ-EOF-1 */
	char level[8];    /* MUST or SHOULD */
	char applies[96]; /* "all backends", "block devices", ... */
	char profile[16]; /* the profile its applies line names ("imago"), or "" for both */
	char title[256];  /* the first sentence of the clause */
	/* Why the clause may demand it: "original: <imago function>", "FIX: <what
	 * the original does wrong>" or "ADD: <why>" (the clause's "Basis:" line). */
	char basis[512];
};

struct rs_spec {
	struct rs_clause *clauses;
	size_t n;
};

/* Clauses are headings "### ID · LEVEL · applies", the text below them their
 * body, with one line "Basis: ...".  Returns 0, or -1 with err filled. */
int rs_spec_load(const char *path, struct rs_spec *spec, char *err, size_t errlen);
const struct rs_clause *rs_spec_find(const struct rs_spec *spec, const char *id);
/* Does the clause name its basis the way the spec requires? */
bool rs_basis_ok(const struct rs_clause *c);
void rs_spec_free(struct rs_spec *spec);

/* Does the space-separated clause list contain a clause matching one of the
 * comma-separated globs? */
bool rs_clauses_match(const char *clauses, const char *globs);

/* Does every clause of the space-separated list match one of the globs? */
bool rs_clauses_all_match(const char *clauses, const char *globs);

/* The clauses of a profile other than profile (comma-separated IDs, as globs
 * for rs_clauses_all_match): a run of profile skips their tests.  0, or -1
 * when out is too small. */
int rs_spec_other_profiles(const struct rs_spec *spec, const char *profile, char *out, size_t len);

#endif
