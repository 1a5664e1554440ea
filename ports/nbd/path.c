/* SPDX-License-Identifier: MIT */
/* path.c - naming: describe() and resolve_relative_path(), in the
 * reference's formats exactly (ref/src/path.c): they depend only on the
 * path the handle was opened with, never on the server. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append one character to buf[*n], keeping it NUL-terminated; *n counts what
 * would have been written, so the caller can tell truncation. */
static void rn_put(char *buf, size_t len, size_t *n, const char *text)
{
	for (; *text; text++, (*n)++)
		if (*n + 1 < len) {
			buf[*n] = *text;
			buf[*n + 1] = '\0';
		}
}

/* Quote like Rust's Debug for strings (imago prints the path that way):
 * backslash, quote and control characters escaped; other bytes as they are. */
static void rn_put_quoted(char *buf, size_t len, size_t *n, const char *s)
{
	rn_put(buf, len, n, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[16];
		switch (*p) {
		case '"':
			rn_put(buf, len, n, "\\\"");
			continue;
		case '\\':
			rn_put(buf, len, n, "\\\\");
			continue;
		case '\n':
			rn_put(buf, len, n, "\\n");
			continue;
		case '\r':
			rn_put(buf, len, n, "\\r");
			continue;
		case '\t':
			rn_put(buf, len, n, "\\t");
			continue;
		default:
			if (*p < 0x20 || *p == 0x7f)
				snprintf(esc, sizeof(esc), "\\u{%x}", *p);
			else
				snprintf(esc, sizeof(esc), "%c", *p);
			rn_put(buf, len, n, esc);
		}
	}
	rn_put(buf, len, n, "\"");
}

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	if (!s)
		return rn_fail(EINVAL, "describe: NULL handle");
	if (!buf && len)
		return rn_fail(EINVAL, "describe: NULL buffer of %zu bytes", len);
	if (len)
		buf[0] = '\0';
	size_t n = 0;
	rn_put(buf, len, &n, "file:");
	if (s->filename)
		rn_put_quoted(buf, len, &n, s->filename);
	else
		rn_put(buf, len, &n, "<unknown path>");
	if (n + 1 > len)
		return rn_fail(ERANGE, "describe: needs %zu bytes, buffer has %zu", n + 1, len);
	return 0;
}

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	if (!s)
		return rn_fail(EINVAL, "resolve_relative_path: NULL handle");
	if (!rel || !out)
		return rn_fail(EINVAL, "resolve_relative_path: NULL %s",
			       rel ? "output pointer" : "path");
	*out = NULL;
	if (rel[0] == '/') {
		*out = strdup(rel);
		return *out ? 0 : rn_fail(ENOMEM, "resolve_relative_path: out of memory");
	}
	if (!s->filename)
		return rn_fail(EINVAL,
			       "resolve_relative_path %s: cannot resolve a relative path "
			       "without a filename",
			       rel);

	/* The parent as Rust's Path::parent() sees it: trailing slashes do not
	 * count, "img" has the empty parent, "/" has none, and separators and
	 * "." components at the end of the parent are dropped ("d/./img" has
	 * the parent "d"), except a leading "." ("./img" has the parent "."). */
	const char *f = s->filename;
	size_t end = strlen(f);
	while (end > 1 && f[end - 1] == '/')
		end--;
	if (end == 1 && f[0] == '/')
		return rn_fail(EINVAL,
			       "resolve_relative_path %s: base file name \"/\" has no parent", rel);
	size_t dir = end;
	while (dir > 0 && f[dir - 1] != '/')
		dir--;
	for (;;) {
		while (dir > 1 && f[dir - 1] == '/')
			dir--;
		if (dir >= 2 && f[dir - 1] == '.' && f[dir - 2] == '/')
			dir--; /* "x/." -> "x/" */
		else
			break;
	}
	/* f[0, dir) is the parent: empty, "/", "." or a path without a
	 * trailing separator; the join adds one unless it is empty or "/". */
	bool sep = dir > 0 && !(dir == 1 && f[0] == '/');
	size_t rl = strlen(rel);
	char *p = malloc(dir + sep + rl + 1);
	if (!p)
		return rn_fail(ENOMEM, "resolve_relative_path: out of memory");
	memcpy(p, f, dir);
	if (sep)
		p[dir] = '/';
	memcpy(p + dir + sep, rel, rl + 1);
	*out = p;
	return 0;
}
