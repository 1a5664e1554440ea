/* SPDX-License-Identifier: MIT */
/* path.c - naming: describe() and resolve_relative_path().  They depend only
 * on the path the handle was opened with, never on the server, so their
 * formats are the reference's own (ref/src/naming.c, compiled in); here, the
 * argument checks and the messages. */
#include "internal.h"
#include "naming.h"

#include <errno.h>

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	if (!s)
		return rs_fail(EINVAL, "describe: NULL handle");
	if (!buf && len)
		return rs_fail(EINVAL, "describe: NULL buffer of %zu bytes", len);
	size_t need = rs_naming_describe(s->filename, buf, len);
	if (need > len)
		return rs_fail(ERANGE, "describe: needs %zu bytes, buffer has %zu", need, len);
	return 0;
}

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	if (!s)
		return rs_fail(EINVAL, "resolve_relative_path: NULL handle");
	if (!rel || !out)
		return rs_fail(EINVAL, "resolve_relative_path: NULL %s",
			       rel ? "output pointer" : "path");
	const char *why;
	int e = rs_naming_resolve(s->filename, rel, out, &why);
	return e ? rs_fail(e, "resolve_relative_path %s: %s", rel, why) : 0;
}
