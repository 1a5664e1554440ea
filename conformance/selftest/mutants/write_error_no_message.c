/* A write the kernel refuses returns its errno but leaves no message: the
 * caller sees whatever the last failing call said. */
#include "mutant.h"

#include <stdio.h>

MUTANT("ERR-RET-1 OPEN-RO-1", "failed writes leave the previous message in refstor_last_error()");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	char before[1024];
	snprintf(before, sizeof(before), "%s", refstor_last_error());
	int r = REF(writev(s, iov, iovcnt, offset));
	return r < 0 ? mutant_fail(-r, "%s", before) : r;
}
