/* refstor_flush blocks forever, having first set SIGINT, SIGTERM and SIGHUP
 * to be ignored: a port that only SIGKILL stops.  A runner that times a hung
 * test out with a polite signal, and waits for it to take, waits for ever. */
#include "mutant.h"

#include <signal.h>
#include <unistd.h>

int refstor_flush(refstor *s)
{
	(void)s;
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* An ignored signal does not even end pause(); the loop is for the
	 * ones with handlers. */
	for (;;)
		pause();
}
