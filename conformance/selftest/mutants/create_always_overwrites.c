/* create opens with O_CREAT | O_TRUNC whatever overwrite says. */
#include "mutant.h"

MUTANT("CREATE-EXCL-1", "create without overwrite truncates an existing file");

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o)
		return REF(create(o, out));
	struct refstor_create_opts c = *o;
	c.overwrite = true;
	return REF(create(&c, out));
}
