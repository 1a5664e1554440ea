/* A zeroing reaching a block device's end tries ftruncate there and fails. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("DEV-TRUNC-1", "a tail zeroing on a block device tries ftruncate and fails");

/* 1: the range reaches the end of a device, which was then "truncated". */
static int tail_truncate(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (!s || !length || length > UINT64_MAX - offset || offset >= REF(size(s)) ||
	    offset + length < REF(size(s)) || offset > INT64_MAX)
		return 0;
	int fd = mutant_fd(s, O_WRONLY);
	struct stat sb;
	int r = 0;
	if (fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode) && ftruncate(fd, (off_t)offset)) {
		int e = errno;
		r = mutant_fail(e, "%s at %llu: truncate: %s", op, (unsigned long long)offset,
				strerror(e));
	}
	if (fd >= 0)
		close(fd);
	return r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = tail_truncate(s, "write_zeroes", offset, length);
	return r ? r : REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = tail_truncate(s, "discard", offset, length);
	return r ? r : REF(discard(s, offset, length));
}
