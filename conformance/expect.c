/* SPDX-License-Identifier: MIT */
/* expect.c - reading and matching expectation files (expect.h). */
#include "expect.h"

#include <errno.h>
#include <stdbool.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rs_kind_names[] = {"fail", "flake", "skip"};

const char *rs_expect_kind_name(enum rs_expect_kind kind)
{
	return rs_kind_names[kind];
}

static int rs_expect_bad(char *err, size_t errlen, const char *path, unsigned line,
			 const char *what)
{
	snprintf(err, errlen,
		 "%s:%u: %s (want: <clause-glob> <backend-glob> <mode-glob> "
		 "fail|flake|skip  # reason)",
		 path, line, what);
	return -1;
}

int rs_expect_load(const char *path, struct rs_expects *e, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char buf[1024];
	int r = 0;
	for (unsigned line = 1; r == 0 && fgets(buf, sizeof(buf), f); line++) {
		if (!strchr(buf, '\n') && !feof(f)) {
			r = rs_expect_bad(err, errlen, path, line, "line too long");
			break;
		}
		char *hash = strchr(buf, '#'), *reason = "";
		if (hash) {
			*hash = '\0';
			reason = hash + 1 + strspn(hash + 1, " \t");
			reason[strcspn(reason, "\r\n")] = '\0';
		}
		struct rs_expect x = {.used = 0};
		char kind[16], extra[2];
		int got = sscanf(buf, "%63s %63s %63s %15s %1s", x.clause, x.backend, x.mode, kind,
				 extra);
		if (got <= 0)
			continue; /* blank or a comment */
		if (got != 4) {
			r = rs_expect_bad(err, errlen, path, line,
					  got < 4 ? "too few fields" : "too many fields");
			break;
		}
		size_t k = 0;
		while (k < 3 && strcmp(kind, rs_kind_names[k]))
			k++;
		if (k == 3) {
			r = rs_expect_bad(err, errlen, path, line,
					  "the fourth field is not a kind");
			break;
		}
		x.kind = (enum rs_expect_kind)k;
		snprintf(x.reason, sizeof(x.reason), "%s", reason);
		snprintf(x.where, sizeof(x.where), "%s:%u", path, line);
		struct rs_expect *v = realloc(e->v, (e->n + 1) * sizeof(*v));
		if (!v) {
			snprintf(err, errlen, "%s: out of memory", path);
			r = -1;
			break;
		}
		e->v = v;
		e->v[e->n++] = x;
	}
	fclose(f);
	return r;
}

static bool rs_expect_matches(const struct rs_expect *x, const char *clauses, const char *backend,
			      const char *mode)
{
	if (fnmatch(x->backend, backend, 0) || fnmatch(x->mode, mode, 0))
		return false;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", clauses);
	char *save;
	for (char *id = strtok_r(buf, " ,", &save); id; id = strtok_r(NULL, " ,", &save))
		if (!fnmatch(x->clause, id, 0))
			return true;
	return false;
}

struct rs_expect *rs_expect_match(struct rs_expects *e, enum rs_expect_kind kind,
				  const char *clauses, const char *backend, const char *mode)
{
	for (size_t i = 0; i < e->n; i++)
		if (e->v[i].kind == kind && rs_expect_matches(&e->v[i], clauses, backend, mode)) {
			e->v[i].used++;
			return &e->v[i];
		}
	return NULL;
}

void rs_expect_skip_message(const struct rs_expect *x, char *out, size_t len)
{
	snprintf(out, len, "expected skip (%s%s%s)", x->where, x->reason[0] ? ": " : "", x->reason);
}

/* r becomes status, its message "WHAT (FILE:LINE: reason): the old one". */
static void rs_expect_set(struct rs_result *r, const char *status, const char *what,
			  const struct rs_expect *x)
{
	char msg[RS_MESSAGE_MAX];
	snprintf(msg, sizeof(msg), "%s (%s%s%s): %.3400s", what, x->where, x->reason[0] ? ": " : "",
		 x->reason, r->message);
	memcpy(r->message, msg, sizeof(msg));
	snprintf(r->status, sizeof(r->status), "%s", status);
}

void rs_expect_apply(struct rs_expects *e, struct rs_result *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *c = r[i].clauses, *b = r[i].backend, *m = r[i].mode;
		struct rs_expect *x;
		if (!strcmp(r[i].status, "FAIL")) {
			if ((x = rs_expect_match(e, RS_EXPECT_FAIL, c, b, m)))
				rs_expect_set(&r[i], "XFAIL", "expected failure", x);
			else if ((x = rs_expect_match(e, RS_EXPECT_FLAKE, c, b, m)))
				rs_expect_set(&r[i], "FAIL",
					      "expected to flake, but failed again "
					      "when rerun",
					      x);
		} else if (!strcmp(r[i].status, "FLAKE")) {
			if ((x = rs_expect_match(e, RS_EXPECT_FLAKE, c, b, m)))
				rs_expect_set(&r[i], "FLAKE", "expected flake", x);
			else if ((x = rs_expect_match(e, RS_EXPECT_FAIL, c, b, m)))
				rs_expect_set(&r[i], "XFAIL", "expected failure", x);
			else
				snprintf(r[i].status, sizeof(r[i].status), "FAIL");
		} else if (!strcmp(r[i].status, "SKIP")) {
			for (size_t k = 0; k < e->n; k++) {
				char msg[600];
				rs_expect_skip_message(&e->v[k], msg, sizeof(msg));
				if (e->v[k].kind == RS_EXPECT_SKIP && !strcmp(msg, r[i].message))
					e->v[k].used++;
			}
		}
	}
}

char **rs_expect_stale(const struct rs_expects *e, const struct rs_result *r, size_t n,
		       size_t *count)
{
	char **lines = calloc(e->n + 1, sizeof(*lines));
	*count = 0;
	for (size_t i = 0; lines && i < e->n; i++) {
		const struct rs_expect *x = &e->v[i];
		if (x->used)
			continue;
		size_t ran = 0, passed = 0;
		for (size_t k = 0; k < n; k++)
			if (rs_expect_matches(x, r[k].clauses, r[k].backend, r[k].mode)) {
				ran += strcmp(r[k].status, "SKIP") &&
				       strcmp(r[k].status, "NORUN") && strcmp(r[k].status, "NIMP");
				passed += !strcmp(r[k].status, "PASS");
			}
		const char *what = !ran && x->kind != RS_EXPECT_SKIP ? "no test it names ran here"
				   : x->kind == RS_EXPECT_FAIL
				       ? (passed ? "expected fail but passed: remove it?"
						 : "expected fail, and nothing it names failed")
				   : x->kind == RS_EXPECT_FLAKE
				       ? "expected flake, and none flaked"
				       : "expected skip, and no test it names";
		if (asprintf(&lines[*count], "%s: %s %s %s %s: %s", x->where, x->clause, x->backend,
			     x->mode, rs_kind_names[x->kind], what) >= 0)
			++*count;
	}
	return lines;
}

void rs_expect_free(struct rs_expects *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}
