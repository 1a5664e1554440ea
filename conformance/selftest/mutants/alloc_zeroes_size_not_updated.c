/* write_allocated_zeroes past the end grows the file but not the size. */
#include "mutant.h"

MUTANT("ALLOC-GROW-1", "allocated zeroes past the end leave refstor_size() behind");

/* state[0]: 1 while the port's size lags; state[1]: the port's size then. */
int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	uint64_t before = s ? refstor_size(s) : 0;
	int r = REF(write_allocated_zeroes(s, offset, length));
	if (!r && s && !mutant_state(s)[0] && REF(size(s)) > before) {
		mutant_state(s)[0] = 1;
		mutant_state(s)[1] = before;
	}
	return r;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return 0;
	uint64_t *st = mutant_state(s);
	return st[0] ? st[1] : REF(size(s));
}

/* Writes raise the port's size as far as they reach. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	int r = REF(writev(s, iov, iovcnt, offset));
	if (r || !s || !mutant_state(s)[0])
		return r;
	uint64_t end = offset;
	for (int i = 0; i < iovcnt; i++)
		end += iov[i].iov_len;
	uint64_t *st = mutant_state(s);
	if (end > offset && end > st[1])
		st[1] = end;
	return r;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = REF(resize(s, new_size, mode));
	if (!r && s)
		mutant_state(s)[0] = 0;
	return r;
}
