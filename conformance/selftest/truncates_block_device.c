/* Mutant: imago's tail discard on a block device: ftruncate, which fails
 * there (DEV-TRUNC-1). */
#include "mutant.h"

#include <errno.h>
#include <unistd.h>

static int tail(refstor *s, uint64_t offset)
{
	if (ftruncate(s->fd, (off_t)offset))
		return rs_fail_errno(errno, "truncate");
	return 0;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	if (s && s->kind == RS_BLOCK && length && offset < s->size && offset + length >= s->size)
		return tail(s, offset);
	return rs_ref_write_zeroes(s, offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	if (s && s->kind == RS_BLOCK && length && offset < s->size && offset + length >= s->size)
		return tail(s, offset);
	return rs_ref_discard(s, offset, length);
}
