/* Mutant: discard passes -ENOTSUP on instead of succeeding (ZERO-DISCARD-1,
 * ZERO-UNSUP-1). */
#include "mutant.h"

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return refstor_write_zeroes(s, offset, length); /* the reference's, unconverted */
}
