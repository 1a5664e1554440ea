/* SPDX-License-Identifier: MIT */
/* RESIZE: shrinking, growing in four modes, bad arguments. */
#include "suite.h"
#include "names.h"

#include <stdio.h>
#include <unistd.h>

RS_CLAUSE_TEST(resize, shrink_and_equal, "RESIZE-SHRINK-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_fn(resize);
	char *want = t_alloc(0, MiB);
	const char *p = t_made("img", MiB, 80, want);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	for (int m = REFSTOR_PREALLOC_MODES - 1; m >= 0; m--) {
		uint64_t to = (uint64_t)(100 + 50 * m) * u;
		T_OK(impl->resize(s, to, (enum refstor_prealloc)m));
		T_EQ(impl->size(s), to, refstor_prealloc_name(m));
		T_EQ(f_size(p), to, refstor_prealloc_name(m));
	}
	T_OK(impl->resize(s, 100 * u, REFSTOR_PREALLOC_WRITE_DATA));
	T_EQ(f_size(p), 100 * u, "length after resizing to the same size");
	char *got = t_alloc(0, 100 * u);
	T_OK(t_read(s, got, 100 * u, 0));
	t_assert_same(got, want, 100 * u, 0, "bytes kept by shrinking");
	impl->close(s);
}

RS_CLAUSE_TEST(resize, grow_in_every_mode, "RESIZE-GROW-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_fn(resize);
	bool can_allocate = backend_can_fallocate();
	for (int m = 0; m < REFSTOR_PREALLOC_MODES; m++) {
		const char *p = t_made(refstor_prealloc_name(m), 4096, 81, NULL);
		refstor *s = t_open(p, true);
		/* The file as opening left it: what open did is OPEN-NOMOD's.  The
		 * old bytes are those below the handle's size; the grown range
		 * starts past both the size and the length. */
		uint64_t size0 = impl->size(s), len0 = f_size(p);
		uint64_t keep = size0 < len0 ? size0 : len0, from = size0 > len0 ? size0 : len0;
		char *old = t_alloc(0, (size_t)keep);
		f_read(p, old, (size_t)keep, 0);
		size_t u = t_unit(s);
		uint64_t to = 2 * MiB + 3 * u;
		t_sentinel();
		int r = impl->resize(s, to, (enum refstor_prealloc)m);
		if (m == REFSTOR_PREALLOC_ALLOCATE && !can_allocate) {
			T_ERR_R(r, ENOTSUP);
			T_EQ(impl->size(s), size0, "size after an unsupported ALLOCATE");
			T_EQ(f_size(p), len0, "length after an unsupported ALLOCATE");
			impl->close(s);
			continue;
		}
		T_OK(r);
		T_EQ(impl->size(s), to, refstor_prealloc_name(m));
		T_EQ(f_size(p), to, refstor_prealloc_name(m));
		char *got = t_alloc(0, (size_t)to);
		memset(got, 0xff, (size_t)to);
		T_OK(t_read(s, got, (size_t)to, 0));
		t_assert_same(got, old, (size_t)keep, 0, "old bytes after growing");
		char what[64];
		snprintf(what, sizeof(what), "grown range (%s)", refstor_prealloc_name(m));
		t_assert_zero(got + from, (size_t)(to - from), from, what);
		impl->close(s);
	}
}

RS_CLAUSE_TEST(resize, allocate_and_write_data_allocate, "RESIZE-ALLOC-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_fn(resize);
	require_fn(sync);
	bool can_allocate = backend_can_fallocate();
	for (int m = REFSTOR_PREALLOC_ALLOCATE; m <= REFSTOR_PREALLOC_WRITE_DATA; m++) {
		if (m == REFSTOR_PREALLOC_ALLOCATE && !can_allocate)
			continue;
		const char *p = t_made(refstor_prealloc_name(m), 0, 0, NULL);
		refstor *s = t_open(p, true);
		T_OK(impl->resize(s, 4 * MiB, (enum refstor_prealloc)m));
		T_OK(impl->sync(s));
		cr_expect_geq(f_blocks(p), 4 * MiB / 512,
			      "%s: st_blocks %llu does not cover the 4 MiB added; on %s",
			      refstor_prealloc_name(m), (unsigned long long)f_blocks(p),
			      rs_where());
		impl->close(s);
	}
}

RS_CLAUSE_TEST(resize, none_and_zero_are_sparse, "RESIZE-SPARSE-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_fn(resize);
	require_fn(sync);
	const char *p = t_made("probe", 0, 0, NULL);
	cr_assert_eq(truncate(p, 8 * MiB), 0);
	if (f_blocks(p) >= 8 * MiB / 512)
		cr_skip_test("%s has no sparse files", rs_conf()->backend);
	for (int m = REFSTOR_PREALLOC_NONE; m <= REFSTOR_PREALLOC_ZERO; m++) {
		const char *q = t_made(refstor_prealloc_name(m), 0, 0, NULL);
		refstor *s = t_open(q, true);
		T_OK(impl->resize(s, 8 * MiB, (enum refstor_prealloc)m));
		T_OK(impl->sync(s));
		cr_expect_lt(f_blocks(q), 8 * MiB / 512 / 2,
			     "%s: growing allocated %llu blocks of 8 MiB; on %s",
			     refstor_prealloc_name(m), (unsigned long long)f_blocks(q), rs_where());
		impl->close(s);
	}
}

RS_CLAUSE_TEST(resize, write_data_on_a_direct_handle, "RESIZE-DIRECT-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_direct();
	require_fn(resize);
	const char *p = t_made("img", 1000, 82, NULL);
	refstor *s = t_open(p, true);
	size_t req = t_req(s);
	if (req < 2)
		cr_skip_test("%s needs no alignment for direct I/O", rs_conf()->backend);
	T_OK(impl->resize(s, 5 * req + 77, REFSTOR_PREALLOC_WRITE_DATA));
	T_EQ(f_size(p), 5 * req + 77, "length after WRITE_DATA to an unaligned size");
	char *b = t_alloc(0, req);
	/* Still direct: a misaligned offset is refused (an offset, not the
	 * buffer: an implementation may need no memory alignment at all). */
	T_ERR(t_read(s, b, req, 1), EINVAL);
	uint64_t grown = (1000 + req - 1) / req * req; /* first block wholly past the old end */
	T_OK(t_read(s, b, req, grown));
	t_assert_zero(b, req, grown, "grown range on a direct handle");
	impl->close(s);

	/* What refstor-fsx found on xfs: zeroes written around the cache must
	 * be on disk before direct I/O resumes, or a direct read over them
	 * fails with EIO ("Direct I/O collision with buffered writes"). */
	const char *q = t_made("after-allocated-zeroes", 0, 0, NULL);
	s = t_open(q, true);
	if (impl->write_allocated_zeroes)
		(void)impl->write_allocated_zeroes(s, 232 * req, req);
	else
		T_OK(impl->resize(s, 233 * req, REFSTOR_PREALLOC_NONE));
	T_OK(impl->resize(s, 237 * req, REFSTOR_PREALLOC_WRITE_DATA));
	char *w = t_alloc(t_mem(s), req), *r = t_alloc(t_mem(s), 126 * req);
	t_pattern(w, req, 84);
	T_OK(t_write(s, w, req, 237 * req));
	T_OK(t_read(s, r, 126 * req, 130 * req));
	t_assert_same(r + 107 * req, w, req, 237 * req,
		      "data past a WRITE_DATA resize, read direct");
	impl->close(s);
}

RS_CLAUSE_TEST_ONCE(resize, bad_mode_and_size, "RESIZE-BAD-1")
{
	require_fn(resize);
	const char *p = t_target(MiB, 83, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	T_ERR(impl->resize(s, 2 * MiB, (enum refstor_prealloc)7), EINVAL);
	T_ERR(impl->resize(s, UINT64_MAX, REFSTOR_PREALLOC_NONE), EINVAL);
	T_ERR(impl->resize(s, (uint64_t)INT64_MAX + 1, REFSTOR_PREALLOC_WRITE_DATA), EINVAL);
	T_EQ(impl->size(s), before.size, "size after refused resizes");
	impl->close(s);
	t_assert_unchanged(p, &before, "file after refused resizes");
}
