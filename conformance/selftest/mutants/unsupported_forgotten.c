/* "Unsupported" is not remembered: every zeroing call asks fallocate again. */
#include "mutant.h"

#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

MUTANT("ZERO-UNSUP-2 FAULT-NOTSUP-2", "every zeroing call tries fallocate again");

static void ask_again(refstor *s, uint64_t offset, uint64_t length)
{
	int fd = mutant_fd(s, O_RDWR);
	if (fd < 0)
		return;
	if (length && offset < REF(size(s)))
		(void)!fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset, 1);
	close(fd);
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(write_zeroes(s, offset, length));
	if (s)
		ask_again(s, offset, length);
	return r;
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(discard(s, offset, length));
	if (s)
		ask_again(s, offset, length);
	return r;
}
