/* Mutant: sync says yes and does nothing (FAULT-SYNC-1). */
#include "mutant.h"

#include <errno.h>

int refstor_sync(refstor *s)
{
	return s ? 0 : rs_fail(EINVAL, "sync: NULL handle");
}
