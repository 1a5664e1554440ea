/* Reports an eighth of the direct-I/O alignment the storage needs. */
#include "mutant.h"

MUTANT("ALIGN-SAFE-1 ALIGN-SAFE-2", "req_align is an eighth of the truth");

size_t refstor_req_align(const refstor *s)
{
	size_t r = REF(req_align(s));
	return r > 8 ? r / 8 : r;
}
