/* The filename is kept in a fixed 32-byte field of the handle: longer paths
 * come back cut short. */
#include "mutant.h"

#include <stdio.h>

MUTANT("OPEN-NAME-1", "refstor_filename() truncates the path to 31 bytes");

const char *refstor_filename(const refstor *s)
{
	const char *name = REF(filename(s));
	if (!name)
		return NULL;
	char *field = (char *)mutant_state(s); /* 4 words: 32 bytes */
	snprintf(field, 4 * sizeof(uint64_t), "%s", name);
	return field;
}
