/* The alignment probe on a block device writes back a buffer it never read
 * into: the first 4 KiB of the device become zeroes when it is opened
 * writable. */
#include "mutant.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("OPEN-NOMOD-2 OPEN-NOMOD-3",
       "the device probe writes a zeroed buffer over the first sector");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	struct stat st;
	if (r || !o->writable || stat(o->path, &st) || !S_ISBLK(st.st_mode))
		return r;
	int fd = mutant_fd(*out, O_RDWR);
	void *buf;
	if (fd < 0)
		return r;
	if (!posix_memalign(&buf, 4096, 4096)) {
		memset(buf, 0, 4096); /* the read went into another buffer */
		if (pwrite(fd, buf, 4096, 0) == 4096)
			(void)!fsync(fd);
		free(buf);
	}
	close(fd);
	return r;
}
