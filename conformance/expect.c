/* SPDX-License-Identifier: MIT */
/* expect.c - reading and matching expectation files (expect.h). */
#include "expect.h"

#include <errno.h>
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

struct rs_expect *rs_expect_match(struct rs_expects *e, enum rs_expect_kind kind,
				  const char *clauses, const char *backend, const char *mode)
{
	for (size_t i = 0; i < e->n; i++) {
		struct rs_expect *x = &e->v[i];
		if (x->kind != kind || fnmatch(x->backend, backend, 0) || fnmatch(x->mode, mode, 0))
			continue;
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", clauses);
		char *save;
		for (char *id = strtok_r(buf, " ,", &save); id; id = strtok_r(NULL, " ,", &save))
			if (!fnmatch(x->clause, id, 0)) {
				x->used++;
				return x;
			}
	}
	return NULL;
}

void rs_expect_free(struct rs_expects *e)
{
	free(e->v);
	e->v = NULL;
	e->n = 0;
}
