/* resolve_relative_path cuts the filename at its last '/' and appends
 * "/rel": repeated separators and "." components before the name are kept. */
#include "mutant.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

MUTANT("PATH-REL-1", "the parent is the filename up to its last '/', not Path::parent()");

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	const char *name = s ? REF(filename(s)) : NULL;
	if (!name || !rel || !out || rel[0] == '/')
		return REF(resolve_relative_path(s, rel, out));
	const char *slash = strrchr(name, '/');
	size_t dir = slash ? (size_t)(slash - name) : 0;
	size_t n = strlen(rel);
	char *r = malloc(dir + n + 2);
	if (!r)
		return mutant_fail(ENOMEM, "resolve_relative_path: out of memory");
	size_t k = 0;
	if (slash) {
		memcpy(r, name, dir);
		k = dir;
		r[k++] = '/';
	}
	memcpy(r + k, rel, n + 1);
	*out = r;
	return 0;
}
