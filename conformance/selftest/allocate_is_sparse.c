/* Mutant: resize(ALLOCATE) only truncates: nothing is allocated
 * (RESIZE-ALLOC-1, CREATE-SIZE-1 via the unit of allocation). */
#include "mutant.h"

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (mode == REFSTOR_PREALLOC_ALLOCATE)
		mode = REFSTOR_PREALLOC_NONE;
	return rs_ref_resize(s, new_size, mode);
}
