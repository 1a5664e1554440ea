/* SPDX-License-Identifier: MIT */
/* WRITE: data lands, size grows, partial writes. */
#include "suite.h"

#include <signal.h>

RS_CLAUSE_TEST(write, bytes_land_and_nothing_else_changes, "WRITE-DATA-1")
{
	require_fn(write);
	char *want = t_alloc(0, MiB);
	const char *p = t_target(MiB, 50, want);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *w = t_alloc(0, 5 * u);
	t_pattern(w, 5 * u, 51);
	T_OK(t_write(s, w, 5 * u, 7 * u));
	memcpy(want + 7 * u, w, 5 * u);
	T_OK(impl->write(s, w, u, 30 * u));
	memcpy(want + 30 * u, w, u);
	char *got = t_alloc(0, MiB);
	f_read(p, got, MiB, 0);
	t_assert_same(got, want, MiB, 0, "file after writes (plain pread)");
	impl->close(s);
}

RS_CLAUSE_TEST(write, size_grows_to_the_end_of_a_write, "WRITE-GROW-1")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	char *w = t_alloc(0, 4 * u);
	t_pattern(w, 4 * u, 52);
	T_OK(t_write(s, w, 4 * u, 10 * u));
	T_EQ(impl->size(s), 14 * u, "size after a write past the end");
	T_EQ(f_size(p), 14 * u, "length after a write past the end");
	T_OK(t_write(s, w, 2 * u, 3 * u));
	T_EQ(impl->size(s), 14 * u, "size after a write inside");
	T_EQ(f_size(p), 14 * u, "length after a write inside");
	T_OK(t_write(s, w, 4 * u, 12 * u));
	T_EQ(impl->size(s), 16 * u, "size after a write straddling the end");
	impl->close(s);
	s = t_open(p, false);
	T_EQ(impl->size(s), 16 * u, "size after reopening");
	impl->close(s);
}

RS_CLAUSE_TEST(write, partial_writes_continue_or_fail, "WRITE-PARTIAL-1")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	/* The kernel writes up to RLIMIT_FSIZE and stops short; the next call
	 * fails with EFBIG (SIGXFSZ ignored). */
	uint64_t limit = 64 * (uint64_t)u;
	signal(SIGXFSZ, SIG_IGN);
	t_limit_file_size(limit);
	char *w = t_alloc(0, 8 * u);
	t_pattern(w, 8 * u, 53);
	T_ERR(t_write(s, w, 8 * u, limit - 4 * u), EFBIG);
	T_EQ(f_size(p), limit, "length after a write cut at the file-size limit");
	cr_expect_geq(impl->size(s), f_size(p), "size %llu below the file's length %llu; on %s",
		      (unsigned long long)impl->size(s), (unsigned long long)f_size(p), rs_where());
	char *got = t_alloc(0, 4 * u);
	f_read(p, got, 4 * u, limit - 4 * u);
	t_assert_same(got, w, 4 * u, limit - 4 * u, "the part that fitted");
	/* Below the limit, the same handle goes on writing. */
	T_OK(t_write(s, w, 8 * u, 0));
	impl->close(s);
}
