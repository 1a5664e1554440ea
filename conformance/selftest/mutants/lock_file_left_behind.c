/* A port that marks an image in use with a lock file beside it, and never
 * removes it: a file nobody asked for, in a directory nobody asked it to
 * change. */
#include "mutant.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("HYGIENE-FILES-1", "a writable open of a regular file makes <path>.lock and leaves it");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	struct stat st;
	if (!r && o->writable && !stat(o->path, &st) && S_ISREG(st.st_mode)) {
		char lock[4200];
		snprintf(lock, sizeof(lock), "%s.lock", o->path);
		int fd = open(lock, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			close(fd);
	}
	return r;
}
