/* A port that empties the file it overwrites first and only then turns on
 * O_DIRECT (as the reference once did): where the filesystem has no direct
 * I/O, the refused create has already destroyed the data. */
#include "mutant.h"

#include <fcntl.h>
#include <unistd.h>

MUTANT("OPEN-DIRECT-1", "create(overwrite) truncates before direct I/O is known to work");

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (o && o->overwrite && o->open.path) {
		int fd = open(o->open.path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		if (fd >= 0)
			close(fd);
	}
	return REF(create(o, out));
}
