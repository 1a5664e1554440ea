/* O_DIRECT is added only to the read-write open flags: a read-only handle
 * asked to be direct is buffered. */
#include "mutant.h"

MUTANT("OPEN-DIRECT-2", "read-only handles are opened without O_DIRECT");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (!o || o->writable || !o->direct)
		return REF(open(o, out));
	struct refstor_open_opts ro = *o;
	ro.direct = false;
	return REF(open(&ro, out));
}
