/* Mutant: reports an eighth of the direct-I/O alignment it needs
 * (ALIGN-SAFE-1, ALIGN-SAFE-2). */
#include "mutant.h"

static int shrink(refstor **out, int r)
{
	if (!r && (*out)->direct && (*out)->req_align > 1)
		(*out)->req_align = (*out)->req_align / 8 ? (*out)->req_align / 8 : 1;
	return r;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	return shrink(out, rs_ref_open(o, out));
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	return shrink(out, rs_ref_create(o, out));
}

int refstor_from_fd(int fd, refstor **out)
{
	return shrink(out, rs_ref_from_fd(fd, out));
}
