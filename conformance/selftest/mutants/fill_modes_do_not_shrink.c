/* resize with ALLOCATE or WRITE_DATA only ever adds: a smaller size is
 * taken as "nothing to fill" and the file keeps its length. */
#include "mutant.h"

MUTANT("RESIZE-SHRINK-1", "shrinking with ALLOCATE or WRITE_DATA does nothing");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (s && (mode == REFSTOR_PREALLOC_ALLOCATE || mode == REFSTOR_PREALLOC_WRITE_DATA) &&
	    new_size < REF(size(s)))
		return 0;
	return REF(resize(s, new_size, mode));
}
