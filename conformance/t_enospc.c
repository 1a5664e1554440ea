/* SPDX-License-Identifier: MIT */
/* ENOSPC: a full filesystem (the tmpfs-small backend). */
#include "suite.h"

#include <sys/statvfs.h>

enum { MiB = 1 << 20 };

static void require_small(void)
{
	if (strcmp(rs_conf()->role, "enospc"))
		cr_skip_test("needs a small filesystem to fill (tmpfs-small)");
}

/* A length larger than the filesystem's free space, a multiple of unit. */
static size_t t_more_than_free(const char *dir_of, size_t unit)
{
	struct statvfs sv;
	cr_assert_eq(statvfs(dir_of, &sv), 0);
	size_t big = (size_t)sv.f_bavail * sv.f_frsize + MiB;
	return (big + unit - 1) / unit * unit;
}

RS_CLAUSE_TEST(enospc, write_reports_enospc_and_keeps_data, "ENOSPC-1 ENOSPC-2")
{
	require_small();
	const char *p = t_file("img");
	f_make(p, 0, 0, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *first = t_alloc(0, 16 * u);
	t_pattern(first, 16 * u, 100);
	T_OK(t_write(s, first, 16 * u, 0));
	size_t big = t_more_than_free(p, u);
	char *b = t_alloc(0, big);
	T_ERR(t_write(s, b, big, 16 * u), ENOSPC);
	cr_assert_geq(I->size(s), f_size(p), "size %llu below the file's length %llu; on %s",
		      (unsigned long long)I->size(s), (unsigned long long)f_size(p), rs_where());
	char *got = t_alloc(0, 16 * u);
	f_read(p, got, 16 * u, 0);
	t_assert_same(got, first, 16 * u, 0, "data written before running out of space");
	/* ENOSPC-2: free the space, write again with the same handle. */
	if (I->resize)
		T_OK(I->resize(s, 16 * u, REFSTOR_PREALLOC_NONE));
	else
		T_OK(I->discard(s, 16 * u, UINT64_MAX / 4));
	T_OK(t_write(s, first, 16 * u, 16 * u));
	f_read(p, got, 16 * u, 16 * u);
	t_assert_same(got, first, 16 * u, 16 * u, "a write after space was freed");
	I->close(s);
}

RS_CLAUSE_TEST(enospc, discard_frees_space_for_the_handle, "ENOSPC-2")
{
	require_small();
	require_fn(discard);
	const char *p = t_file("img");
	f_make(p, 0, 0, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	size_t big = t_more_than_free(p, u);
	char *b = t_alloc(0, big);
	t_pattern(b, big, 101);
	T_ERR(t_write(s, b, big, 0), ENOSPC);
	T_OK(I->discard(s, 0, f_size(p)));
	T_OK(t_write(s, b, 8 * u, 0));
	I->close(s);
}

RS_CLAUSE_TEST(enospc, growing_resize_changes_nothing, "ENOSPC-3")
{
	require_small();
	require_fn(resize);
	const char *p = t_file("img");
	f_make(p, 4096, 102, NULL);
	refstor *s = t_open(p, true);
	uint64_t to = t_more_than_free(p, 1) * 2;
	for (int m = REFSTOR_PREALLOC_ALLOCATE; m <= REFSTOR_PREALLOC_WRITE_DATA; m++) {
		T_ERR(I->resize(s, to, (enum refstor_prealloc)m), ENOSPC);
		T_EQ(I->size(s), 4096,
		     m == 2 ? "size after ALLOCATE ran out of space"
			    : "size after WRITE_DATA ran out of space");
		T_EQ(f_size(p), 4096,
		     m == 2 ? "length after ALLOCATE ran out of space"
			    : "length after WRITE_DATA ran out of space");
	}
	I->close(s);
}
