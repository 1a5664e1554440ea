/* The alignment probe writes an unnamed scratch file (O_TMPFILE) beside the
 * image instead of the image itself, but keeps imago's fallback: any error
 * of the probe write other than EINVAL (ENOSPC on a full filesystem) makes
 * both alignments 4096, even for a buffered handle. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("ENOSPC-5", "a probe write failing with ENOSPC reports 4096-byte alignment");

/* 1 when the probe falls back to 4096. */
static int probe(const char *path, bool direct)
{
	struct stat st;
	char dir[PATH_MAX];
	if (stat(path, &st) || !S_ISREG(st.st_mode) || strlen(path) >= sizeof(dir))
		return 0;
	strcpy(dir, path);
	int fd = open(dirname(dir), O_TMPFILE | O_RDWR | O_CLOEXEC | (direct ? O_DIRECT : 0), 0600);
	if (fd < 0)
		return 0; /* no scratch file: keep what the open found */
	void *buf;
	if (posix_memalign(&buf, 65536, 65536)) {
		close(fd);
		return 0;
	}
	memset(buf, 0, 65536);
	struct sigaction ign = {.sa_handler = SIG_IGN}, old;
	sigaction(SIGXFSZ, &ign, &old);
	int fallback = 0;
	for (size_t n = direct ? 512 : 1; n <= 65536; n *= 2) {
		ssize_t w = pwrite(fd, buf, n, 0);
		if (w >= 0)
			break;
		if (errno != EINVAL) {
			fallback = 1;
			break;
		}
	}
	sigaction(SIGXFSZ, &old, NULL);
	free(buf);
	close(fd);
	return fallback;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (!r && o && out && *out && o->path && probe(o->path, o->direct))
		mutant_fake_align(*out, 4096);
	return r;
}
