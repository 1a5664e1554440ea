/* An unknown preallocation mode falls into the switch's default branch,
 * which truncates like NONE. */
#include "mutant.h"

MUTANT("RESIZE-BAD-1", "an unknown preallocation mode resizes like NONE");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if ((unsigned)mode > REFSTOR_PREALLOC_WRITE_DATA)
		mode = REFSTOR_PREALLOC_NONE;
	return REF(resize(s, new_size, mode));
}
