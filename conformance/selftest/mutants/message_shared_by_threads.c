/* The error message lives in one process-wide buffer, not one per thread. */
#include "mutant.h"

#include <pthread.h>
#include <stdio.h>

MUTANT("ERR-TLS-1", "one message buffer shared by all threads");

static char shared[1024];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every failure copies its message into the shared buffer (shim.c passes
 * every result of the reference through here). */
int mutant_result(int r)
{
	if (r < 0) {
		pthread_mutex_lock(&shared_lock);
		snprintf(shared, sizeof(shared), "%s", ref()->last_error());
		pthread_mutex_unlock(&shared_lock);
	}
	return r;
}

const char *refstor_last_error(void)
{
	return shared;
}
