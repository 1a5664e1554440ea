/* SPDX-License-Identifier: MIT */
#include "spec.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void rs_trim(char *s)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* Copy field i (0-based) of a "a · b · c" heading into out. */
static void rs_field(const char *line, int i, char *out, size_t len)
{
	static const char sep[] = "\xc2\xb7"; /* U+00B7 middle dot, in UTF-8 */
	const char *p = line;
	for (int k = 0; k < i && p; k++) {
		p = strstr(p, sep);
		if (p)
			p += sizeof(sep) - 1;
	}
	out[0] = '\0';
	if (!p)
		return;
	while (*p == ' ')
		p++;
	const char *end = strstr(p, sep);
	size_t n = end ? (size_t)(end - p) : strlen(p);
	if (n >= len)
		n = len - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	rs_trim(out);
}

/* "profile NAME" on the applies line, into c->profile. */
static void rs_clause_profile(struct rs_clause *c)
{
	const char *p = strstr(c->applies, "profile ");
	c->profile[0] = '\0';
	if (p)
		sscanf(p + 8, "%15[a-z-]", c->profile);
}

int rs_spec_load(const char *path, struct rs_spec *spec, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot read the spec %s", path);
		return -1;
	}
	spec->clauses = NULL;
	spec->n = 0;
	size_t cap = 0;
	char line[1024];
	struct rs_clause *cur = NULL;
	while (fgets(line, sizeof(line), f)) {
		rs_trim(line);
		if (!strncmp(line, "### ", 4)) {
			if (spec->n == cap) {
				cap = cap ? 2 * cap : 64;
				spec->clauses =
				    realloc(spec->clauses, cap * sizeof(*spec->clauses));
			}
			cur = &spec->clauses[spec->n++];
			memset(cur, 0, sizeof(*cur));
			rs_field(line + 4, 0, cur->id, sizeof(cur->id));
			rs_field(line + 4, 1, cur->level, sizeof(cur->level));
			rs_field(line + 4, 2, cur->applies, sizeof(cur->applies));
			rs_clause_profile(cur);
			if (strcmp(cur->level, "MUST") && strcmp(cur->level, "SHOULD")) {
				snprintf(err, errlen,
					 "%s: clause %s: level must be MUST or SHOULD, not '%s'",
					 path, cur->id, cur->level);
				fclose(f);
				return -1;
			}
		} else if (!strncmp(line, "#", 1)) {
			cur = NULL;
		} else if (cur && !strncmp(line, "Basis: ", 7)) {
			snprintf(cur->basis, sizeof(cur->basis), "%.511s", line + 7);
		} else if (cur && !cur->title[0] && line[0]) {
			snprintf(cur->title, sizeof(cur->title), "%.255s", line);
		}
	}
	fclose(f);
	if (!spec->n) {
		snprintf(err, errlen, "%s has no clauses (### ID · LEVEL · applies)", path);
		return -1;
	}
	return 0;
}

const struct rs_clause *rs_spec_find(const struct rs_spec *spec, const char *id)
{
	for (size_t i = 0; i < spec->n; i++)
		if (!strcmp(spec->clauses[i].id, id))
			return &spec->clauses[i];
	return NULL;
}

bool rs_basis_ok(const struct rs_clause *c)
{
	static const char *const kinds[] = {"original: ", "FIX: ", "ADD: "};
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strncmp(c->basis, kinds[i], strlen(kinds[i])) && c->basis[strlen(kinds[i])])
			return true;
	return false;
}

void rs_spec_free(struct rs_spec *spec)
{
	free(spec->clauses);
	spec->clauses = NULL;
	spec->n = 0;
}

bool rs_clauses_match(const char *clauses, const char *globs)
{
	char buf[256], pat[1024];
	snprintf(pat, sizeof(pat), "%s", globs);
	for (char *gs, *glob = strtok_r(pat, ",", &gs); glob; glob = strtok_r(NULL, ",", &gs)) {
		snprintf(buf, sizeof(buf), "%s", clauses);
		for (char *save, *tok = strtok_r(buf, " ", &save); tok;
		     tok = strtok_r(NULL, " ", &save))
			if (!fnmatch(glob, tok, 0))
				return true;
	}
	return false;
}

int rs_spec_other_profiles(const struct rs_spec *spec, const char *profile, char *out, size_t len)
{
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < spec->n; i++) {
		const struct rs_clause *c = &spec->clauses[i];
		if (!c->profile[0] || !strcmp(c->profile, profile))
			continue;
		int n = snprintf(out + used, len - used, "%s%s", used ? "," : "", c->id);
		if (n < 0 || (size_t)n >= len - used)
			return -1;
		used += (size_t)n;
	}
	return 0;
}

bool rs_clauses_all_match(const char *clauses, const char *globs)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", clauses);
	bool any = false;
	for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!rs_clauses_match(tok, globs))
			return false;
		any = true;
	}
	return any;
}
