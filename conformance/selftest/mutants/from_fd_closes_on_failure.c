/* from_fd consumes the descriptor as the original consumes its File: a
 * failed call closes it, and the caller's close is a double close. */
#include "mutant.h"

#include <unistd.h>

MUTANT("FROMFD-2", "a failed from_fd closes the caller's descriptor");

int refstor_from_fd(int fd, refstor **out)
{
	int r = REF(from_fd(fd, out));
	if (r < 0 && fd >= 0)
		close(fd);
	return r;
}
