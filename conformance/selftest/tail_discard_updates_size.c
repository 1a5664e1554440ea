/* Mutant: discard-by-truncate also lowers the handle's size (ZERO-TRUNC-2). */
#include "mutant.h"

static int lower(refstor *s, uint64_t offset, uint64_t length, int r)
{
	if (!r && s && s->kind == RS_REGULAR && length && offset < atomic_load(&s->size) &&
	    offset + length >= atomic_load(&s->size))
		atomic_store(&s->size, offset);
	return r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return lower(s, offset, length, rs_ref_write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return lower(s, offset, length, rs_ref_discard(s, offset, length));
}
