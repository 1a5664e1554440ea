/* A handle without a filename resolves relative paths against the current
 * directory (an empty parent) instead of failing. */
#include "mutant.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

MUTANT("PATH-REL-2", "no filename: a relative path comes back unchanged");

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	int r = REF(resolve_relative_path(s, rel, out));
	if (r == -EINVAL && s && rel && out && !REF(filename(s))) {
		*out = strdup(rel);
		return *out ? 0 : mutant_fail(ENOMEM, "resolve_relative_path: out of memory");
	}
	return r;
}
