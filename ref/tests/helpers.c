/* SPDX-License-Identifier: MIT */
#include "helpers.h"
#include "../../conformance/pattern.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Per-test-process state: each test is its own process, so this is the
 * test's state, never shared. */
enum { T_MAX_DIRS = 8, T_MAX_STRINGS = 64 };
static char t_scratch_dir[256];
static const char *t_dirs[T_MAX_DIRS]; /* made by t_backend_dir */
static int t_ndirs;
static void *t_strings[T_MAX_STRINGS];
static int t_nstrings;

static void *t_keep(void *p)
{
	cr_assert(p, "out of memory");
	cr_assert_lt(t_nstrings, T_MAX_STRINGS, "too many test allocations");
	t_strings[t_nstrings++] = p;
	return p;
}

const char *t_scratch(void)
{
	if (!t_scratch_dir[0]) {
		const char *tmp = getenv("TMPDIR");
		snprintf(t_scratch_dir, sizeof(t_scratch_dir), "%s/refstor-unit.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		cr_assert(mkdtemp(t_scratch_dir), "mkdtemp %s: %s", t_scratch_dir, strerror(errno));
	}
	return t_scratch_dir;
}

const char *t_in(const char *dir, const char *name)
{
	char *p;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return t_keep(p);
}

const char *t_path(const char *name)
{
	return t_in(t_scratch(), name);
}

const char *t_backend(const char *name)
{
	char var[64];
	int n = snprintf(var, sizeof(var), "REFSTOR_UNIT_TARGET_");
	for (const char *c = name; *c && n < (int)sizeof(var) - 1; c++)
		var[n++] = *c == '-' ? '_' : (char)toupper((unsigned char)*c);
	var[n] = '\0';
	const char *path = getenv(var);
	if (!path || !*path)
		cr_skip_test("backend %s not given: run `fixtures/refstor-fixture up %s` and set "
			     "%s to the path it prints (ci/test does)",
			     name, name, var);
	struct stat st;
	/* Given but gone is an error of the run, not a skip. */
	cr_assert_eq(stat(path, &st), 0, "%s=%s: %s", var, path, strerror(errno));
	return path;
}

const char *t_backend_dir(const char *name)
{
	cr_assert_lt(t_ndirs, T_MAX_DIRS, "too many backend directories in one test");
	char *dir;
	cr_assert(asprintf(&dir, "%s/refstor-unit.XXXXXX", t_backend(name)) > 0);
	t_keep(dir);
	cr_assert(mkdtemp(dir), "mkdtemp %s: %s", dir, strerror(errno));
	t_dirs[t_ndirs++] = dir;
	return dir;
}

static int t_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* FTW_MOUNT: never walk into anything mounted below a test's directory. */
static void t_rm_tree(const char *dir)
{
	nftw(dir, t_rm, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

void t_fini(void)
{
	for (int i = 0; i < t_ndirs; i++)
		t_rm_tree(t_dirs[i]);
	if (t_scratch_dir[0])
		t_rm_tree(t_scratch_dir);
	for (int i = 0; i < t_nstrings; i++)
		free(t_strings[i]);
	t_sys_reset();
	t_sys.statx_silent = false;
}

void t_write_file(const char *path, const void *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, data, len), (ssize_t)len, "write %s", path);
	close(fd);
}

off_t t_file_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return st.st_size;
}

void t_fill(void *buf, size_t len, unsigned seed)
{
	rs_pattern(buf, len, seed); /* never 0: zeroes are what we test */
}

long t_find_not(const void *buf, size_t len, unsigned char value)
{
	const unsigned char *p = buf;
	for (size_t i = 0; i < len; i++)
		if (p[i] != value)
			return (long)i;
	return -1;
}

void *t_aligned(size_t align, size_t len)
{
	void *p = NULL;
	cr_assert_eq(posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, len), 0);
	memset(p, 0, len);
	return t_keep(p);
}

int t_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	cr_assert(d, "opendir %s: %s", dir, strerror(errno));
	int n = 0;
	for (struct dirent *e; (e = readdir(d));)
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

refstor *t_open(const char *path, bool writable, bool direct)
{
	refstor *s = NULL;
	struct refstor_open_opts o = {.path = path, .writable = writable, .direct = direct};
	int r = refstor_open(&o, &s);
	cr_assert_eq(r, 0, "refstor_open(%s, %s%s): %d: %s", path, writable ? "rw" : "ro",
		     direct ? ", direct" : "", r, refstor_last_error());
	return s;
}

refstor *t_create(const char *path, uint64_t size, enum refstor_prealloc mode)
{
	refstor *s = NULL;
	struct refstor_create_opts o = {.open = {.path = path}, .size = size, .prealloc = mode};
	int r = refstor_create(&o, &s);
	cr_assert_eq(r, 0, "refstor_create(%s, %llu): %d: %s", path, (unsigned long long)size, r,
		     refstor_last_error());
	return s;
}

/* A failing test's report says how to run just that test again. */
ReportHook(POST_TEST)(struct criterion_test_stats *stats)
{
	if (stats->test_status == CR_STATUS_FAILED)
		fprintf(stderr, "  rerun: %s --filter '%s/%s' --verbose\n", program_invocation_name,
			stats->test->category, stats->test->name);
}
