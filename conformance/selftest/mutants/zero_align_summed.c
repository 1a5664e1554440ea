/* zero_align/discard_align are req_align + granularity instead of the larger one. */
#include "mutant.h"

MUTANT("ALIGN-ZERO-1", "zero_align is req_align + granularity, not a power of two");

size_t refstor_zero_align(const refstor *s)
{
	return s ? REF(zero_align(s)) + REF(req_align(s)) : 0;
}

size_t refstor_discard_align(const refstor *s)
{
	return s ? REF(discard_align(s)) + REF(req_align(s)) : 0;
}
