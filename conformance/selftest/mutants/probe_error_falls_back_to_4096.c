/* imago's probe: write back the bytes read; any error of that write other
 * than EINVAL (EFBIG under a file-size limit, ENOSPC) falls back to 4096 for
 * both alignments, even for a buffered handle.  (SIGXFSZ is ignored around
 * the probe, so the limit does not kill.) */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

MUTANT("OPEN-PROBE-1 OPEN-NOMOD-1 OPEN-NOMOD-3",
       "a probe write failing with EFBIG reports 4096-byte alignment");

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (r || !o->writable)
		return r;
	int fd = mutant_fd(*out, O_RDWR);
	if (fd < 0)
		return r;
	char buf[4096];
	ssize_t n = pread(fd, buf, sizeof(buf), 0);
	if (n > 0) {
		struct sigaction ign = {.sa_handler = SIG_IGN}, old;
		sigaction(SIGXFSZ, &ign, &old);
		ssize_t w = pwrite(fd, buf, (size_t)n, 0);
		int e = errno;
		sigaction(SIGXFSZ, &old, NULL);
		if (w < 0 && e != EINVAL)
			mutant_fake_align(*out, 4096);
	}
	close(fd);
	return r;
}
