/* The profile option is accepted and ignored: under keep-length a tail
 * zeroing still cuts the file (imago's discard-by-truncate). */
#include "mutant.h"

MUTANT("PROFILE-KEEP-1", "the keep-length profile is accepted but tail zeroing still truncates");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (!o)
		return REF(open(o, out));
	struct refstor_open_opts imago = *o;
	imago.profile = REFSTOR_PROFILE_IMAGO;
	return REF(open(&imago, out));
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o)
		return REF(create(o, out));
	struct refstor_create_opts imago = *o;
	imago.open.profile = REFSTOR_PROFILE_IMAGO;
	return REF(create(&imago, out));
}
