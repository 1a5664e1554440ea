/* Only EOPNOTSUPP means "unsupported": ENODEV, ENXIO and ENOTTY from
 * fallocate are passed on as they come. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <unistd.h>

MUTANT("FAULT-NOTSUP-1", "ENODEV, ENXIO and ENOTTY from fallocate are not -ENOTSUP");

/* Ask fallocate itself first, as the port does, and pass its errno on. */
static int raw_errno(refstor *s, int mode, uint64_t offset, uint64_t length)
{
	int fd = mutant_fd(s, O_RDWR);
	if (fd < 0)
		return 0;
	int r = fallocate(fd, mode, (off_t)offset, (off_t)length) ? errno : 0;
	close(fd);
	return r == EOPNOTSUPP ? 0 : r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(write_zeroes(s, offset, length));
	int e = r == -ENOTSUP && s ? raw_errno(s, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					       offset, length ? length : 1)
				   : 0;
	return e ? mutant_fail(e, "write_zeroes: fallocate: errno %d", e) : r;
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = REF(write_allocated_zeroes(s, offset, length));
	int e = r == -ENOTSUP && s ? raw_errno(s, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
					       offset, length ? length : 1)
				   : 0;
	return e ? mutant_fail(e, "write_allocated_zeroes: fallocate: errno %d", e) : r;
}
