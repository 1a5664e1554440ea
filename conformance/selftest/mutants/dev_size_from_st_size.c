/* A block device's size is taken from fstat's st_size (0), not BLKGETSIZE64. */
#include "mutant.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("DEV-SIZE-1 OPEN-SIZE-1", "a block device's size is st_size (0)");

uint64_t refstor_size(const refstor *s)
{
	if (!s)
		return 0;
	int fd = mutant_fd(s, O_RDONLY);
	struct stat sb;
	bool blk = fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode);
	if (fd >= 0)
		close(fd);
	return blk ? (uint64_t)sb.st_size : REF(size(s));
}
