/* sync says yes and does nothing. */
#include "mutant.h"

#include <errno.h>

MUTANT("FAULT-SYNC-1", "sync does not call fsync");

int refstor_sync(refstor *s)
{
	return s ? 0 : mutant_fail(EINVAL, "sync: NULL handle");
}
