/* sync calls fsync once: an EINTR from it is passed on instead of retried. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

MUTANT("FAULT-EINTR-1", "EINTR from fsync is returned instead of retried");

int refstor_sync(refstor *s)
{
	int fd = s ? mutant_fd(s, O_RDONLY) : -1;
	if (fd < 0)
		return REF(sync(s));
	int r = fsync(fd), e = errno;
	close(fd);
	return r < 0 ? mutant_fail(e, "sync: fsync: %s", strerror(e)) : 0;
}
