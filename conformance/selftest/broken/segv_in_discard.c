/* refstor_discard stores through a NULL pointer: a real SIGSEGV, as from a
 * port that dereferences a handle field it never set. */
#include "mutant.h"

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	(void)s;
	(void)offset;
	(void)length;
	/* Volatile twice.  The pointer, so the compiler cannot know it is NULL:
	 * a plain *(int *)NULL is undefined behaviour it may drop, or (GCC's
	 * -fisolate-erroneous-paths-dereference) turn into a trap instruction,
	 * which is SIGILL, not the SIGSEGV this port is for.  The store, because
	 * GCC still sees that the pointer can only hold NULL, points nowhere,
	 * and drops a plain store through it as dead. */
	volatile int *volatile p = NULL;
	*p = 1;
	return 0;
}
