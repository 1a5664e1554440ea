/* SPDX-License-Identifier: MIT */
/* BAD: overflow, NULL, misaligned direct I/O. */
#include "suite.h"

#include <limits.h>

enum { MiB = 1 << 20 };

RS_CLAUSE_TEST(bad, ranges_past_int64_max, "BAD-RANGE-1")
{
	const char *p = t_target(MiB, 110, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *b = t_alloc(0, u);
	const uint64_t bad_off[] = {UINT64_MAX, UINT64_MAX - u + 1, (uint64_t)INT64_MAX + 1,
				    (uint64_t)INT64_MAX - u / 2};
	for (size_t i = 0; i < sizeof(bad_off) / sizeof(bad_off[0]); i++) {
		uint64_t o = bad_off[i];
		T_ERR2(t_write(s, b, u, o), EINVAL, EFBIG);
		T_ERR2(t_read(s, b, u, o), EINVAL, EFBIG);
		if (I->write_zeroes)
			T_ERR2(I->write_zeroes(s, o, u), EINVAL, EFBIG);
		if (I->discard)
			T_ERR2(I->discard(s, o, u), EINVAL, EFBIG);
		if (I->write_allocated_zeroes)
			T_ERR2(I->write_allocated_zeroes(s, o, u), EINVAL, EFBIG);
	}
	/* Lengths that overflow from a small offset. */
	if (I->write_zeroes)
		T_ERR2(I->write_zeroes(s, u, UINT64_MAX - u + 1), EINVAL, EFBIG);
	if (I->discard)
		T_ERR2(I->discard(s, 0, (uint64_t)INT64_MAX + 1), EINVAL, EFBIG);
	if (I->write_allocated_zeroes)
		T_ERR2(I->write_allocated_zeroes(s, u, UINT64_MAX), EINVAL, EFBIG);
	T_EQ(I->size(s), before.size, "size after refused calls");
	I->close(s);
	t_assert_unchanged(p, &before, "file after refused calls");
}

RS_CLAUSE_TEST(bad, null_handles_and_vectors, "BAD-NULL-1")
{
	char b[16];
	struct iovec v = {b, sizeof(b)};
	T_ERR(I->readv(NULL, &v, 1, 0), EINVAL);
	T_ERR(I->writev(NULL, &v, 1, 0), EINVAL);
	T_EQ(I->size(NULL), 0, "size(NULL)");
	if (I->read)
		T_ERR(I->read(NULL, b, 1, 0), EINVAL);
	if (I->write)
		T_ERR(I->write(NULL, b, 1, 0), EINVAL);
	if (I->write_zeroes)
		T_ERR(I->write_zeroes(NULL, 0, 1), EINVAL);
	if (I->discard)
		T_ERR(I->discard(NULL, 0, 1), EINVAL);
	if (I->write_allocated_zeroes)
		T_ERR(I->write_allocated_zeroes(NULL, 0, 1), EINVAL);
	if (I->resize)
		T_ERR(I->resize(NULL, 0, REFSTOR_PREALLOC_NONE), EINVAL);
	if (I->flush)
		T_ERR(I->flush(NULL), EINVAL);
	if (I->sync)
		T_ERR(I->sync(NULL), EINVAL);
	if (I->invalidate_cache)
		T_ERR(I->invalidate_cache(NULL), EINVAL);
	if (I->describe)
		T_ERR(I->describe(NULL, b, sizeof(b)), EINVAL);
	if (I->req_align)
		T_EQ(I->req_align(NULL), 0, "req_align(NULL)");
	if (I->mem_align)
		T_EQ(I->mem_align(NULL), 0, "mem_align(NULL)");
	if (I->zero_align)
		T_EQ(I->zero_align(NULL), 0, "zero_align(NULL)");
	if (I->discard_align)
		T_EQ(I->discard_align(NULL), 0, "discard_align(NULL)");
	if (I->filename)
		cr_assert_null(I->filename(NULL), "filename(NULL) must be NULL; on %s", rs_where());
	I->close(NULL);

	const char *p = t_target(MiB, 111, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s = t_open(p, true);
	T_ERR(I->writev(s, NULL, 1, 0), EINVAL);
	T_ERR(I->readv(s, NULL, 2, 0), EINVAL);
	T_ERR(I->writev(s, &v, -1, 0), EINVAL);
	struct iovec nullbuf = {NULL, 512};
	T_ERR(I->writev(s, &nullbuf, 1, 0), EINVAL);
	T_ERR(I->readv(s, &nullbuf, 1, 0), EINVAL);
	struct iovec huge[2] = {{b, SSIZE_MAX}, {b, SSIZE_MAX}};
	T_ERR(I->writev(s, huge, 2, 0), EINVAL);
	T_ERR(I->readv(s, huge, 2, 0), EINVAL);
	I->close(s);
	t_assert_unchanged(p, &before, "file after refused vectors");
}

RS_CLAUSE_TEST(bad, misaligned_direct_requests, "BAD-ALIGN-1")
{
	require_direct();
	const char *p = t_target(MiB, 112, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s = t_open(p, true);
	size_t req = t_req(s), mem = t_mem(s);
	if (req < 2)
		cr_skip_test("%s needs no alignment for direct I/O (req_align 1)",
			     rs_conf()->backend);
	char *b = t_alloc(0, 4 * req);
	T_ERR(t_read(s, b, req, 1), EINVAL);
	T_ERR(t_read(s, b, req - 1, 0), EINVAL);
	T_ERR(t_write(s, b, req, req / 2), EINVAL);
	T_ERR(t_write(s, b, req + 1, 0), EINVAL);
	if (mem > 1) {
		T_ERR(t_read(s, b + 1, req, 0), EINVAL);
		T_ERR(t_write(s, b + mem / 2, req, 0), EINVAL);
	}
	struct iovec v[2] = {{b, req}, {b + req, req / 2}};
	T_ERR(I->writev(s, v, 2, 0), EINVAL);
	if (I->write_zeroes)
		T_ERR(I->write_zeroes(s, req / 2, req), EINVAL);
	if (I->discard)
		T_ERR(I->discard(s, 0, req + 1), EINVAL);
	if (I->write_allocated_zeroes)
		T_ERR(I->write_allocated_zeroes(s, 1, req), EINVAL);
	I->close(s);
	t_assert_unchanged(p, &before, "file after refused misaligned requests");
}
