/* Mutant: ENOTTY from an ioctl is passed on instead of becoming -ENOTSUP
 * (ERR-NOTSUP-1). */
#include "mutant.h"

#include <errno.h>
#include <sys/stat.h>

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = rs_ref_open(o, out);
	struct stat st;
	if (r == -ENOTSUP && o && o->path && !stat(o->path, &st) && S_ISCHR(st.st_mode))
		return -ENOTTY; /* what BLKGETSIZE64 said */
	return r;
}
