/* from_fd adopts a writable O_APPEND descriptor, as the original adopts any
 * File: every positioned write through it then lands at the end of the file
 * and reports success.  (The reference refuses it: O_APPEND is taken off for
 * the reference's check and put back after, on the handle's descriptor.) */
#include "mutant.h"

#include <fcntl.h>

MUTANT("FROMFD-3", "adopts a writable O_APPEND descriptor");

int refstor_from_fd(int fd, refstor **out)
{
	int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (fl < 0 || !(fl & O_APPEND))
		return REF(from_fd(fd, out));
	fcntl(fd, F_SETFL, fl & ~O_APPEND);
	int r = REF(from_fd(fd, out));
	fcntl(fd, F_SETFL, fl);
	return r;
}
