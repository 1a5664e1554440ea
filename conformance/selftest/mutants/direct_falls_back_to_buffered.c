/* Where O_DIRECT is refused, open quietly retries without it. */
#include "mutant.h"

#include <errno.h>

MUTANT("OPEN-DIRECT-1", "a refused direct open falls back to a buffered handle");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (r == -EINVAL && o && o->path && o->direct) {
		struct refstor_open_opts buffered = *o;
		buffered.direct = false;
		int r2 = REF(open(&buffered, out));
		if (!r2)
			return 0;
	}
	return r;
}
