/* SPDX-License-Identifier: MIT */
/* path.c - naming: describe() and resolve_relative_path(), whose formats are
 * naming.c's; here, the argument checks and the messages. */
#include "internal.h"
#include "naming.h"

#include <errno.h>

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	int r = rs_check_handle(s, "describe");
	if (r)
		return r;
	if (!buf && len)
		return rs_fail(EINVAL, "describe: NULL buffer of %zu bytes", len);
	size_t need = rs_naming_describe(s->filename, buf, len);
	if (need > len)
		return rs_fail(ERANGE, "describe: needs %zu bytes, buffer has %zu", need, len);
	return 0;
}

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	int r = rs_check_handle(s, "resolve_relative_path");
	if (r)
		return r;
	if (!rel || !out)
		return rs_fail(EINVAL, "resolve_relative_path: NULL %s",
			       rel ? "output pointer" : "path");
	const char *why;
	int e = rs_naming_resolve(s->filename, rel, out, &why);
	return e ? rs_fail(e, "resolve_relative_path %s: %s", rel, why) : 0;
}
