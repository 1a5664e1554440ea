/* Mutant: "unsupported" is not remembered: every call asks fallocate again
 * (ZERO-UNSUP-2). */
#include "mutant.h"

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	if (s)
		atomic_store(&s->discard_unsupported, false);
	return rs_ref_write_zeroes(s, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	if (s)
		atomic_store(&s->discard_unsupported, false);
	return rs_ref_discard(s, offset, length);
}
