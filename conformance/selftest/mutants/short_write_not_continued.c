/* A write the kernel cut short (here at the file-size limit) is reported as a
 * success. */
#include "mutant.h"

#include <errno.h>

MUTANT("WRITE-PARTIAL-1", "a write that stopped short with EFBIG reports success");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	return r == -EFBIG ? 0 : r;
}
