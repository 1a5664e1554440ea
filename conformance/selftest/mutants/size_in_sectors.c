/* The size is kept in 512-byte sectors: a file whose length is not a multiple
 * of 512 reports its length rounded up. */
#include "mutant.h"

MUTANT("OPEN-SIZE-1", "refstor_size() rounds the length up to 512 bytes");

uint64_t refstor_size(const refstor *s)
{
	uint64_t size = REF(size(s));
	return (size + 511) / 512 * 512;
}
