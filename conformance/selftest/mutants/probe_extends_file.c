/* imago's alignment probe: read the first bytes and write them back, which
 * extends empty and short files (and is a write at open on every file). */
#include "mutant.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("OPEN-NOMOD-1 OPEN-NOMOD-3", "the probe at open writes back what it read");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (r || !o->writable)
		return r;
	size_t n = REF(req_align(*out));
	int fd = open(o->path, O_RDWR | (o->direct ? O_DIRECT : 0) | O_CLOEXEC);
	void *buf;
	if (fd < 0 || posix_memalign(&buf, 4096, n < 4096 ? 4096 : n)) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	memset(buf, 0, n);
	if (pread(fd, buf, n, 0) >= 0 && pwrite(fd, buf, n, 0) < 0)
		n = 0;
	free(buf);
	close(fd);
	return r;
}
