/* *out is written only on success: a failed open leaves the caller's value. */
#include "mutant.h"

MUTANT("OPEN-PATH-1", "*out is left as it was when open or create fails");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	refstor *was = out ? *out : NULL;
	int r = REF(open(o, out));
	if (r < 0 && out)
		*out = was;
	return r;
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	refstor *was = out ? *out : NULL;
	int r = REF(create(o, out));
	if (r < 0 && out)
		*out = was;
	return r;
}

int refstor_from_fd(int fd, refstor **out)
{
	refstor *was = out ? *out : NULL;
	int r = REF(from_fd(fd, out));
	if (r < 0 && out)
		*out = was;
	return r;
}
