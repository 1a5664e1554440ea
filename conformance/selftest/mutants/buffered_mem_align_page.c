/* mem_align starts at the page size for every handle, buffered ones too. */
#include "mutant.h"

#include <unistd.h>

MUTANT("ALIGN-BUF-1 OPEN-PROBE-1 ENOSPC-5",
       "mem_align is at least the page size, also for a buffered handle");

size_t refstor_mem_align(const refstor *s)
{
	size_t m = REF(mem_align(s));
	long page = sysconf(_SC_PAGESIZE);
	return s && page > 0 && (size_t)page > m ? (size_t)page : m;
}
