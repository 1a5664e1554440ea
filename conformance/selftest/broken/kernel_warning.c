/* A port that makes the kernel warn, as a driver bug or a bad ioctl would:
 * each open writes a WARNING into the kernel log (/dev/kmsg, which
 * needs root).  HEALTH-1 must fail the run for it.  Not one of broken/run's
 * ports: a warning in the kernel log is seen by every run going on at the
 * time, so conformance/selftest/health runs it alone. */
#include "mutant.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int refstor_open(const struct refstor_open_opts *opts, refstor **out)
{
	static const char warning[] =
	    "<4>WARNING: refstor self-test: a port that makes the kernel warn\n";
	int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, warning, strlen(warning)) < 0) {
			/* the health self-test then finds no warning, and says so */
		}
		close(fd);
	}
	return REF(open(opts, out));
}
