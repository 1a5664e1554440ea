/* A constructor that calls abort(): it runs inside dlopen, before the loader
 * gets anything back, so loading the port kills the process that loads it.
 * Everything else is the reference (shim.c), so nothing but the constructor
 * can be what the runner reports. */
#include "mutant.h"

#include <stdlib.h>

__attribute__((constructor)) static void broken_ctor_abort(void)
{
	abort();
}
