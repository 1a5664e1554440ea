/* refstor_readv calls abort() (SIGABRT), as a failed assert() in a port
 * would.  refstor_read goes through readv here (shim.c), so it aborts too. */
#include "mutant.h"

#include <stdlib.h>

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	(void)s;
	(void)iov;
	(void)iovcnt;
	(void)offset;
	abort();
}
