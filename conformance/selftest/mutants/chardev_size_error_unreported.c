/* Opening a character device passes BLKGETSIZE64's ENOTTY on raw, without a
 * message of its own. */
#include "mutant.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

MUTANT("ERR-NOTSUP-1", "a character device fails to open with -ENOTTY and no message");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	char before[1024];
	snprintf(before, sizeof(before), "%s", refstor_last_error());
	int r = REF(open(o, out));
	struct stat st;
	if (r < 0 && o && o->path && !stat(o->path, &st) && S_ISCHR(st.st_mode))
		return mutant_fail(ENOTTY, "%s", before);
	return r;
}
