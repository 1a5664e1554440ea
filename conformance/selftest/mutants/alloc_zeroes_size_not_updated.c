/* write_allocated_zeroes past the end grows the file but not the size. */
#include "mutant.h"

MUTANT("ALLOC-GROW-1", "allocated zeroes past the end leave refstor_size() behind");

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	uint64_t before = s ? refstor_size(s) : 0;
	int r = REF(write_allocated_zeroes(s, offset, length));
	if (!r && s && !mutant_size_pinned(s) && REF(size(s)) > before)
		mutant_pin_size(s, before);
	return r;
}

/* Writes raise the port's size as far as they reach. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r || !s || !mutant_size_pinned(s))
		return r;
	uint64_t end = offset + mutant_iov_len(iov, iovcnt);
	if (end > offset)
		mutant_raise_size(s, end);
	return r;
}
