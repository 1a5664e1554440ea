/* resize always calls ftruncate on a block device, so resizing to its own size fails. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("DEV-RESIZE-1", "resizing a block device to its own size fails (ftruncate)");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int fd = s ? mutant_fd(s, O_WRONLY) : -1;
	struct stat sb;
	if (fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode) && new_size <= INT64_MAX &&
	    ftruncate(fd, (off_t)new_size)) {
		int e = errno;
		close(fd);
		return mutant_fail(e, "resize to %llu: ftruncate: %s", (unsigned long long)new_size,
				   strerror(e));
	}
	if (fd >= 0)
		close(fd);
	return REF(resize(s, new_size, mode));
}
