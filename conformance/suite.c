/* SPDX-License-Identifier: MIT */
/* suite.c - configuration, scratch space, require_* and independent views. */
#include "suite.h"
#include "backend.h"
#include "calls.h"
#include "hygiene.h"
#include "names.h"
#include "pattern.h"
#include "spec.h"
#include "sys.h"
#include "watch.h"

#include <fcntl.h>
#include <ftw.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

/* Per-test-process state.  Every Criterion test is its own process, so this
 * belongs to exactly one test. */
enum { T_MAX_ALLOCS = 256 };
#define T_FILE_LIMIT (256ull << 20)
static struct rs_conf t_conf;
static bool t_conf_loaded;
const struct rs_impl *impl;
static char t_dir[1024];
static struct rs_watch *t_watch;
static void *t_allocs[T_MAX_ALLOCS];
static int t_nallocs;

static const char *t_env(const char *name, const char *dflt)
{
	const char *v = getenv(name);
	return v && *v ? v : dflt;
}

const struct rs_conf *rs_conf(void)
{
	if (!t_conf_loaded) {
		t_conf.impl = t_env("REFSTOR_CONF_IMPL", REFSTOR_REF_SO);
		t_conf.backend = t_env("REFSTOR_CONF_BACKEND", "file");
		t_conf.target = t_env("REFSTOR_CONF_TARGET", t_env("TMPDIR", "/tmp"));
		t_conf.direct = !strcmp(t_env("REFSTOR_CONF_MODE", "buffered"), "direct");
		t_conf.role = t_env("REFSTOR_CONF_ROLE", "general");
		int p = refstor_profile_parse(t_env("REFSTOR_CONF_PROFILE", "imago"));
		t_conf.profile = p < 0 ? REFSTOR_PROFILE_IMAGO : (enum refstor_profile)p;
		struct stat st;
		t_conf.is_dev = stat(t_conf.target, &st) == 0 && S_ISBLK(st.st_mode);
		t_conf_loaded = true;
	}
	return &t_conf;
}

const char *rs_where(void)
{
	static char where[256];
	const struct rs_conf *c = rs_conf();
	const char *impl = strrchr(c->impl, '/');
	snprintf(where, sizeof(where), "%s (%s), impl %s", c->backend,
		 c->direct ? "direct" : "buffered", impl ? impl + 1 : c->impl);
	return where;
}

const char *t_msg(void)
{
	const char *m = impl->last_error();
	return m ? m : "";
}

/* The sentinel's token: unique per call, so a message that still holds it
 * was left by the sentinel, not by the call under test. */
static char t_token[64];

void t_sentinel(void)
{
	static unsigned n;
	char path[128];
	snprintf(t_token, sizeof(t_token), "refstor-sentinel-%d-%u", (int)getpid(), ++n);
	snprintf(path, sizeof(path), "/nonexistent/%s", t_token);
	struct refstor_open_opts o = {.path = path};
	refstor *s = NULL;
	if (!impl->open(&o, &s) && s)
		impl->close(s);
}

void t_check_err(const char *expr, int r, const int *want, size_t n, const char *names)
{
	const char *m = t_msg();
	t_check_err_msg(expr, r, want, n, names, m, !t_token[0] || !strstr(m, t_token));
}

void t_check_err_msg(const char *expr, int r, const int *want, size_t n, const char *names,
		     const char *m, bool fresh)
{
	bool ok = n == 0 && r < 0;
	for (size_t i = 0; i < n && !ok; i++)
		ok = r == -want[i];
	cr_expect(ok, "%s: expected %s%s%s, got %d (%s); on %s", expr,
		  n ? (n > 1 ? "one of -(" : "-") : "a negative errno", n ? names : "",
		  n > 1 ? ")" : "", r, r < 0 ? strerror(-r) : "success", rs_where());
	if (r >= 0)
		return;
	cr_expect(m[0], "%s failed with %d but left no refstor_last_error() message; on %s", expr,
		  r, rs_where());
	cr_expect(fresh,
		  "%s failed with %d but left no message of its own: refstor_last_error() still "
		  "says \"%s\" from an earlier call; on %s",
		  expr, r, m, rs_where());
}

/* The runner's reason to start no more tests (main.c: a test hung), or NULL. */
static const char *t_run_stopped(char *why, size_t len)
{
	const char *state = getenv("REFSTOR_CONF_STATE");
	char p[1024];
	snprintf(p, sizeof(p), "%s/stop", state ? state : "");
	FILE *f = state ? fopen(p, "r") : NULL;
	if (!f)
		return NULL;
	if (!fgets(why, (int)len, f))
		snprintf(why, len, "the run was stopped");
	why[strcspn(why, "\n")] = '\0';
	fclose(f);
	return why;
}

static const struct rs_backend *t_direct(void);

void rs_test_init(const struct rs_clause_test *t)
{
	const struct rs_conf *c = rs_conf();
	/* A runner that is gone takes its tests with it: a killed CI job must
	 * not leave a hung implementation writing into the next run's target. */
	const char *runner = getenv("REFSTOR_CONF_RUNNER");
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (runner && getppid() != (pid_t)atol(runner))
		_exit(1);
	char stopped[512];
	if (t_run_stopped(stopped, sizeof(stopped)))
		cr_skip_test(RS_NORUN_PREFIX "%s", stopped);
	/* No test needs a file past T_FILE_LIMIT: a broken implementation that
	 * writes without end (zeroes up to INT64_MAX, say) is stopped here, with
	 * SIGXFSZ, instead of filling a ramfs with the machine's memory. */
	struct rlimit lim = {T_FILE_LIMIT, T_FILE_LIMIT};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0, "setrlimit(RLIMIT_FSIZE): %s",
		     strerror(errno));
	t_watch = rs_watch_open(getenv("REFSTOR_CONF_STATE"), t->suite, t->name);
	if (!impl) {
		char err[1024];
		const struct rs_impl *loaded = rs_impl_load(c->impl, err, sizeof(err));
		cr_assert(loaded, "%s", err);
		impl = rs_calls_wrap(loaded, t_watch, c->profile);
	}
	/* The runner's list (main.c): clauses of the other profile. */
	const char *other = getenv("REFSTOR_CONF_OTHER_PROFILE");
	if (other && rs_clauses_all_match(t->clauses, other))
		cr_skip_test("%s: a clause of another profile; this run is %s", t->clauses,
			     refstor_profile_name(c->profile));
	if (!strcmp(c->role, "enospc") && strncmp(t->clauses, "ENOSPC-", 7))
		cr_skip_test("%s is reserved for the ENOSPC clauses", c->backend);
	if (!c->is_dev) {
		rs_test_dir(t->suite, t->name, t_dir, sizeof(t_dir));
		rs_remove_tree(t_dir); /* an earlier run's, killed before it cleaned up */
		cr_assert_eq(mkdir(t_dir, 0755), 0, "mkdir %s: %s (is the backend up?)", t_dir,
			     strerror(errno));
		/* A filesystem without direct I/O has no direct run. */
		if (c->direct && !backend_has_direct_io())
			cr_skip_test("%s has no direct I/O (open O_DIRECT: %s)", c->backend,
				     strerror(t_direct()->direct.err));
	}
	rs_hygiene_begin(c->target, c->is_dev ? NULL : t_dir);
}

void rs_test_done(const struct rs_clause_test *t)
{
	(void)t;
	/* A test may have lowered the file-size limit (t_limit_file_size). */
	struct rlimit lim;
	if (!getrlimit(RLIMIT_FSIZE, &lim) && lim.rlim_cur != lim.rlim_max) {
		lim.rlim_cur = lim.rlim_max;
		setrlimit(RLIMIT_FSIZE, &lim);
	}
	/* What the test left open is the test's; what remains after that is
	 * the implementation's. */
	rs_calls_close_all();
	if (!t_watch)
		return;
	rs_hygiene_end(t_watch->fds, sizeof(t_watch->fds), t_watch->files, sizeof(t_watch->files));
	t_watch->finished = 1;
}

static int t_rm(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(p);
	return 0;
}

void rs_test_dir(const char *suite, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/rs.%s.%s", rs_conf()->target, suite, name);
}

void rs_remove_tree(const char *path)
{
	nftw(path, t_rm, 16, FTW_DEPTH | FTW_PHYS);
}

void rs_test_fini(void)
{
	if (t_dir[0])
		rs_remove_tree(t_dir);
	for (int i = 0; i < t_nallocs; i++)
		free(t_allocs[i]);
}

void t_limit_file_size(uint64_t bytes)
{
	struct rlimit lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	lim.rlim_cur = bytes;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0, "setrlimit(RLIMIT_FSIZE, %llu): %s",
		     (unsigned long long)bytes, strerror(errno));
}

void require_fs(void)
{
	if (rs_conf()->is_dev)
		cr_skip_test("applies to filesystem backends; %s is a block device",
			     rs_conf()->backend);
}

void require_dev(void)
{
	if (!rs_conf()->is_dev)
		cr_skip_test("applies to block devices; %s is a filesystem", rs_conf()->backend);
}

void require_direct(void)
{
	if (!rs_conf()->direct)
		cr_skip_test("applies to direct I/O; this run is buffered");
}

void require_buffered(void)
{
	if (rs_conf()->direct)
		cr_skip_test("applies to buffered I/O; this run is direct");
}

void require_root(void)
{
	if (geteuid())
		cr_skip_test("needs root");
}

void rs_require_fn(bool present, const char *name)
{
	if (!present)
		cr_skip_test(RS_NIMP_PREFIX "%s (%s does not export it)", name, rs_conf()->impl);
}

void require_unlimited(uint64_t limit)
{
	if (!(rs_impl_limits(impl) & limit))
		return;
	const struct rs_limit_name *l = rs_limit_named(limit);
	cr_skip_test(RS_NA_PREFIX "%s (%s declares %s: %s)", l ? l->name : "?", rs_conf()->impl,
		     l ? l->macro : "?", l ? l->what : "?");
}

/* What the kernel offers on the backend (backend.h), probed on first use:
 * once per test, since every test is a process of its own.  On a filesystem
 * the scratch file lives in the test's directory.  Direct I/O is probed
 * apart (t_direct): most tests never ask. */
static const struct rs_backend *t_probed(struct rs_backend *b, bool *probed, unsigned what)
{
	if (!*probed) {
		const struct rs_conf *c = rs_conf();
		cr_assert_eq(rs_backend_probe(b, c->is_dev ? c->target : t_dir, what), 0,
			     "probe: %s", b->why);
		*probed = true;
	}
	return b;
}

static const struct rs_backend *t_backend(void)
{
	static struct rs_backend b;
	static bool probed;
	return t_probed(&b, &probed, RS_PROBE_FALLOC);
}

static const struct rs_backend *t_direct(void)
{
	static struct rs_backend b;
	static bool probed;
	return t_probed(&b, &probed, RS_PROBE_DIRECT);
}

bool backend_has_direct_io(void)
{
	return t_direct()->direct.ok;
}

void require_no_direct_io(void)
{
	require_fs();
	if (backend_has_direct_io())
		cr_skip_test("%s has direct I/O", rs_conf()->backend);
}

bool backend_can_punch(void)
{
	return t_backend()->punch.ok;
}

bool backend_can_zero_range(void)
{
	return t_backend()->zero_range.ok;
}

bool backend_can_fallocate(void)
{
	return t_backend()->allocate.ok;
}

/* Skip with the kernel's answer: "ramfs: fallocate(PUNCH_HOLE|KEEP_SIZE)
 * fails with EOPNOTSUPP (Operation not supported)". */
static void t_require_cap(const struct rs_cap *cap)
{
	if (!cap->ok)
		cr_skip_test("%s: %s", rs_conf()->backend, cap->why);
}

void require_punch(void)
{
	t_require_cap(&t_backend()->punch);
}

void require_zero_range(void)
{
	t_require_cap(&t_backend()->zero_range);
}

void require_fallocate(void)
{
	require_fs();
	t_require_cap(&t_backend()->allocate);
}

const char *t_file(const char *name)
{
	require_fs();
	char *p = t_alloc(1, strlen(t_dir) + strlen(name) + 2);
	sprintf(p, "%s/%s", t_dir, name);
	rs_hygiene_made(p);
	return p;
}

const char *t_here(void)
{
	require_fs();
	return t_dir;
}

const char *t_made(const char *name, size_t len, unsigned seed, void *copy)
{
	const char *p = t_file(name);
	f_make(p, len, seed, copy);
	return p;
}

const char *t_dev(void)
{
	require_dev();
	return rs_conf()->target;
}

void *t_alloc(size_t align, size_t len)
{
	void *p = NULL;
	if (align < sizeof(void *))
		align = align ? sizeof(void *) : 4096;
	cr_assert_eq(posix_memalign(&p, align, len ? len : 1), 0, "out of memory");
	cr_assert_lt(t_nallocs, T_MAX_ALLOCS, "too many allocations in one test");
	memset(p, 0, len);
	t_allocs[t_nallocs++] = p;
	return p;
}

void t_pattern(void *buf, size_t len, unsigned seed)
{
	rs_pattern(buf, len, seed);
}

int t_try_open(const char *path, bool writable, refstor **out)
{
	struct refstor_open_opts o = {
	    .path = path, .writable = writable, .direct = rs_conf()->direct};
	*out = NULL;
	return impl->open(&o, out);
}

refstor *t_open_mode(const char *path, bool writable, bool direct)
{
	struct refstor_open_opts o = {.path = path, .writable = writable, .direct = direct};
	refstor *s = NULL;
	int r = impl->open(&o, &s);
	cr_assert_eq(r, 0, "open %s (%s, %s): expected 0, got %d (%s): \"%s\"; on %s", path,
		     writable ? "rw" : "ro", direct ? "direct" : "buffered", r, strerror(-r),
		     t_msg(), rs_where());
	cr_assert(s, "open returned 0 but no handle; on %s", rs_where());
	return s;
}

refstor *t_open(const char *path, bool writable)
{
	return t_open_mode(path, writable, rs_conf()->direct);
}

refstor *t_create(const char *path, uint64_t size, enum refstor_prealloc mode)
{
	require_fn(create);
	struct refstor_create_opts o = {
	    .open = {.path = path, .writable = true, .direct = rs_conf()->direct},
	    .size = size,
	    .prealloc = mode};
	refstor *s = NULL;
	int r = impl->create(&o, &s);
	cr_assert_eq(r, 0,
		     "create %s (%llu bytes, mode %d): expected 0, got %d (%s): \"%s\"; on %s",
		     path, (unsigned long long)size, mode, r, strerror(-r), t_msg(), rs_where());
	return s;
}

size_t t_req(const refstor *s)
{
	require_fn(req_align);
	return impl->req_align(s);
}

size_t t_mem(const refstor *s)
{
	require_fn(mem_align);
	return impl->mem_align(s);
}

size_t t_unit(const refstor *s)
{
	if (!rs_conf()->direct)
		return 100;
	size_t r = t_req(s);
	return r > 512 ? r : 512;
}

size_t t_sector(void)
{
	return rs_conf()->is_dev ? t_backend()->logical_block : 0;
}

size_t t_zunit(const refstor *s)
{
	require_fn(zero_align);
	require_fn(discard_align);
	size_t a = impl->zero_align(s);
	if (impl->discard_align(s) > a)
		a = impl->discard_align(s);
	if (t_sector() > a)
		a = t_sector();
	size_t u = t_unit(s);
	if (!a || a > 16 * MiB)
		return u;
	return (u + a - 1) / a * a;
}

static size_t t_unit_of_scratch(bool zeroing)
{
	const char *p = t_made("unit-probe", 65536, 7, NULL);
	refstor *s = t_open(p, true);
	size_t u = zeroing ? t_zunit(s) : t_unit(s);
	impl->close(s);
	unlink(p);
	return u;
}

size_t t_unit_here(void)
{
	return t_unit_of_scratch(false);
}

size_t t_zunit_here(void)
{
	return t_unit_of_scratch(true);
}

int t_read(refstor *s, void *buf, size_t len, uint64_t off)
{
	struct iovec v = {buf, len};
	return impl->readv(s, &v, 1, off);
}

int t_write(refstor *s, const void *buf, size_t len, uint64_t off)
{
	struct iovec v = {(void *)buf, len};
	return impl->writev(s, &v, 1, off);
}

int t_zero_call(enum t_zeroing which, refstor *s, uint64_t off, uint64_t len)
{
	return which == T_WRITE_ZEROES ? impl->write_zeroes(s, off, len)
	       : which == T_DISCARD    ? impl->discard(s, off, len)
				       : impl->write_allocated_zeroes(s, off, len);
}

void f_make(const char *path, size_t len, unsigned seed, void *copy)
{
	char *d = t_alloc(0, len);
	t_pattern(d, len, seed);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	cr_assert_geq(fd, 0, "create %s: %s", path, strerror(errno));
	cr_assert_eq(sys_pwrite(fd, d, len, 0), (ssize_t)len, "write %s", path);
	cr_assert_eq(sys_fsync(fd), 0);
	close(fd);
	if (copy)
		memcpy(copy, d, len);
}

void f_make_sparse(const char *path, unsigned seed)
{
	f_make(path, 0, seed, NULL);
	char *d = t_alloc(0, 4096);
	t_pattern(d, 4096, seed);
	cr_assert_eq(truncate(path, MiB), 0, "truncate %s: %s", path, strerror(errno));
	f_write(path, d, 4096, MiB);
}

uint64_t f_size(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	if (S_ISBLK(st.st_mode)) {
		int fd = open(path, O_RDONLY);
		uint64_t n = 0;
		cr_assert_eq(ioctl(fd, BLKGETSIZE64, &n), 0, "BLKGETSIZE64 %s", path);
		close(fd);
		return n;
	}
	return (uint64_t)st.st_size;
}

uint64_t f_blocks(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return (uint64_t)st.st_blocks;
}

void f_read(const char *path, void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	size_t done = 0;
	while (done < len) {
		ssize_t n = sys_pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		cr_assert_geq(n, 0, "pread %s: %s", path, strerror(errno));
		if (n == 0)
			break;
		done += (size_t)n;
	}
	memset((char *)buf + done, 0, len - done);
	close(fd);
}

void f_write(const char *path, const void *buf, size_t len, uint64_t off)
{
	int fd = open(path, O_WRONLY);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	cr_assert_eq(sys_pwrite(fd, buf, len, (off_t)off), (ssize_t)len, "pwrite %s: %s", path,
		     strerror(errno));
	cr_assert_eq(sys_fsync(fd), 0);
	close(fd);
}

bool f_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

uint64_t f_sum(const char *path, uint64_t off, size_t len)
{
	unsigned char *b = malloc(len ? len : 1);
	cr_assert(b, "out of memory");
	f_read(path, b, len, off);
	uint64_t h = 1469598103934665603ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * 1099511628211ull;
	free(b);
	return h;
}

struct f_snap f_snap(const char *path)
{
	struct f_snap snap = {.size = f_size(path)};
	if (rs_conf()->is_dev && !strcmp(path, rs_conf()->target)) {
		/* The first 4 MiB (where the tests put their data) and the last. */
		snap.sum = f_sum(path, 0, 4 * MiB) ^ f_sum(path, snap.size - MiB, MiB);
	} else {
		f_mtime(path, &snap.mtime);
		snap.sum = f_sum(path, 0, (size_t)snap.size);
	}
	return snap;
}

void t_assert_unchanged(const char *path, const struct f_snap *before, const char *what)
{
	struct f_snap now = f_snap(path);
	T_EQ(now.size, before->size, what);
	cr_expect(now.sum == before->sum, "%s: the contents of %s changed; on %s", what, path,
		  rs_where());
	cr_expect(now.mtime.tv_sec == before->mtime.tv_sec &&
		      now.mtime.tv_nsec == before->mtime.tv_nsec,
		  "%s: %s was written to (mtime changed); on %s", what, path, rs_where());
}

const char *t_target(size_t len, unsigned seed, void *copy)
{
	if (rs_conf()->is_dev) {
		char *d = t_alloc(0, len);
		t_pattern(d, len, seed);
		f_write(rs_conf()->target, d, len, 0);
		if (copy)
			memcpy(copy, d, len);
		return rs_conf()->target;
	}
	return t_made("img", len, seed, copy);
}

uint64_t f_next_hole(const char *path, uint64_t off)
{
	int fd = open(path, O_RDONLY);
	cr_assert_geq(fd, 0, "open %s: %s", path, strerror(errno));
	off_t h = lseek(fd, (off_t)off, SEEK_HOLE);
	close(fd);
	return h < 0 ? UINT64_MAX : (uint64_t)h;
}

void f_mtime(const char *path, struct timespec *ts)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	*ts = st.st_mtim;
}

void t_assert_zero(const void *buf, size_t len, uint64_t base, const char *what)
{
	const unsigned char *p = buf;
	size_t i = 0;
	while (i < len && !p[i])
		i++;
	cr_expect_eq(i, len, "%s: expected zero at offset %llu, got 0x%02x; on %s", what,
		     (unsigned long long)(base + i), i < len ? p[i] : 0, rs_where());
}

void t_assert_same(const void *got, const void *want, size_t len, uint64_t base, const char *what)
{
	const unsigned char *g = got, *w = want;
	size_t i = 0;
	while (i < len && g[i] == w[i])
		i++;
	cr_expect_eq(i, len, "%s: at offset %llu expected 0x%02x, got 0x%02x; on %s", what,
		     (unsigned long long)(base + i), i < len ? w[i] : 0, i < len ? g[i] : 0,
		     rs_where());
}

void t_assert_zeroed_within(const char *path, const char *want, size_t total, uint64_t off,
			    uint64_t len, const char *what)
{
	char *got = t_alloc(0, total);
	f_read(path, got, total, 0);
	char msg[256];
	snprintf(msg, sizeof(msg), "%s: bytes before the range", what);
	t_assert_same(got, want, off, 0, msg);
	snprintf(msg, sizeof(msg), "%s: the range", what);
	t_assert_zero(got + off, len, off, msg);
	snprintf(msg, sizeof(msg), "%s: bytes after the range", what);
	t_assert_same(got + off + len, want + off + len, total - off - len, off + len, msg);
}

void t_assert_opens_with_true_alignments(const char *data, const char *empty, const char *condition)
{
	require_fn(req_align);
	require_fn(mem_align);
	for (int h = 0; h < 4; h++) {
		/* Read-only and read-write handles on the data file and on the empty
		 * one (where a probe has nothing to read or must extend the file);
		 * the empty file's alignments are tried on the data file, which
		 * lives on the same filesystem. */
		const char *rw = h & 1 ? "read-write" : "read-only";
		const char *what = h < 2 ? "on a file with data" : "on an empty file";
		refstor *s = t_open(h < 2 ? data : empty, h & 1);
		size_t req = impl->req_align(s), mem = impl->mem_align(s);
		impl->close(s);
		if (!rs_conf()->direct) {
			cr_expect(req == 1 && mem == 1,
				  "a buffered %s handle %s, opened %s, reports req_align %zu, "
				  "mem_align %zu (expected 1 and 1); on %s",
				  rw, what, condition, req, mem, rs_where());
			continue;
		}
		cr_assert(req && mem && req <= 65536 && mem <= 65536,
			  "a direct %s handle %s, opened %s: alignments req %zu, mem %zu are not "
			  "usable; on %s",
			  rw, what, condition, req, mem, rs_where());
		int fd = open(data, O_RDONLY | O_DIRECT);
		cr_assert_geq(fd, 0, "open %s O_DIRECT: %s", data, strerror(errno));
		char *b = (char *)t_alloc(2 * 65536, 4 * 65536) + mem;
		ssize_t n = sys_pread(fd, b, req, (off_t)req);
		int err = errno;
		close(fd);
		cr_expect_eq(n, (ssize_t)req,
			     "a direct %s handle %s, opened %s: a plain O_DIRECT read of req_align "
			     "%zu bytes at offset %zu into a buffer aligned to mem_align %zu "
			     "failed: %s; on %s",
			     rw, what, condition, req, req, mem, n < 0 ? strerror(err) : "short",
			     rs_where());
	}
}
