/* refstor_open calls a function no library defines.  A shared object may
 * link with undefined symbols (CMakeLists.txt makes sure of it, whatever the
 * flags), so the hole shows only at load time: dlopen(RTLD_NOW), as the suite
 * loads ports, fails with "undefined symbol: refstor_broken_no_such_function",
 * the way a port built against a newer or different library would. */
#include "mutant.h"

extern int refstor_broken_no_such_function(void);

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = refstor_broken_no_such_function();
	return r ? r : REF(open(o, out));
}
