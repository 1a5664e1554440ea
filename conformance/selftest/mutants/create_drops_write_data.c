/* create's initial resize has no case for WRITE_DATA: the file stays empty. */
#include "mutant.h"

MUTANT("CREATE-SIZE-1", "create with WRITE_DATA ignores the size");

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o || o->prealloc != REFSTOR_PREALLOC_WRITE_DATA)
		return REF(create(o, out));
	struct refstor_create_opts c = *o;
	c.size = 0;
	return REF(create(&c, out));
}
