/* SPDX-License-Identifier: MIT */
/* naming.c - see naming.h. */
#include "naming.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Append one character to buf[*n], keeping it NUL-terminated; *n counts what
 * would have been written, so the caller can tell truncation. */
static void rs_put(char *buf, size_t len, size_t *n, const char *text)
{
	for (; *text; text++, (*n)++)
		if (*n + 1 < len) {
			buf[*n] = *text;
			buf[*n + 1] = '\0';
		}
}

/* Quote like Rust's Debug for strings (imago prints the path that way):
 * backslash, quote and control characters escaped; other bytes as they are. */
static void rs_put_quoted(char *buf, size_t len, size_t *n, const char *s)
{
	rs_put(buf, len, n, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[16];
		switch (*p) {
		case '"':
			rs_put(buf, len, n, "\\\"");
			continue;
		case '\\':
			rs_put(buf, len, n, "\\\\");
			continue;
		case '\n':
			rs_put(buf, len, n, "\\n");
			continue;
		case '\r':
			rs_put(buf, len, n, "\\r");
			continue;
		case '\t':
			rs_put(buf, len, n, "\\t");
			continue;
		default:
			if (*p < 0x20 || *p == 0x7f)
				snprintf(esc, sizeof(esc), "\\u{%x}", *p);
			else
				snprintf(esc, sizeof(esc), "%c", *p);
			rs_put(buf, len, n, esc);
		}
	}
	rs_put(buf, len, n, "\"");
}

size_t rs_naming_describe(const char *filename, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	size_t n = 0;
	rs_put(buf, len, &n, "file:");
	if (filename)
		rs_put_quoted(buf, len, &n, filename);
	else
		rs_put(buf, len, &n, "<unknown path>");
	return n + 1;
}

int rs_naming_resolve(const char *filename, const char *rel, char **out, const char **why)
{
	*out = NULL;
	*why = "out of memory";
	if (rel[0] == '/') {
		*out = strdup(rel);
		return *out ? 0 : ENOMEM;
	}
	if (!filename) {
		*why = "cannot resolve a relative path without a filename";
		return EINVAL;
	}
	/* The parent as Rust's Path::parent() sees it: trailing slashes do not
	 * count, "img" has the empty parent, "/" has none, and separators and
	 * "." components at the end of the parent are dropped ("d/./img" has
	 * the parent "d"), except a leading "." ("./img" has the parent "."). */
	const char *f = filename;
	size_t end = strlen(f);
	while (end > 1 && f[end - 1] == '/')
		end--;
	if (end == 1 && f[0] == '/') {
		*why = "base file name \"/\" has no parent";
		return EINVAL;
	}
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
		return ENOMEM;
	memcpy(p, f, dir);
	if (sep)
		p[dir] = '/';
	memcpy(p + dir + sep, rel, rl + 1);
	*out = p;
	return 0;
}
