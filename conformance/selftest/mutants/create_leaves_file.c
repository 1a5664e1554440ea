/* A create whose initial resize fails leaves its file behind. */
#include "mutant.h"

#include <fcntl.h>
#include <unistd.h>

MUTANT("CREATE-UNDO-1", "a failed create leaves the file it made");

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o || !o->open.path || !o->open.path[0])
		return REF(create(o, out));
	/* Make the file first: the reference then thinks it was not its own. */
	int fd = open(o->open.path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return REF(create(o, out));
	close(fd);
	struct refstor_create_opts again = *o;
	again.overwrite = true;
	return REF(create(&again, out));
}
