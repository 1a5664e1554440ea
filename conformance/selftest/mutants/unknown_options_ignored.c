/* Options a library does not know are ignored instead of refused: a caller
 * of a later 1.x gets 1.0's behaviour without a word. */
#include "mutant.h"

#include <string.h>

MUTANT("PROFILE-OPT-1", "non-zero reserved option fields are ignored, not refused");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (!o)
		return REF(open(o, out));
	struct refstor_open_opts known = *o;
	memset(known.reserved, 0, sizeof(known.reserved));
	return REF(open(&known, out));
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o)
		return REF(create(o, out));
	struct refstor_create_opts known = *o;
	memset(known.open.reserved, 0, sizeof(known.open.reserved));
	memset(known.reserved, 0, sizeof(known.reserved));
	return REF(create(&known, out));
}
