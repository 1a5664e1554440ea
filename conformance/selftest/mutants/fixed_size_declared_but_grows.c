/* Declares a fixed size (REFSTOR_LIMIT_FIXED_SIZE), which would make every
 * growth test "not applicable", yet grows the file like the reference: a
 * declared limit that does not hold would hide what it claims to refuse. */
#include "mutant.h"

MUTANT("LIMITS-1", "declares fixed-size, but writes past the end still grow the file");

uint64_t refstor_limits(void)
{
	return REFSTOR_LIMIT_FIXED_SIZE;
}
