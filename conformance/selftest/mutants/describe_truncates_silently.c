/* describe into a small buffer truncates like snprintf and reports success. */
#include "mutant.h"

#include <errno.h>

MUTANT("DESC-2", "describe returns 0 when the buffer is too small");

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	int r = REF(describe(s, buf, len));
	return r == -ERANGE ? 0 : r;
}
