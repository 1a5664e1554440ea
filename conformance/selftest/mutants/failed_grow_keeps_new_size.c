/* A growing resize sets the handle's size first and does not put it back
 * when filling the new range fails: after ENOSPC the size is the requested
 * one while the file is not. */
#include "mutant.h"

#include <errno.h>
#include <stdint.h>

MUTANT("ENOSPC-3", "a growing resize that fails keeps the new size");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (!s)
		return REF(resize(s, new_size, mode));
	uint64_t cur = REF(size(s));
	int r = REF(resize(s, new_size, mode));
	if (!r)
		mutant_reset_size(s);
	else if (r != -EINVAL && r != -EBADF && new_size > cur && new_size <= INT64_MAX &&
		 (unsigned)mode <= REFSTOR_PREALLOC_WRITE_DATA)
		mutant_pin_size(s, new_size);
	return r;
}
