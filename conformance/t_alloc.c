/* SPDX-License-Identifier: MIT */
/* ALLOC: write_allocated_zeroes. */
#include "suite.h"

RS_CLAUSE_TEST(alloc, zeroes_stay_allocated, "ALLOC-ZERO-1")
{
	require_fn(write_allocated_zeroes);
	require_fn(sync);
	char *want = t_alloc(0, 4 * MiB);
	const char *p = t_target(4 * MiB, 70, want);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t u = t_zunit(s);
	uint64_t off = MiB + 3 * u, len = MiB + 7 * u;
	t_sentinel();
	int r = impl->write_allocated_zeroes(s, off, len);
	if (!backend_can_zero_range()) {
		T_ERR_R(r, ENOTSUP);
		impl->close(s);
		t_assert_unchanged(p, &before, "file after unsupported allocated zeroes");
		return;
	}
	T_OK(r);
	t_assert_zeroed_within(p, want, 4 * MiB, off, len, "allocated zeroes");
	if (!rs_conf()->is_dev) {
		T_OK(impl->sync(s));
		/* st_blocks, not SEEK_HOLE: filesystems may report allocated
		 * but unwritten extents as holes (btrfs does). */
		cr_expect_geq(f_blocks(p), 4 * MiB / 512,
			      "st_blocks %llu does not cover the 4 MiB file: the zeroed range "
			      "was deallocated; on %s",
			      (unsigned long long)f_blocks(p), rs_where());
	}
	impl->close(s);
}

RS_CLAUSE_TEST(alloc, past_the_end_grows, "ALLOC-GROW-1")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_fs();
	require_fn(write_allocated_zeroes);
	require_zero_range();
	const char *p = t_made("img", MiB, 71, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_zunit(s);
	T_OK(impl->write_allocated_zeroes(s, MiB - 2 * u, 6 * u));
	T_EQ(impl->size(s), MiB + 4 * u, "size after allocated zeroes past the end");
	T_EQ(f_size(p), MiB + 4 * u, "length after allocated zeroes past the end");
	char *got = t_alloc(0, 6 * u);
	memset(got, 0xff, 6 * u);
	T_OK(t_read(s, got, 6 * u, MiB - 2 * u));
	t_assert_zero(got, 6 * u, MiB - 2 * u, "allocated zeroes past the end");
	impl->close(s);
}
