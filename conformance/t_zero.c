/* SPDX-License-Identifier: MIT */
/* ZERO: write_zeroes and discard, in the middle and at the tail. */
#include "suite.h"
#include "faults/faults.h"

RS_CLAUSE_TEST(zero, middle_write_zeroes, "ZERO-MID-1")
{
	require_fn(write_zeroes);
	char *want = t_alloc(0, 4 * MiB);
	const char *p = t_target(4 * MiB, 60, want);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t u = t_zunit(s);
	uint64_t off = MiB + 3 * u, len = MiB + 5 * u;
	t_sentinel();
	int r = impl->write_zeroes(s, off, len);
	if (!backend_can_punch()) {
		T_ERR_R(r, ENOTSUP);
		impl->close(s);
		t_assert_unchanged(p, &before, "file after an unsupported write_zeroes");
		return;
	}
	T_OK(r);
	t_assert_zeroed_within(p, want, 4 * MiB, off, len, "write_zeroes inside the file");
	T_EQ(impl->size(s), before.size, "size after write_zeroes inside");
	T_EQ(f_size(p), before.size, "length after write_zeroes inside");
	impl->close(s);
}

static void assert_deallocates(bool discard)
{
	require_punch();
	const char *p = t_target(4 * MiB, 61, NULL);
	refstor *s = t_open(p, true);
	uint64_t before = f_blocks(p);
	T_OK(t_zero_call(discard ? T_DISCARD : T_WRITE_ZEROES, s, MiB, 2 * MiB));
	T_OK(impl->sync(s));
	uint64_t after = f_blocks(p);
	cr_expect_lt(after, before,
		     "%s: st_blocks expected to fall, %llu before, %llu after; on %s",
		     discard ? "discard" : "write_zeroes", (unsigned long long)before,
		     (unsigned long long)after, rs_where());
	uint64_t hole = f_next_hole(p, MiB);
	cr_expect_lt(hole, 3 * MiB,
		     "%s: SEEK_HOLE from 1 MiB found %llu, no hole in the range; on %s",
		     discard ? "discard" : "write_zeroes", (unsigned long long)hole, rs_where());
	impl->close(s);
}

RS_CLAUSE_TEST(zero, write_zeroes_deallocates, "ZERO-MID-2")
{
	require_fs();
	require_fn(write_zeroes);
	require_fn(sync);
	assert_deallocates(false);
}

RS_CLAUSE_TEST(zero, discard_deallocates, "ZERO-MID-2")
{
	require_fs();
	require_fn(discard);
	require_fn(sync);
	assert_deallocates(true);
}

RS_CLAUSE_TEST(zero, middle_discard, "ZERO-DISCARD-1")
{
	require_fn(discard);
	char *want = t_alloc(0, 2 * MiB);
	const char *p = t_target(2 * MiB, 62, want);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t u = t_zunit(s);
	T_OK(impl->discard(s, 4 * u, 9 * u));
	if (backend_can_punch()) {
		t_assert_zeroed_within(p, want, 2 * MiB, 4 * u, 9 * u, "discard inside the file");
	} else {
		impl->close(s);
		t_assert_unchanged(p, &before,
				   "file after a discard where holes cannot be punched");
		return;
	}
	T_EQ(impl->size(s), before.size, "size after a discard inside");
	impl->close(s);
}

/* Discard-by-truncate, one clause per test: each test makes the same calls and
 * checks only what its clause says, so a failure is charged to that clause. */
enum tail_check { TAIL_LENGTH, TAIL_SIZE, TAIL_REOPEN };

static void assert_tail_truncation(bool discard, bool exact_end, enum tail_check check)
{
	const char *p = t_file("img");
	size_t u = t_zunit_here();
	/* 400 units of data; zero from unit 100 to the end or beyond. */
	size_t size = 400 * u;
	char *want = t_alloc(0, size);
	f_make(p, size, 63, want);
	refstor *s = t_open(p, true);
	uint64_t off = 100 * u;
	uint64_t len = exact_end ? size - off : 2 * size;
	T_OK(discard ? impl->discard(s, off, len) : impl->write_zeroes(s, off, len));
	if (check == TAIL_LENGTH)
		T_EQ(f_size(p), off, "length after a zeroing that reaches the end");
	char *got = t_alloc(0, size);
	if (check == TAIL_SIZE) {
		T_EQ(impl->size(s), size, "the handle's size after discard-by-truncate");
		memset(got, 0xff, size);
		T_OK(t_read(s, got, size, 0));
		t_assert_same(got, want, off, 0, "bytes before the truncation point");
		t_assert_zero(got + off, size - off, off, "between the new end and the size");
	}
	char *w = t_alloc(0, u);
	t_pattern(w, u, 64);
	T_OK(t_write(s, w, u, 300 * u));
	if (check == TAIL_SIZE) {
		memset(got, 0xff, size);
		T_OK(t_read(s, got, 301 * u, 0));
		t_assert_zero(got + off, 200 * u, off, "gap before a write after truncation");
		t_assert_same(got + 300 * u, w, u, 300 * u, "a write after truncation");
	}
	impl->close(s);
	if (check == TAIL_REOPEN) {
		s = t_open(p, false);
		T_EQ(impl->size(s), 301 * u, "size after reopening");
		impl->close(s);
	}
}

#define TAIL_TEST(name, clause, by_discard, exact, check)            \
	RS_CLAUSE_TEST(zero, name, clause)                           \
	{                                                            \
		require_fs();                                        \
		/* The length and the reopen see the cut. */         \
		if ((check) != TAIL_SIZE)                            \
			require_unlimited(REFSTOR_LIMIT_FIXED_SIZE); \
		if (by_discard)                                      \
			require_fn(discard);                         \
		else                                                 \
			require_fn(write_zeroes);                    \
		assert_tail_truncation(by_discard, exact, check);    \
	}
TAIL_TEST(tail_write_zeroes_truncates, "ZERO-TRUNC-1", false, false, TAIL_LENGTH)
TAIL_TEST(tail_discard_truncates, "ZERO-TRUNC-1", true, false, TAIL_LENGTH)
TAIL_TEST(range_ending_at_the_size_truncates, "ZERO-TRUNC-1", true, true, TAIL_LENGTH)
TAIL_TEST(tail_write_zeroes_keeps_the_size, "ZERO-TRUNC-2", false, false, TAIL_SIZE)
TAIL_TEST(tail_discard_keeps_the_size, "ZERO-TRUNC-2", true, false, TAIL_SIZE)
TAIL_TEST(tail_write_zeroes_then_reopen, "ZERO-TRUNC-3", false, false, TAIL_REOPEN)
TAIL_TEST(tail_discard_then_reopen, "ZERO-TRUNC-3", true, false, TAIL_REOPEN)

RS_CLAUSE_TEST(zero, truncation_then_reopen_reports_the_length, "ZERO-TRUNC-3")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_fs();
	require_fn(write_zeroes);
	const char *p = t_made("img", MiB, 65, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_zunit(s);
	if (7 * u >= MiB)
		cr_skip_test("zeroing unit %zu too large for a 1 MiB file", u);
	T_OK(impl->write_zeroes(s, 7 * u, MiB));
	impl->close(s);
	s = t_open(p, false);
	T_EQ(impl->size(s), 7 * u, "size after reopening a truncated file");
	impl->close(s);
}

RS_CLAUSE_TEST(zero, at_or_past_the_size_changes_nothing, "ZERO-PAST-1")
{
	require_fn(write_zeroes);
	require_fn(discard);
	const char *p = t_target(MiB, 66, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	uint64_t size = impl->size(s);
	size_t u = t_zunit(s);
	T_OK(impl->write_zeroes(s, size, 4 * u));
	T_OK(impl->write_zeroes(s, size + 100 * u, 4 * u));
	T_OK(impl->write_zeroes(s, 0, 0));
	T_OK(impl->write_zeroes(s, 3 * u, 0));
	T_OK(impl->discard(s, size, 4 * u));
	T_OK(impl->discard(s, 3 * u, 0));
	T_EQ(impl->size(s), size, "size after zeroing past the end");
	impl->close(s);
	t_assert_unchanged(p, &before, "file after zeroing past its end");
}

RS_CLAUSE_TEST(zero, unsupported_punch, "ZERO-UNSUP-1")
{
	require_fs();
	require_fn(write_zeroes);
	require_fn(discard);
	if (backend_can_punch())
		cr_skip_test("%s can punch holes", rs_conf()->backend);
	const char *p = t_made("img", MiB, 67, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t u = t_zunit(s);
	T_ERR(impl->write_zeroes(s, 2 * u, 5 * u), ENOTSUP);
	T_OK(impl->discard(s, 2 * u, 5 * u));
	impl->close(s);
	t_assert_unchanged(p, &before, "file after unsupported zeroing");
}

RS_CLAUSE_TEST(zero, unsupported_is_remembered, "ZERO-UNSUP-2")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fs();
	require_fn(write_zeroes);
	require_fn(discard);
	if (backend_can_punch())
		cr_skip_test("%s can punch holes", rs_conf()->backend);
	const char *p = t_made("img", MiB, 68, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_zunit(s);
	cr_assert_eq(rs_fault_watch(p), 0);
	rs_fault_count_reset();
	T_ERR(impl->write_zeroes(s, 2 * u, 5 * u), ENOTSUP);
	if (!rs_fault_count(RS_CALL_FALLOCATE))
		cr_skip_test("%s made no libc fallocate call: the interposer cannot observe it",
			     rs_conf()->impl);
	rs_fault_count_reset();
	T_ERR(impl->write_zeroes(s, 20 * u, 5 * u), ENOTSUP);
	T_OK(impl->discard(s, 40 * u, 5 * u));
	T_EQ(rs_fault_count(RS_CALL_FALLOCATE), 0,
	     "fallocate calls after the first -ENOTSUP (must be remembered)");
	impl->close(s);
}
