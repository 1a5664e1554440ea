/* SPDX-License-Identifier: MIT */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/loop.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Per-test-process state: each test is its own process, so this is the
 * test's state, never shared. */
enum { T_MAX_HOLDERS = 8, T_MAX_STRINGS = 64 };
static char t_scratch_dir[256];
static bool t_in_private_ns;
static int t_holders[T_MAX_HOLDERS];
static const char *t_mounts[T_MAX_HOLDERS];
static int t_nmounts;
static int t_nholders;
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

void t_require_root(const char *what)
{
	if (geteuid() != 0)
		cr_skip_test("%s needs root (loop devices, mounts); run as root", what);
}

static void t_private_ns(void)
{
	if (t_in_private_ns)
		return;
	cr_assert_eq(unshare(CLONE_NEWNS), 0, "unshare(CLONE_NEWNS): %s", strerror(errno));
	/* Without this, mounts below a shared / would propagate to the host. */
	cr_assert_eq(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL), 0, "make / private: %s",
		     strerror(errno));
	t_in_private_ns = true;
}

static const char *t_mountpoint(const char *tag)
{
	cr_assert_lt(t_nmounts, T_MAX_HOLDERS, "too many mounts in one test");
	static int n;
	char name[64];
	snprintf(name, sizeof(name), "mnt-%s-%d", tag, n++);
	const char *dir = t_path(name);
	cr_assert_eq(mkdir(dir, 0755), 0, "mkdir %s: %s", dir, strerror(errno));
	return dir;
}

const char *t_mount(const char *fstype, const char *opts)
{
	t_require_root(fstype);
	t_private_ns();
	const char *dir = t_mountpoint(fstype);
	if (mount(fstype, dir, fstype, 0, opts))
		cr_skip_test("cannot mount %s here: %s", fstype, strerror(errno));
	t_mounts[t_nmounts++] = dir;
	return dir;
}

const char *t_loop(unsigned sector, uint64_t size)
{
	t_require_root("a loop device");
	cr_assert_lt(t_nholders, T_MAX_HOLDERS);
	const char *backing = t_path("loop-backing");
	int bfd = open(backing, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	cr_assert_geq(bfd, 0, "create %s: %s", backing, strerror(errno));
	cr_assert_eq(ftruncate(bfd, (off_t)size), 0);

	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		cr_skip_test("no loop devices here (/dev/loop-control: %s)", strerror(errno));
	char *dev = NULL;
	for (int tries = 0; tries < 32 && !dev; tries++) {
		int n = ioctl(ctl, LOOP_CTL_GET_FREE);
		cr_assert_geq(n, 0, "LOOP_CTL_GET_FREE: %s", strerror(errno));
		char name[32];
		snprintf(name, sizeof(name), "/dev/loop%d", n);
		int fd = open(name, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		struct loop_config cfg;
		memset(&cfg, 0, sizeof(cfg));
		cfg.fd = (unsigned)bfd;
		cfg.block_size = sector;
		/* Detach by itself at the last close: when this process ends. */
		cfg.info.lo_flags = LO_FLAGS_AUTOCLEAR;
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0) {
			t_holders[t_nholders++] = fd;
			dev = t_keep(strdup(name));
		} else {
			int e = errno;
			close(fd);
			/* EBUSY: another process took this device first. */
			cr_assert_eq(e, EBUSY, "LOOP_CONFIGURE %s: %s", name, strerror(e));
		}
	}
	close(ctl);
	close(bfd);
	unlink(backing); /* the loop device holds it; gone when it detaches */
	cr_assert(dev, "no free loop device after 32 tries");
	return dev;
}

const char *t_mkfs_mount(const char *mkfs, const char *fstype, const char *dev)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>&1", mkfs, dev);
	int st = system(cmd);
	if (st == -1 || !WIFEXITED(st) || WEXITSTATUS(st) == 127)
		cr_skip_test("'%s' is not available", mkfs);
	cr_assert_eq(WEXITSTATUS(st), 0, "'%s' failed with status %d", cmd, WEXITSTATUS(st));
	t_private_ns();
	const char *dir = t_mountpoint(fstype);
	cr_assert_eq(mount(dev, dir, fstype, 0, NULL), 0, "mount %s (%s) on %s: %s", dev, fstype,
		     dir, strerror(errno));
	t_mounts[t_nmounts++] = dir;
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

void t_fini(void)
{
	/* The kernel would undo all of this when the process ends; undoing it
	 * here keeps the scratch directory removable. */
	for (int i = t_nmounts - 1; i >= 0; i--)
		umount2(t_mounts[i], MNT_DETACH);
	for (int i = 0; i < t_nholders; i++)
		close(t_holders[i]);
	if (t_scratch_dir[0]) {
		/* FTW_MOUNT: never walk into anything still mounted. */
		nftw(t_scratch_dir, t_rm, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
		rmdir(t_scratch_dir);
	}
	for (int i = 0; i < t_nstrings; i++)
		free(t_strings[i]);
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

blkcnt_t t_blocks(const char *path)
{
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "stat %s: %s", path, strerror(errno));
	return st.st_blocks;
}

void t_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (unsigned char)(x | 1); /* never 0: zeroes are what we test */
	}
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
