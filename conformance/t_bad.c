/* SPDX-License-Identifier: MIT */
/* BAD: overflow, NULL, misaligned direct I/O; ZERO-ALIGN: unaligned zeroing. */
#include "suite.h"

#include <limits.h>
#include <stdio.h>

/* The ranged calls: the zeroing ones (t_zero_call), then readv and writev,
 * which get a buffer of len bytes. */
enum { CALL_READV = T_ALLOCATED_ZEROES + 1, CALL_WRITEV };
static const char *const call_name[] = {"write_zeroes", "discard", "write_allocated_zeroes",
					"readv", "writev"};

/* offset + length wraps or passes INT64_MAX: -EINVAL (or -EFBIG), and the
 * file keeps its length and bytes.  (The original truncates the file when a
 * zeroing length overflows: the ADD.) */
static void assert_bad_ranges_refused(int call)
{
	bool iovec = call >= CALL_READV;
	const char *p = t_target(MiB, 110, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	uint64_t size = impl->size(s);
	size_t u = t_unit(s);
	char *b = t_alloc(0, u);
	struct {
		uint64_t off, len;
	} bad[] = {
	    {UINT64_MAX, u},
	    {UINT64_MAX - u + 1, u},
	    {(uint64_t)INT64_MAX + 1, u},
	    {(uint64_t)INT64_MAX - u / 2, u},
	    /* lengths that overflow from a small offset (zeroing calls only) */
	    {u, UINT64_MAX - u + 1},
	    {0, (uint64_t)INT64_MAX + 1},
	    {u, UINT64_MAX},
	    {size - u, UINT64_MAX - size + 2 * u},
	};
	size_t n = sizeof(bad) / sizeof(bad[0]);
	for (size_t i = 0; i < (iovec ? 4 : n); i++) {
		char expr[160];
		snprintf(expr, sizeof(expr), "%s(offset %llu, length %llu)", call_name[call],
			 (unsigned long long)bad[i].off, (unsigned long long)bad[i].len);
		t_sentinel();
		int r = call == CALL_READV    ? t_read(s, b, (size_t)bad[i].len, bad[i].off)
			: call == CALL_WRITEV ? t_write(s, b, (size_t)bad[i].len, bad[i].off)
					      : t_zero_call(call, s, bad[i].off, bad[i].len);
		static const int want[] = {EINVAL, EFBIG};
		t_check_err(expr, r, want, 2, "EINVAL, EFBIG");
	}
	T_EQ(impl->size(s), size, "size after refused calls");
	impl->close(s);
	t_assert_unchanged(p, &before, "file after refused calls");
}

RS_CLAUSE_TEST_ONCE(bad, readv_range_past_int64_max, "BAD-RANGE-1")
{
	assert_bad_ranges_refused(CALL_READV);
}

RS_CLAUSE_TEST_ONCE(bad, writev_range_past_int64_max, "BAD-RANGE-1")
{
	assert_bad_ranges_refused(CALL_WRITEV);
}

RS_CLAUSE_TEST_ONCE(bad, write_zeroes_range_past_int64_max, "BAD-RANGE-1")
{
	require_fn(write_zeroes);
	assert_bad_ranges_refused(T_WRITE_ZEROES);
}

RS_CLAUSE_TEST_ONCE(bad, discard_range_past_int64_max, "BAD-RANGE-1")
{
	require_fn(discard);
	assert_bad_ranges_refused(T_DISCARD);
}

RS_CLAUSE_TEST_ONCE(bad, write_allocated_zeroes_range_past_int64_max, "BAD-RANGE-1")
{
	require_fn(write_allocated_zeroes);
	assert_bad_ranges_refused(T_ALLOCATED_ZEROES);
}

RS_CLAUSE_TEST_ONCE(bad, null_handles, "BAD-NULL-1")
{
	require_fn(read);
	require_fn(write);
	require_fn(write_zeroes);
	require_fn(discard);
	require_fn(write_allocated_zeroes);
	require_fn(resize);
	require_fn(flush);
	require_fn(sync);
	require_fn(invalidate_cache);
	require_fn(describe);
	require_fn(resolve_relative_path);
	require_fn(req_align);
	require_fn(mem_align);
	require_fn(zero_align);
	require_fn(discard_align);
	require_fn(filename);
	char b[16];
	char *out = NULL;
	struct iovec v = {b, sizeof(b)};
	T_ERR(impl->readv(NULL, &v, 1, 0), EINVAL);
	T_ERR(impl->writev(NULL, &v, 1, 0), EINVAL);
	T_EQ(impl->size(NULL), 0, "size(NULL)");
	T_ERR(impl->read(NULL, b, 1, 0), EINVAL);
	T_ERR(impl->write(NULL, b, 1, 0), EINVAL);
	T_ERR(impl->write_zeroes(NULL, 0, 1), EINVAL);
	T_ERR(impl->discard(NULL, 0, 1), EINVAL);
	T_ERR(impl->write_allocated_zeroes(NULL, 0, 1), EINVAL);
	T_ERR(impl->resize(NULL, 0, REFSTOR_PREALLOC_NONE), EINVAL);
	T_ERR(impl->flush(NULL), EINVAL);
	T_ERR(impl->sync(NULL), EINVAL);
	T_ERR(impl->invalidate_cache(NULL), EINVAL);
	T_ERR(impl->describe(NULL, b, sizeof(b)), EINVAL);
	T_ERR(impl->resolve_relative_path(NULL, "x", &out), EINVAL);
	T_EQ(impl->req_align(NULL), 0, "req_align(NULL)");
	T_EQ(impl->mem_align(NULL), 0, "mem_align(NULL)");
	T_EQ(impl->zero_align(NULL), 0, "zero_align(NULL)");
	T_EQ(impl->discard_align(NULL), 0, "discard_align(NULL)");
	cr_expect_null(impl->filename(NULL), "filename(NULL) must be NULL; on %s", rs_where());
	impl->close(NULL);
}

RS_CLAUSE_TEST_ONCE(bad, bad_vectors, "BAD-NULL-1")
{
	char b[16];
	struct iovec v = {b, sizeof(b)};
	const char *p = t_target(MiB, 111, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	T_ERR(impl->writev(s, NULL, 1, 0), EINVAL);
	T_ERR(impl->readv(s, NULL, 2, 0), EINVAL);
	T_ERR(impl->writev(s, &v, -1, 0), EINVAL);
	struct iovec nullbuf = {NULL, 512};
	T_ERR(impl->writev(s, &nullbuf, 1, 0), EINVAL);
	T_ERR(impl->readv(s, &nullbuf, 1, 0), EINVAL);
	/* Lengths that add up past SSIZE_MAX: refused, whichever errno. */
	struct iovec huge[2] = {{b, SSIZE_MAX}, {b, SSIZE_MAX}};
	T_FAILS(impl->writev(s, huge, 2, 0));
	T_FAILS(impl->readv(s, huge, 2, 0));
	impl->close(s);
	t_assert_unchanged(p, &before, "file after refused vectors");
}

RS_CLAUSE_TEST(bad, misaligned_direct_requests, "BAD-ALIGN-1")
{
	require_direct();
	require_fn(read);
	require_fn(write);
	const char *p = t_target(MiB, 112, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t req = t_req(s), mem = t_mem(s);
	if (req < 2)
		cr_skip_test("%s needs no alignment for direct I/O (req_align 1)",
			     rs_conf()->backend);
	char *b = t_alloc(0, 4 * req);
	T_ERR(t_read(s, b, req, 1), EINVAL);
	T_ERR(t_read(s, b, req - 1, 0), EINVAL);
	T_ERR(t_write(s, b, req, req / 2), EINVAL);
	T_ERR(t_write(s, b, req + 1, 0), EINVAL);
	T_ERR(impl->read(s, b, req, req / 2), EINVAL);
	T_ERR(impl->write(s, b, req + 1, 0), EINVAL);
	if (mem > 1) {
		T_ERR(t_read(s, b + 1, req, 0), EINVAL);
		T_ERR(t_write(s, b + mem / 2, req, 0), EINVAL);
	}
	struct iovec v[2] = {{b, req}, {b + req, req / 2}};
	T_ERR(impl->writev(s, v, 2, 0), EINVAL);
	impl->close(s);
	t_assert_unchanged(p, &before, "file after refused misaligned requests");
}

/* An unaligned zeroing request: the original leaves alignment to its caller,
 * so an implementation may either zero exactly that range or refuse it with
 * -EINVAL, changing nothing.  Never anything in between.  Geometries: across
 * several units, inside one unit (less than a sector), and on a device one
 * that starts unaligned and runs past the end. */
static void assert_exact_or_refused(enum t_zeroing which)
{
	enum { SPAN = 2 * MiB };
	for (int g = 0; g < 3; g++) {
		if (g == 2 && (!rs_conf()->is_dev || which == T_ALLOCATED_ZEROES))
			break; /* files truncate there (ZERO-TRUNC); allocation: DEV-END-1 */
		char *want = t_alloc(0, SPAN);
		const char *p = t_target(SPAN, 113 + (unsigned)which, want);
		refstor *s = t_open(p, true);
		struct f_snap before = f_snap(p);
		size_t za = t_zunit(s);
		uint64_t size = impl->size(s), base = 0;
		uint64_t off = za + 100, len = 3 * za + 77;
		if (g == 1)
			off = 2 * za + 10, len = 50;
		if (g == 2) {
			/* The device's last SPAN bytes hold the pattern, from base on. */
			base = size - SPAN;
			f_write(p, want, SPAN, base);
			before = f_snap(p);
			off = size - 2 * za + 100, len = 4 * za;
		}
		t_sentinel();
		int r = t_zero_call(which, s, off, len);
		char what[128];
		snprintf(what, sizeof(what), "%s(offset %llu, length %llu), unaligned",
			 call_name[which], (unsigned long long)off, (unsigned long long)len);
		bool can =
		    which == T_ALLOCATED_ZEROES ? backend_can_zero_range() : backend_can_punch();
		if (r == -EINVAL || (r == -ENOTSUP && which != T_DISCARD && !can) ||
		    (r == 0 && which == T_DISCARD && !can)) {
			if (r < 0)
				T_ERR_R(r, EINVAL, ENOTSUP);
			impl->close(s);
			/* A discard that does nothing is still a correct discard. */
			t_assert_unchanged(p, &before, what);
			continue;
		}
		cr_expect_eq(r, 0,
			     "%s: expected 0 (exact zeroing) or -EINVAL (nothing changed), got %d "
			     "(%s); on %s",
			     what, r, strerror(-r), rs_where());
		if (r == 0) {
			char *got = t_alloc(0, SPAN);
			f_read(p, got, SPAN, base);
			uint64_t end = off + len < base + SPAN ? off + len : base + SPAN;
			t_assert_same(got, want, off - base, base, what);
			t_assert_zero(got + (off - base), end - off, off, what);
			t_assert_same(got + (end - base), want + (end - base), base + SPAN - end,
				      end, what);
		}
		T_EQ(impl->size(s), before.size, what);
		impl->close(s);
	}
}

RS_CLAUSE_TEST(zero, unaligned_write_zeroes_is_exact_or_refused, "ZERO-ALIGN-1")
{
	require_fn(write_zeroes);
	assert_exact_or_refused(T_WRITE_ZEROES);
}

RS_CLAUSE_TEST(zero, unaligned_discard_is_exact_or_refused, "ZERO-ALIGN-1")
{
	require_fn(discard);
	assert_exact_or_refused(T_DISCARD);
}

RS_CLAUSE_TEST(zero, unaligned_allocated_zeroes_are_exact_or_refused, "ZERO-ALIGN-1")
{
	require_fn(write_allocated_zeroes);
	assert_exact_or_refused(T_ALLOCATED_ZEROES);
}
