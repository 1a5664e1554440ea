/* SPDX-License-Identifier: MIT */
/* PROFILE: the keep-length profile, and options a library does not know. */
#include "suite.h"

#include <unistd.h>

/* A tail range, by write_zeroes or discard, under keep-length: the length
 * stays, the size stays after a reopen, the range reads as zeroes where it
 * was punched, and where nothing can be punched write_zeroes says ENOTSUP and
 * discard leaves the data. */
static void assert_tail_kept(bool discard)
{
	require_fs();
	char *want = t_alloc(0, MiB);
	const char *p = t_made("img", MiB, 71, want);
	refstor *s = t_open(p, true);
	size_t u = t_zunit(s);
	uint64_t off = MiB / 2 / u * u; /* aligned, inside */
	if (!off)
		cr_skip_test("zeroing unit %zu too large for a 1 MiB file", u);
	t_sentinel();
	int r = discard ? impl->discard(s, off, 2 * MiB) : impl->write_zeroes(s, off, 2 * MiB);
	uint64_t zeroed = 0; /* how much of the tail reads as zeroes now */
	if (backend_can_punch()) {
		T_OK(r);
		zeroed = MiB - off;
	} else if (discard) {
		T_OK(r);
	} else {
		T_ERR_R(r, ENOTSUP);
	}
	T_EQ(impl->size(s), (uint64_t)MiB, "size after a tail range under keep-length");
	T_EQ(f_size(p), (uint64_t)MiB, "file length after a tail range under keep-length");
	impl->close(s);
	t_assert_zeroed_within(p, want, MiB, MiB - zeroed, zeroed,
			       "file after a tail range under keep-length");
	s = t_open(p, false);
	T_EQ(impl->size(s), (uint64_t)MiB, "size after reopening");
	impl->close(s);
}

RS_CLAUSE_TEST(profile, tail_write_zeroes_keeps_the_length, "PROFILE-KEEP-1")
{
	require_fn(write_zeroes);
	assert_tail_kept(false);
}

RS_CLAUSE_TEST(profile, tail_discard_keeps_the_length, "PROFILE-KEEP-1")
{
	require_fn(discard);
	assert_tail_kept(true);
}

RS_CLAUSE_TEST_ONCE(profile, unknown_options_are_refused, "PROFILE-OPT-1")
{
	require_fn(abi_version);
	if (impl->abi_version() < 100)
		cr_skip_test(RS_NIMP_PREFIX "options of ABI 1.0 (refstor_abi_version() is %u)",
			     impl->abi_version());
	const char *p = t_made("img", 4096, 72, NULL);
	struct f_snap before = f_snap(p);
	refstor *s = NULL;
	struct refstor_open_opts bad = {.path = p, .writable = true};
	bad.reserved[5] = 1;
	t_sentinel();
	T_ERR_R(impl->open(&bad, &s), EINVAL);
	bad = (struct refstor_open_opts){.path = p, .profile = (enum refstor_profile)77};
	t_sentinel();
	T_ERR_R(impl->open(&bad, &s), EINVAL);
	cr_expect(!s, "a refused open handed out a handle; on %s", rs_where());
	t_assert_unchanged(p, &before, "file after refused opens");
	const char *q = t_file("new");
	struct refstor_create_opts c = {.open = {.path = q}, .size = 4096};
	c.reserved[0] = 1;
	if (impl->create) {
		t_sentinel();
		T_ERR_R(impl->create(&c, &s), EINVAL);
		cr_expect(access(q, F_OK) != 0, "a refused create left %s behind; on %s", q,
			  rs_where());
	}
}
