/* A failed open says only strerror(): the message does not name the path. */
#include "mutant.h"

#include <string.h>

MUTANT("OPEN-ERRNO-1 OPEN-DIRECT-1", "open's messages do not name the path");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (r < 0 && o && o->path && o->path[0])
		return mutant_fail(-r, "open failed: %s", strerror(-r));
	return r;
}
