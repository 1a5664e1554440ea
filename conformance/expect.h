/* SPDX-License-Identifier: MIT */
/*
 * expect.h - expectations: known failures, flakes and skips of a port on
 * some backends (refstor-check --expect FILE), as deqp-runner's baseline
 * and fstests' expunge lists.  One entry a line:
 *
 *   <clause-glob> <backend-glob> <mode-glob> fail|flake|skip  # reason, link
 *
 * The globs are fnmatch(3) patterns over a test's clause IDs, the backend's
 * name and the run's mode ("buffered", "direct", "buffered+keep-length").
 * Blank lines and lines starting with # are comments.
 */
#ifndef REFSTOR_CONF_EXPECT_H
#define REFSTOR_CONF_EXPECT_H

#include "report.h"

#include <stdbool.h>
#include <stddef.h>

enum rs_expect_kind {
	RS_EXPECT_FAIL,  /* fails: XFAIL, not a failure of the run */
	RS_EXPECT_FLAKE, /* may fail once, then pass when rerun: not a failure */
	RS_EXPECT_SKIP,  /* is not run: SKIP, with the entry's reason */
};

struct rs_expect {
	char clause[64], backend[64], mode[64];
	enum rs_expect_kind kind;
	char reason[256]; /* the comment after #, or "" */
	char where[300];  /* FILE:LINE, for what the report says of it */
	size_t used;      /* results it matched */
};

struct rs_expects {
	struct rs_expect *v;
	size_t n;
};

/* Append the entries of the file at path.  0, or -1 with err filled (which
 * line, what is wrong with it). */
int rs_expect_load(const char *path, struct rs_expects *e, char *err, size_t errlen);
/* The first entry of kind that matches one of the space-separated clause
 * IDs on backend and mode, counted as used; NULL if none. */
struct rs_expect *rs_expect_match(struct rs_expects *e, enum rs_expect_kind kind,
				  const char *clauses, const char *backend, const char *mode);
/*
 * What the entries make of a run's results, before they are judged: a FAIL
 * an entry expects becomes XFAIL; a FLAKE (failed, then passed when rerun:
 * main.c) stays FLAKE where a flake entry expects it, becomes XFAIL where a
 * fail entry does, and is a FAIL otherwise (a flake is a failure unless
 * expected).  Each changed result's message says which entry and why.  An
 * expected skip was never run (the runner): its SKIP names the entry.
 */
void rs_expect_apply(struct rs_expects *e, struct rs_result *r, size_t n);
/* One line for each entry nothing used ("expected fail but passed: remove
 * it?"), malloc'ed, *count of them. */
char **rs_expect_stale(const struct rs_expects *e, const struct rs_result *r, size_t n,
		       size_t *count);
/* The SKIP message of a test an entry keeps from running. */
void rs_expect_skip_message(const struct rs_expect *x, char *out, size_t len);
const char *rs_expect_kind_name(enum rs_expect_kind kind);
void rs_expect_free(struct rs_expects *e);

#endif
