/* discard passes -ENOTSUP on instead of succeeding as a no-op. */
#include "mutant.h"

MUTANT("ZERO-UNSUP-1 FAULT-NOTSUP-1", "discard returns -ENOTSUP where holes cannot be punched");

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return REF(write_zeroes(s, offset, length));
}
