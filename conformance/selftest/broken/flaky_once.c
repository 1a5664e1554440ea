/* A port with a flaky write: the first refstor_writev in a run fails with
 * EIO; every later one works.  "A run" is what REFSTOR_FLAKY_MARKER names:
 * the first writev creates that file, and fails only if it could create it.
 * So one test fails, and passes when run once more: a FLAKE, which is a
 * failure unless an --expect file says flake (ci/check-kit holds
 * refstor-check to both).  Without the variable it is the reference. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	const char *marker = getenv("REFSTOR_FLAKY_MARKER");
	int fd = marker ? open(marker, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600) : -1;
	if (fd >= 0) {
		close(fd);
		return -EIO;
	}
	return REF(writev(s, iov, iovcnt, offset));
}
