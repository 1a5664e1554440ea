/* refstor_open ends the whole process with exit(0): a port that treats a
 * condition it dislikes as the end of the program.  Status 0 is the nasty
 * part: a runner that trusts exit statuses would read it as a pass. */
#include "mutant.h"

#include <stdlib.h>

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	(void)o;
	(void)out;
	exit(0);
}
