/* resize(ALLOCATE) only truncates: nothing is allocated. */
#include "mutant.h"

MUTANT("RESIZE-ALLOC-1", "ALLOCATE grows sparsely");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (mode == REFSTOR_PREALLOC_ALLOCATE)
		mode = REFSTOR_PREALLOC_NONE;
	return REF(resize(s, new_size, mode));
}
