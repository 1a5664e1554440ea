/* The path is opened with a plain, blocking open(2) before anything looks at
 * what it names (as the original does): a read-only open of a FIFO without a
 * writer waits for one, for ever. */
#include "mutant.h"

#include <fcntl.h>
#include <unistd.h>

MUTANT("OPEN-TYPE-1", "open(2) of the path without O_NONBLOCK: a FIFO blocks the caller");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (o && o->path && o->path[0]) {
		int fd = open(o->path, (o->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	return REF(open(o, out));
}
