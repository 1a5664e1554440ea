/* flush was left unimplemented and says so with -ENOTSUP. */
#include "mutant.h"

#include <errno.h>

MUTANT("SYNC-1", "flush returns -ENOTSUP");

int refstor_flush(refstor *s)
{
	if (!s)
		return REF(flush(s));
	return mutant_fail(ENOTSUP, "flush: not supported");
}
