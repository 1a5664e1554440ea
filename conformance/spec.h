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

/* The profile a clause is for: its applies line says "profile NAME" (NAME
 * into out).  For a space-separated list: true when every clause in it is
 * for one and the same profile; false when any is for both (or spec_path
 * cannot be read). */
bool rs_clauses_profile(const char *spec_path, const char *clauses, char *out, size_t len);

#endif
