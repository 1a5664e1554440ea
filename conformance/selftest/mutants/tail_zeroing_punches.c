/* No discard-by-truncate: a tail zeroing punches a hole up to the end instead. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("ZERO-TRUNC-1 ZERO-TRUNC-3", "a tail zeroing punches a hole instead of truncating");

/* 1 when it did the request (its result in *r), 0 to leave it to the reference. */
static int punch_tail(refstor *s, const char *op, uint64_t offset, uint64_t length, int *r)
{
	if (!s || !length || length > UINT64_MAX - offset || offset + length > INT64_MAX)
		return 0;
	uint64_t size = REF(size(s));
	if (offset >= size || offset + length < size)
		return 0;
	/* The reference's checks (read-only handle) first: nothing to zero. */
	if ((*r = REF(write_zeroes(s, offset, 0))))
		return 1;
	int fd = mutant_fd(s, O_RDWR);
	struct stat sb;
	if (fd < 0 || fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	*r = 0;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)offset,
		      (off_t)(size - offset))) {
		int e = errno;
		if (e == EOPNOTSUPP || e == ENODEV || e == ENXIO || e == ENOTTY)
			e = ENOTSUP;
		*r = mutant_fail(e, "%s at %llu: punch hole: %s", op, (unsigned long long)offset,
				 strerror(e));
	}
	close(fd);
	return 1;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r;
	return punch_tail(s, "write_zeroes", offset, length, &r)
		   ? r
		   : REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r;
	if (!punch_tail(s, "discard", offset, length, &r))
		return REF(discard(s, offset, length));
	return r == -ENOTSUP ? 0 : r;
}
