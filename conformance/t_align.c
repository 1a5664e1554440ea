/* SPDX-License-Identifier: MIT */
/* ALIGN: what a handle reports about alignment, and whether it is true. */
#include "backend.h"
#include "suite.h"
#include "sys.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

RS_CLAUSE_TEST(align, buffered_is_byte_aligned, "ALIGN-BUF-1")
{
	require_buffered();
	require_fn(req_align);
	require_fn(mem_align);
	const char *p = t_target(4096, 30, NULL);
	for (int w = 0; w < 2; w++) {
		refstor *s = t_open(p, w);
		T_EQ(impl->req_align(s), 1,
		     w ? "req_align of a read-write buffered handle"
		       : "req_align of a read-only buffered handle");
		T_EQ(impl->mem_align(s), 1,
		     w ? "mem_align of a read-write buffered handle"
		       : "mem_align of a read-only buffered handle");
		impl->close(s);
	}
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
	T_OK(impl->readv(s, v, 2, 2 * req));
	impl->close(s);
}

/* The kinds of file a direct handle is opened on: data (MiB of it), empty,
 * and sparse (a hole at the start).  A read-only probe over the last two
 * proves nothing: the kernel zero-fills holes without checking alignment. */
enum { KIND_DATA, KIND_EMPTY, KIND_SPARSE, KINDS };
static const char *const kind_name[] = {"a file with data", "an empty file",
					"a sparse file (hole first)"};

static const char *target_of_kind(int kind)
{
	if (kind == KIND_DATA || rs_conf()->is_dev)
		return t_target(MiB, 31, NULL);
	const char *p = t_file(kind == KIND_EMPTY ? "empty" : "sparse");
	if (kind == KIND_SPARSE)
		f_make_sparse(p, 36);
	else
		f_make(p, 0, 0, NULL);
	return p;
}

/* Independently of the implementation: a fresh O_DIRECT descriptor reads and
 * writes req bytes at offset req from a buffer aligned to exactly mem. */
RS_CLAUSE_TEST(align, plain_direct_io_at_the_reported_alignment, "ALIGN-SAFE-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_direct();
	int kinds = rs_conf()->is_dev ? 1 : KINDS;
	for (int k = 0; k < kinds; k++) {
		const char *p = target_of_kind(k);
		refstor *s = t_open(p, false);
		size_t req = t_req(s), mem = t_mem(s);
		impl->close(s);
		cr_assert(req && mem && req <= MiB / 4 && mem <= MiB,
			  "%s: alignments req %zu, mem %zu are not usable; on %s", kind_name[k],
			  req, mem, rs_where());
		char *b = exactly_aligned(mem, req);
		t_pattern(b, req, 37);
		int fd = open(p, O_RDWR | O_DIRECT);
		cr_assert_geq(fd, 0, "open %s O_DIRECT: %s", p, strerror(errno));
		ssize_t w = sys_pwrite(fd, b, req, (off_t)req);
		int we = errno;
		ssize_t r = sys_pread(fd, b, req, (off_t)req);
		int re = errno;
		close(fd);
		cr_expect_eq(w, (ssize_t)req,
			     "%s: a plain O_DIRECT write of req_align %zu bytes at offset %zu from "
			     "a buffer aligned to mem_align %zu: %s; on %s",
			     kind_name[k], req, req, mem, w < 0 ? strerror(we) : "short",
			     rs_where());
		cr_expect_eq(r, (ssize_t)req,
			     "%s: a plain O_DIRECT read of req_align %zu bytes at offset %zu into "
			     "a buffer aligned to mem_align %zu: %s; on %s",
			     kind_name[k], req, req, mem, r < 0 ? strerror(re) : "short",
			     rs_where());
	}
}

/* What the kernel itself says about direct I/O on the target
 * (STATX_DIOALIGN, through backend.h): false if it says nothing. */
static bool kernel_dio(size_t *off, size_t *mem)
{
	struct rs_backend b;
	cr_assert_eq(rs_backend_probe(&b, rs_conf()->target, RS_PROBE_DIRECT), 0, "probe: %s",
		     b.why);
	if (!b.direct.ok || !b.dio_source || strcmp(b.dio_source, "STATX_DIOALIGN"))
		return false;
	*off = b.dio_offset;
	*mem = b.dio_mem;
	return true;
}

RS_CLAUSE_TEST(align, at_least_what_the_kernel_requires, "ALIGN-SAFE-2")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_direct();
	int kinds = rs_conf()->is_dev ? 1 : KINDS;
	for (int k = 0; k < kinds; k++) {
		const char *p = target_of_kind(k);
		size_t off = 0, mem = 0;
		bool said = kernel_dio(&off, &mem);
		if (rs_conf()->is_dev && t_sector() > off)
			off = t_sector(), said = true;
		if (!said)
			cr_skip_test("the kernel states no direct-I/O alignment for %s (no "
				     "STATX_DIOALIGN)",
				     rs_conf()->backend);
		/* Read-only: the open that cannot write anything to learn from. */
		refstor *s = t_open(p, false);
		cr_expect_geq(t_req(s), off,
			      "%s, opened read-only: req_align expected at least %zu (kernel), "
			      "got %zu; on %s",
			      kind_name[k], off, t_req(s), rs_where());
		cr_expect_geq(t_mem(s), mem,
			      "%s, opened read-only: mem_align expected at least %zu (kernel), "
			      "got %zu; on %s",
			      kind_name[k], mem, t_mem(s), rs_where());
		impl->close(s);
	}
}

RS_CLAUSE_TEST(align, no_larger_than_the_kernel_requires, "ALIGN-MIN-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_direct();
	const char *p = t_target(MiB, 34, NULL);
	size_t off, mem;
	if (!kernel_dio(&off, &mem))
		cr_skip_test("the kernel states no direct-I/O alignment for %s (no STATX_DIOALIGN)",
			     rs_conf()->backend);
	refstor *s = t_open(p, false);
	T_EQ(t_req(s), off, "req_align against STATX_DIOALIGN");
	T_EQ(t_mem(s), mem, "mem_align against STATX_DIOALIGN");
	impl->close(s);
}

RS_CLAUSE_TEST(align, zero_and_discard_granularity, "ALIGN-ZERO-1")
{
	require_fn(zero_align);
	require_fn(discard_align);
	const char *p = t_target(4096, 35, NULL);
	refstor *s = t_open(p, false);
	size_t z = impl->zero_align(s), d = impl->discard_align(s);
	cr_expect(z && !(z & (z - 1)), "zero_align %zu is not a power of two; on %s", z,
		  rs_where());
	cr_expect(d && !(d & (d - 1)), "discard_align %zu is not a power of two; on %s", d,
		  rs_where());
	impl->close(s);
}

RS_CLAUSE_TEST(align, zero_and_discard_cover_the_other_alignments, "ALIGN-ZERO-2")
{
	require_fn(zero_align);
	require_fn(discard_align);
	const char *p = t_target(4096, 35, NULL);
	refstor *s = t_open(p, false);
	size_t z = impl->zero_align(s), d = impl->discard_align(s), r = t_req(s);
	cr_expect_geq(z, r, "zero_align %zu < req_align %zu; on %s", z, r, rs_where());
	cr_expect_geq(d, r, "discard_align %zu < req_align %zu; on %s", d, r, rs_where());
	size_t gran = 0;
	if (rs_conf()->is_dev) {
		gran = t_sector();
	} else {
		struct statvfs sv;
		cr_assert_eq(statvfs(p, &sv), 0);
		gran = (size_t)sv.f_frsize;
	}
	cr_expect_geq(z, gran, "zero_align %zu < the storage's granularity %zu; on %s", z, gran,
		      rs_where());
	cr_expect_geq(d, gran, "discard_align %zu < the storage's granularity %zu; on %s", d, gran,
		      rs_where());
	impl->close(s);
}
