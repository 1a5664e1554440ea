/* SPDX-License-Identifier: MIT */
/* ALIGN: what a handle reports about alignment, and whether it is true. */
#include "suite.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

RS_CLAUSE_TEST(align, buffered_is_byte_aligned, "ALIGN-BUF-1")
{
	require_buffered();
	require_fn(req_align);
	require_fn(mem_align);
	const char *p = t_target(4096, 30, NULL);
	refstor *s = t_open(p, false);
	T_EQ(I->req_align(s), 1, "req_align of a buffered handle");
	T_EQ(I->mem_align(s), 1, "mem_align of a buffered handle");
	I->close(s);
}

/* A buffer aligned to exactly align: aligned to it, not to twice it. */
static char *exactly_aligned(size_t align, size_t len)
{
	char *base = t_alloc(2 * MiB, len + 2 * MiB);
	return base + align;
}

RS_CLAUSE_TEST(align, io_at_the_reported_alignment_works, "ALIGN-SAFE-1")
{
	require_direct();
	const char *p = t_target(MiB, 31, NULL);
	refstor *s = t_open(p, true);
	size_t req = t_req(s), mem = t_mem(s);
	cr_assert(req && mem && req <= MiB / 4 && mem <= MiB,
		  "alignments req %zu, mem %zu are not usable; on %s", req, mem, rs_where());
	char *b = exactly_aligned(mem, 2 * req);
	t_pattern(b, req, 32);
	T_OK(t_write(s, b, req, req));
	T_OK(t_write(s, b, 2 * req, 3 * req));
	char *c = exactly_aligned(mem, 2 * req);
	T_OK(t_read(s, c, req, req));
	t_assert_same(c, b, req, req, "read back at the reported alignment");
	T_OK(t_read(s, c, 2 * req, 3 * req));
	/* Through several iovecs, each of the reported alignments. */
	struct iovec v[2] = {{b, req}, {exactly_aligned(mem, req), req}};
	T_OK(I->readv(s, v, 2, 2 * req));
	I->close(s);
}

/* What the kernel says about direct I/O on path: false if it says nothing. */
static bool kernel_dio(const char *path, size_t *off, size_t *mem)
{
	struct statx sx;
	if (statx(AT_FDCWD, path, 0, STATX_DIOALIGN, &sx) || !(sx.stx_mask & STATX_DIOALIGN) ||
	    !sx.stx_dio_offset_align)
		return false;
	*off = sx.stx_dio_offset_align;
	*mem = sx.stx_dio_mem_align;
	return true;
}

static size_t sector_size(const char *dev)
{
	int fd = open(dev, O_RDONLY), ssz = 0;
	cr_assert_geq(fd, 0);
	cr_assert_eq(ioctl(fd, BLKSSZGET, &ssz), 0);
	close(fd);
	return (size_t)ssz;
}

RS_CLAUSE_TEST(align, at_least_what_the_kernel_requires, "ALIGN-SAFE-2")
{
	require_direct();
	const char *p = t_target(MiB, 33, NULL);
	size_t off = 0, mem = 0;
	bool said = kernel_dio(p, &off, &mem);
	if (rs_conf()->is_dev && sector_size(p) > off)
		off = sector_size(p), said = true;
	if (!said)
		cr_skip_test("the kernel states no direct-I/O alignment for %s (no STATX_DIOALIGN)",
			     rs_conf()->backend);
	refstor *s = t_open(p, false);
	cr_assert_geq(t_req(s), off, "req_align: expected at least %zu (kernel), got %zu; on %s",
		      off, t_req(s), rs_where());
	cr_assert_geq(t_mem(s), mem, "mem_align: expected at least %zu (kernel), got %zu; on %s",
		      mem, t_mem(s), rs_where());
	I->close(s);
}

RS_CLAUSE_TEST(align, no_larger_than_the_kernel_requires, "ALIGN-MIN-1")
{
	require_direct();
	const char *p = t_target(MiB, 34, NULL);
	size_t off, mem;
	if (!kernel_dio(p, &off, &mem))
		cr_skip_test("the kernel states no direct-I/O alignment for %s (no STATX_DIOALIGN)",
			     rs_conf()->backend);
	refstor *s = t_open(p, false);
	T_EQ(t_req(s), off, "req_align against STATX_DIOALIGN");
	T_EQ(t_mem(s), mem, "mem_align against STATX_DIOALIGN");
	I->close(s);
}

RS_CLAUSE_TEST(align, zero_and_discard_granularity, "ALIGN-ZERO-1")
{
	require_fn(zero_align);
	require_fn(discard_align);
	const char *p = t_target(4096, 35, NULL);
	refstor *s = t_open(p, false);
	size_t z = I->zero_align(s), d = I->discard_align(s), r = t_req(s);
	cr_assert(z && !(z & (z - 1)), "zero_align %zu is not a power of two; on %s", z,
		  rs_where());
	cr_assert(d && !(d & (d - 1)), "discard_align %zu is not a power of two; on %s", d,
		  rs_where());
	cr_assert_geq(z, r, "zero_align %zu < req_align %zu; on %s", z, r, rs_where());
	cr_assert_geq(d, r, "discard_align %zu < req_align %zu; on %s", d, r, rs_where());
	I->close(s);
}
