/* A growing resize sets the handle's size first and does not put it back
 * when filling the new range fails: after ENOSPC the size is the requested
 * one while the file is not. */
#include "mutant.h"

#include <errno.h>
#include <stdint.h>

MUTANT("ENOSPC-3", "a growing resize that fails keeps the new size");

/* state[0]: 1 while the port's size differs; state[1]: that size. */
int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (!s)
		return REF(resize(s, new_size, mode));
	uint64_t *st = mutant_state(s);
	uint64_t cur = REF(size(s));
	int r = REF(resize(s, new_size, mode));
	if (!r) {
		st[0] = 0;
	} else if (r != -EINVAL && r != -EBADF && new_size > cur && new_size <= INT64_MAX &&
		   (unsigned)mode <= REFSTOR_PREALLOC_WRITE_DATA) {
		st[1] = new_size;
		st[0] = 1;
	}
	return r;
}

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return REF(size(s));
	uint64_t *st = mutant_state(s);
	return st[0] ? st[1] : REF(size(s));
}
