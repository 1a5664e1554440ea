/* SPDX-License-Identifier: MIT */
/*
 * Which probe answered (probe.c): statx(STATX_DIOALIGN) where the kernel
 * reports it, else direct reads of a block device itself, else a hidden
 * O_TMPFILE filled with data next to the file, else safe defaults.  The
 * suite checks that the alignments are true (ALIGN-*, OPEN-PROBE-1); these
 * check which of the four paths produced them, counting the library's calls
 * (sys.c) and silencing statx to reach the paths this kernel would not take.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PROBE_FILE = 65536 /* RS_PROBE_MAX: what the O_TMPFILE is filled with */ };

/* The kernel's own answer for path, or false if it gives none. */
static bool kernel_dioalign(const char *path, unsigned *req, unsigned *mem)
{
	bool silent = t_sys.statx_silent;
	t_sys.statx_silent = false;
	struct statx stx;
	bool ok = !statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &stx) &&
		  (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align &&
		  stx.stx_dio_mem_align;
	t_sys.statx_silent = silent;
	if (ok) {
		*req = stx.stx_dio_offset_align;
		*mem = stx.stx_dio_mem_align;
	}
	return ok;
}

/* An empty file: probing it by reading would prove nothing (OPEN-NOMOD-1
 * forbids filling it), so only statx or the O_TMPFILE can answer. */
static const char *empty_file(const char *dir)
{
	const char *p = t_in(dir, "img");
	t_write_file(p, "", 0);
	return p;
}

/* The O_TMPFILE probe ran: one write of PROBE_FILE bytes (the file under
 * test stays as it was), then direct reads. */
static void assert_tmpfile_probe_ran(const char *p, const char *dir)
{
	cr_assert_eq(t_sys.calls[T_PWRITE], 1, "pwrite calls while opening: %lu",
		     t_sys.calls[T_PWRITE]);
	cr_assert_eq(t_sys.bytes[T_PWRITE], PROBE_FILE);
	cr_assert_gt(t_sys.calls[T_PREAD], 0, "no direct read probed the O_TMPFILE");
	cr_assert_eq(t_file_size(p), 0, "the probe wrote to the file itself");
	cr_assert_eq(t_count_entries(dir), 1, "the probe file must be unnamed");
}

T_TEST(probe, statx_dioalign_answers_alone)
{
	const char *p = empty_file(t_scratch());
	unsigned req, mem;
	if (!kernel_dioalign(p, &req, &mem))
		cr_skip_test("the host filesystem does not report STATX_DIOALIGN");
	t_sys_reset();
	refstor *s = t_open(p, true, true);
	cr_assert_geq(t_sys.calls[T_STATX], 1, "statx was not asked");
	cr_assert_eq(t_sys.calls[T_PREAD] + t_sys.calls[T_PWRITE], 0,
		     "the kernel answered, yet opening read or wrote to probe");
	cr_assert_eq(refstor_req_align(s), req);
	cr_assert_eq(refstor_mem_align(s), mem);
	refstor_close(s);
}

/* A plain O_DIRECT read of path at (req, mem) passes the kernel's checks. */
static void assert_direct_read_works(const char *path, size_t req, size_t mem)
{
	int fd = open(path, O_RDONLY | O_DIRECT);
	cr_assert_geq(fd, 0, "O_DIRECT open %s: %s", path, strerror(errno));
	char *buf = t_aligned(2 * PROBE_FILE, 3 * PROBE_FILE);
	ssize_t r = pread(fd, buf + mem, req, 0);
	cr_assert_geq(r, 0, "O_DIRECT read of %zu bytes into a buffer aligned to %zu: %s", req, mem,
		      strerror(errno));
	close(fd);
}

T_TEST(probe, tmpfile_probe_when_statx_is_silent_finds_working_alignments)
{
	const char *p = empty_file(t_scratch());
	unsigned req = 0, mem = 0;
	bool told = kernel_dioalign(p, &req, &mem);
	t_sys.statx_silent = true;
	t_sys_reset();
	refstor *s = t_open(p, true, true);
	assert_tmpfile_probe_ran(p, t_scratch());
	/* The probe finds the smallest request size and memory alignment a
	 * direct read passes: the request size is what the kernel says it
	 * checks; memory may pass below what it says (it reports the device's
	 * DMA alignment, which it need not enforce for every request). */
	if (told) {
		cr_assert_eq(refstor_req_align(s), req, "probed %zu, the kernel says %u",
			     refstor_req_align(s), req);
		cr_assert_leq(refstor_mem_align(s), mem, "probed %zu, the kernel says %u",
			      refstor_mem_align(s), mem);
	}
	char data[PROBE_FILE];
	t_fill(data, sizeof(data), 1);
	const char *d = t_path("data");
	t_write_file(d, data, sizeof(data));
	assert_direct_read_works(d, refstor_req_align(s), refstor_mem_align(s));
	refstor_close(s);
}

T_TEST(probe, tmpfile_probe_of_an_adopted_fd_finds_its_directory)
{
	/* No filename: the directory comes from /proc/self/fd. */
	const char *p = empty_file(t_scratch());
	t_sys.statx_silent = true;
	int fd = open(p, O_RDWR | O_DIRECT);
	cr_assert_geq(fd, 0, "O_DIRECT open: %s", strerror(errno));
	t_sys_reset();
	refstor *s;
	t_assert_ok(refstor_from_fd(fd, &s));
	assert_tmpfile_probe_ran(p, t_scratch());
	refstor_close(s);
}

T_TEST(probe, tmpfile_probe_of_a_bare_name_uses_the_working_directory)
{
	/* "img" has no slash: the directory to probe in is ".". */
	const char *p = empty_file(t_scratch());
	cr_assert_eq(chdir(t_scratch()), 0);
	t_sys.statx_silent = true;
	t_sys_reset();
	refstor *s = t_open("img", true, true);
	assert_tmpfile_probe_ran(p, t_scratch());
	refstor_close(s);
}

T_TEST(probe, small_file_size_limit_skips_the_write_probe_for_safe_defaults)
{
	/* A 64 KiB probe write past RLIMIT_FSIZE would raise SIGXFSZ, whose
	 * default action ends this test as a crash. */
	const char *p = empty_file(t_scratch());
	struct rlimit lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	lim.rlim_cur = PROBE_FILE / 2;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0, "setrlimit: %s", strerror(errno));
	t_sys.statx_silent = true;
	t_sys_reset();
	refstor *s = t_open(p, true, true);
	cr_assert_eq(t_sys.calls[T_PWRITE], 0, "the probe wrote under a %d-byte limit",
		     PROBE_FILE / 2);
	long page = sysconf(_SC_PAGESIZE);
	cr_assert_eq(refstor_req_align(s), 4096, "safe default req_align");
	cr_assert_eq(refstor_mem_align(s), page > 4096 ? (size_t)page : 4096,
		     "safe default mem_align");
	refstor_close(s);
}

T_TEST(probe, block_device_is_probed_by_reading_it_when_statx_is_silent)
{
	const char *dev = t_backend("loop4k");
	unsigned req = 0, mem = 0;
	bool told = kernel_dioalign(dev, &req, &mem);
	t_sys.statx_silent = true;
	t_sys_reset();
	refstor *s = t_open(dev, false, true);
	cr_assert_eq(t_sys.calls[T_PWRITE], 0, "a device is probed by reading only");
	cr_assert_gt(t_sys.calls[T_PREAD], 0, "the device was not read");
	/* The request probe starts at the logical sector size, 4096 here. */
	cr_assert_eq(refstor_req_align(s), 4096);
	if (told)
		cr_assert_leq(refstor_mem_align(s), mem, "probed %zu, the kernel says %u",
			      refstor_mem_align(s), mem);
	assert_direct_read_works(dev, refstor_req_align(s), refstor_mem_align(s));
	cr_assert_eq(refstor_zero_align(s), 4096, "zeroing granularity is the sector");
	refstor_close(s);
}

T_TEST(probe, tmpfs_reports_no_dioalign_so_the_tmpfile_probe_answers)
{
	const char *dir = t_backend_dir("tmpfs");
	const char *p = empty_file(dir);
	unsigned req, mem;
	if (kernel_dioalign(p, &req, &mem))
		cr_skip_test("this kernel reports STATX_DIOALIGN on tmpfs: statx answers there");
	t_sys_reset();
	refstor *s = t_open(p, true, true);
	assert_tmpfile_probe_ran(p, dir);
	/* tmpfs does direct I/O through the page cache: any alignment works. */
	cr_assert_eq(refstor_req_align(s), 1);
	cr_assert_eq(refstor_mem_align(s), 1);
	refstor_close(s);
}
