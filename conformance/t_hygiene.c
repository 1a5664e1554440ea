/* SPDX-License-Identifier: MIT */
/* HYGIENE: what a port leaves behind once its handles are closed.  The
 * runner also audits after every test (hygiene.h); these tests drive every
 * call, failures included, on purpose. */
#include "hygiene.h"
#include "suite.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Every call of the ABI the implementation has, on path, with the run's
 * geometry; what the calls return is other clauses' business. */
static void use_everything(const char *path)
{
	refstor *s = t_open(path, true);
	size_t u = t_unit(s), mem = impl->mem_align ? impl->mem_align(s) : 4096;
	char *b = t_alloc(mem, 2 * u);
	(void)t_write(s, b, u, 0);
	(void)t_read(s, b, 2 * u, impl->size(s));
	if (impl->write_zeroes)
		(void)impl->write_zeroes(s, 0, u);
	if (impl->write_allocated_zeroes)
		(void)impl->write_allocated_zeroes(s, u, u);
	if (impl->discard)
		(void)impl->discard(s, 0, u);
	if (impl->flush)
		(void)impl->flush(s);
	if (impl->sync)
		(void)impl->sync(s);
	if (impl->invalidate_cache)
		(void)impl->invalidate_cache(s);
	if (impl->resize && !rs_conf()->is_dev) {
		uint64_t size = impl->size(s);
		(void)impl->resize(s, size + 4 * u, REFSTOR_PREALLOC_WRITE_DATA);
		(void)impl->resize(s, size, REFSTOR_PREALLOC_NONE);
	}
	if (impl->describe) {
		char d[256];
		(void)impl->describe(s, d, sizeof(d));
	}
	if (impl->resolve_relative_path) {
		char *r = NULL;
		if (!impl->resolve_relative_path(s, "other", &r))
			free(r);
	}
	impl->close(s);
	impl->close(t_open(path, false));
	if (impl->from_fd) {
		int fd = open(path, O_RDWR | O_CLOEXEC | (rs_conf()->direct ? O_DIRECT : 0));
		cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
		refstor *f = NULL;
		if (!impl->from_fd(fd, &f) && f)
			impl->close(f);
		close(fd);
	}
}

/* Calls that fail, each for its own reason. */
static void fail_everything(const char *path)
{
	refstor *s = NULL;
	if (!t_try_open("/nonexistent/refstor-hygiene", true, &s) && s)
		impl->close(s);
	if (!rs_conf()->is_dev) {
		/* A directory, and create over an existing file. */
		if (!t_try_open(t_here(), true, &s) && s)
			impl->close(s);
		if (impl->create) {
			struct refstor_create_opts o = {
			    .open = {.path = path, .writable = true, .direct = rs_conf()->direct},
			    .size = 4096};
			if (!impl->create(&o, &s) && s)
				impl->close(s);
		}
	}
	if (impl->from_fd && !impl->from_fd(-1, &s) && s)
		impl->close(s);
}

/* Descriptors open in this process, and the first one on the target. */
static int count_fds(char *on_target, size_t len)
{
	bool open[RS_MAX_FDS];
	int n = rs_fds_open(open);
	on_target[0] = '\0';
	for (int fd = 0; fd < RS_MAX_FDS && !on_target[0]; fd++) {
		char what[PATH_MAX / 2];
		if (open[fd] && rs_fd_on(fd, rs_conf()->target, what, sizeof(what)))
			snprintf(on_target, len, "fd %d on %s", fd, what);
	}
	return n;
}

RS_CLAUSE_TEST(hygiene, open_use_close_leaves_no_descriptor, "HYGIENE-FD-1")
{
	const char *p = t_target(1 << 20, 31, NULL);
	char left[PATH_MAX + 64];
	/* The first round may set up what the implementation keeps for the
	 * process's life; after that the count must stay where it is. */
	use_everything(p);
	fail_everything(p);
	int first = count_fds(left, sizeof(left));
	cr_expect(!left[0],
		  "after opening, using and closing %s, the implementation still holds %s; on %s",
		  p, left, rs_where());
	for (int round = 0; round < 3; round++) {
		use_everything(p);
		fail_everything(p);
	}
	int later = count_fds(left, sizeof(left));
	cr_expect_eq(later, first,
		     "descriptors open: %d after one open-use-close round, %d after three more: "
		     "each round leaks %.1f; on %s",
		     first, later, (later - first) / 3.0, rs_where());
}

RS_CLAUSE_TEST(hygiene, open_use_close_leaves_no_file, "HYGIENE-FILES-1")
{
	require_fs();
	const char *img = t_made("image", MiB, 32, NULL), *made = t_file("created");
	use_everything(img);
	fail_everything(img);
	if (impl->create)
		impl->close(t_create(made, 65536, REFSTOR_PREALLOC_NONE));
	const char *dir = t_here();
	DIR *d = opendir(dir);
	cr_assert(d, "opendir %s: %s", dir, strerror(errno));
	for (struct dirent *e; (e = readdir(d));)
		cr_expect(!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
			      !strcmp(e->d_name, "image") || !strcmp(e->d_name, "created"),
			  "%s/%s exists after opening, using and closing %s (expected only image "
			  "and created); on %s",
			  dir, e->d_name, img, rs_where());
	closedir(d);
}
