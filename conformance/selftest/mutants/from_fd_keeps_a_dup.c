/* from_fd adopts a dup of the descriptor (to set FD_CLOEXEC): close closes
 * the dup, and the caller's descriptor leaks. */
#include "mutant.h"

#include <fcntl.h>
#include <unistd.h>

MUTANT("FROMFD-1", "close leaves the adopted descriptor open");

int refstor_from_fd(int fd, refstor **out)
{
	if (fd < 0)
		return REF(from_fd(fd, out));
	int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return REF(from_fd(fd, out));
	int r = REF(from_fd(dup, out));
	if (r < 0)
		close(dup);
	return r;
}
