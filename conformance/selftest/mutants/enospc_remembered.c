/* The handle remembers "no space left": after one write failed with ENOSPC,
 * every later write fails at once, even when space was freed since. */
#include "mutant.h"

#include <errno.h>

MUTANT("ENOSPC-2", "after ENOSPC the handle refuses every write");

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && mutant_state(s)[0])
		return mutant_fail(ENOSPC, "writev at offset %llu: the filesystem was full",
				   (unsigned long long)offset);
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r == -ENOSPC && s)
		mutant_state(s)[0] = 1;
	return r;
}
