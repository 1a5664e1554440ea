/* A port that opens the image a second time (to probe it, say) and forgets
 * that descriptor: one leaked per open, for the life of the process. */
#include "mutant.h"

#include <fcntl.h>

MUTANT("HYGIENE-FD-1", "each open keeps a second descriptor on the image that close never "
		       "releases");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (!r && out && *out)
		(void)mutant_fd(*out, O_RDONLY | O_CLOEXEC);
	return r;
}
