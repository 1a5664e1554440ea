/* Mutant: a write past the end does not grow the handle's size (WRITE-GROW-1). */
#include "mutant.h"

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	uint64_t before = s ? atomic_load(&s->size) : 0;
	int r = rs_ref_writev(s, iov, iovcnt, offset);
	if (s)
		atomic_store(&s->size, before);
	return r;
}

int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {(void *)buf, len};
	return refstor_writev(s, &v, 1, offset);
}
