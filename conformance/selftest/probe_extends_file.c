/* Mutant: imago's alignment probe, which writes the bytes it read back and so
 * extends empty and short files (OPEN-NOMOD-1). */
#include "mutant.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_back_probe(refstor *s)
{
	if (!s->direct || !s->writable || s->kind != RS_REGULAR)
		return;
	void *buf;
	if (posix_memalign(&buf, s->mem_align > 4096 ? s->mem_align : 4096, s->req_align))
		return;
	memset(buf, 0, s->req_align);
	ssize_t n = pread(s->fd, buf, s->req_align, 0);
	if (n >= 0 && pwrite(s->fd, buf, s->req_align, 0) < 0)
		n = -1;
	free(buf);
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = rs_ref_open(o, out);
	if (!r)
		write_back_probe(*out);
	return r;
}
