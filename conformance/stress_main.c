/* SPDX-License-Identifier: MIT */
/*
 * refstor-stress - the CONC-2 stress outside Criterion, so that it can run
 * under ThreadSanitizer:  refstor-stress [--impl SO] --target DIR
 * [--seconds N] [--direct].  Exit 0 when it held, 1 when not, 2 on setup.
 */
#include "backend.h"
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *impl_path = REFSTOR_REF_SO, *target = NULL;
	struct rs_stress st = {.seconds = 5};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc)
			impl_path = argv[++i];
		else if (!strcmp(argv[i], "--target") && i + 1 < argc)
			target = argv[++i];
		else if (!strcmp(argv[i], "--seconds") && i + 1 < argc)
			st.seconds = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--direct"))
			st.direct = true;
		else {
			fprintf(stderr,
				"usage: refstor-stress [--impl SO] --target DIR [--seconds N] "
				"[--direct]\n");
			return 2;
		}
	}
	if (!target) {
		fprintf(stderr, "refstor-stress: --target DIR is required\n");
		return 2;
	}
	/* What the filesystem can do, from the kernel itself. */
	struct rs_backend b;
	if (rs_backend_probe(&b, target, RS_PROBE_FALLOC)) {
		fprintf(stderr, "refstor-stress: probing %s: %s\n", target, b.why);
		return 2;
	}
	st.can_punch = b.punch.ok;
	st.can_falloc = b.allocate.ok;
	char err[1024], path[4096];
	struct rs_impl *impl = rs_impl_load(impl_path, err, sizeof(err));
	if (!impl) {
		fprintf(stderr, "refstor-stress: %s\n", err);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/stress.%d.img", target, (int)getpid());
	int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		fprintf(stderr, "refstor-stress: %s: %s\n", path, strerror(errno));
		rs_impl_unload(impl);
		return 2;
	}
	close(fd);
	st.impl = impl;
	st.path = path;
	int r = rs_stress_run(&st);
	unlink(path);
	printf("refstor-stress: %s: %lu ops by 8 threads in %us beside a resizing thread%s%s\n",
	       r ? "FAIL" : "PASS", st.ops, st.seconds, r ? ": " : "", r ? st.failure : "");
	rs_impl_unload(impl);
	return r ? 1 : 0;
}
