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
const char *rs_expect_kind_name(enum rs_expect_kind kind);
void rs_expect_free(struct rs_expects *e);

#endif
