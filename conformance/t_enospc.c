/* SPDX-License-Identifier: MIT */
/* ENOSPC: a full filesystem (the tmpfs-small backend). */
#include "suite.h"
#include "names.h"
#include "sys.h"

#include <fcntl.h>
#include <stdio.h>

#include <sys/statvfs.h>

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

/* 16 units written, then a write larger than the free space: returns what
 * that write returned. */
static int fill_up(refstor *s, const char *p, size_t u, char *first)
{
	t_pattern(first, 16 * u, 100);
	T_OK(t_write(s, first, 16 * u, 0));
	size_t big = t_more_than_free(p, u);
	char *b = t_alloc(0, big);
	t_sentinel();
	return t_write(s, b, big, 16 * u);
}

RS_CLAUSE_TEST(enospc, write_reports_enospc_and_keeps_data, "ENOSPC-1")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_small();
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	char *first = t_alloc(0, 16 * u);
	int r = fill_up(s, p, u, first);
	T_ERR_R(r, ENOSPC);
	cr_expect_geq(impl->size(s), f_size(p), "size %llu below the file's length %llu; on %s",
		      (unsigned long long)impl->size(s), (unsigned long long)f_size(p), rs_where());
	char *got = t_alloc(0, 16 * u);
	f_read(p, got, 16 * u, 0);
	t_assert_same(got, first, 16 * u, 0, "data written before running out of space");
	impl->close(s);
}

RS_CLAUSE_TEST(enospc, shrinking_frees_space_for_the_handle, "ENOSPC-2")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_small();
	require_fn(resize);
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	char *first = t_alloc(0, 16 * u);
	cr_assert_lt(fill_up(s, p, u, first), 0, "a write larger than the free space worked; on %s",
		     rs_where());
	T_OK(impl->resize(s, 16 * u, REFSTOR_PREALLOC_NONE));
	T_OK(t_write(s, first, 16 * u, 16 * u));
	char *got = t_alloc(0, 16 * u);
	f_read(p, got, 16 * u, 16 * u);
	t_assert_same(got, first, 16 * u, 16 * u, "a write after space was freed");
	impl->close(s);
}

RS_CLAUSE_TEST(enospc, discard_frees_space_for_the_handle, "ENOSPC-2")
{
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_small();
	require_fn(discard);
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	size_t big = t_more_than_free(p, u);
	char *b = t_alloc(0, big);
	t_pattern(b, big, 101);
	T_ERR(t_write(s, b, big, 0), ENOSPC);
	T_OK(impl->discard(s, 0, f_size(p)));
	T_OK(t_write(s, b, 8 * u, 0));
	impl->close(s);
}

/* A growing resize that runs out of space: -ENOSPC, and afterwards the size
 * is the file's length and what was added reads as zeroes (ENOSPC-3); the
 * length is back where it was (ENOSPC-4, SHOULD: the original does not roll
 * back, which is harmless while size and length agree). */
static void grow_until_full(bool rollback)
{
	require_small();
	require_fn(resize);
	const char *p = t_made("img", 4096, 102, NULL);
	refstor *s = t_open(p, true);
	uint64_t to = t_more_than_free(p, 1) * 2;
	for (int m = REFSTOR_PREALLOC_ALLOCATE; m <= REFSTOR_PREALLOC_WRITE_DATA; m++) {
		const char *mode = refstor_prealloc_name(m);
		char what[128];
		T_ERR(impl->resize(s, to, (enum refstor_prealloc)m), ENOSPC);
		uint64_t len = f_size(p);
		if (rollback) {
			snprintf(what, sizeof(what), "length after %s ran out of space", mode);
			T_EQ(len, 4096, what);
			snprintf(what, sizeof(what), "size after %s ran out of space", mode);
			T_EQ(impl->size(s), 4096, what);
		} else {
			snprintf(what, sizeof(what),
				 "size after %s ran out of space (must equal the file's length)",
				 mode);
			T_EQ(impl->size(s), len, what);
			if (len > 4096) {
				snprintf(what, sizeof(what), "what %s added before running out",
					 mode);
				uint64_t added = len - 4096 < 4 * MiB ? len - 4096 : 4 * MiB;
				char *b = t_alloc(0, (size_t)added);
				f_read(p, b, (size_t)added, 4096);
				t_assert_zero(b, (size_t)added, 4096, what);
			}
		}
		/* The next mode starts from a file that fits again. */
		T_OK(impl->resize(s, 4096, REFSTOR_PREALLOC_NONE));
	}
	impl->close(s);
}

RS_CLAUSE_TEST(enospc, growing_resize_keeps_size_and_length_together, "ENOSPC-3")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	grow_until_full(false);
}

RS_CLAUSE_TEST(enospc, growing_resize_rolls_back, "ENOSPC-4")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	grow_until_full(true);
}

/* Opening on a full filesystem: the probe cannot write a scratch file there,
 * yet the handle opens with true alignments (buffered: 1; direct: checked
 * with plain O_DIRECT I/O). */
RS_CLAUSE_TEST(enospc, opening_on_a_full_filesystem, "ENOSPC-5")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_small();
	require_fn(req_align);
	require_fn(mem_align);
	const char *p = t_made("img", 65536, 103, NULL);
	const char *e = t_made("empty", 0, 0, NULL);
	/* Fill what is left with plain writes. */
	const char *fill = t_file("filler");
	int fd = open(fill, O_WRONLY | O_CREAT, 0644);
	cr_assert_geq(fd, 0, "create %s: %s", fill, strerror(errno));
	char *chunk = t_alloc(0, MiB);
	memset(chunk, 0x5a, MiB);
	off_t at = 0;
	for (ssize_t n; (n = sys_pwrite(fd, chunk, MiB, at)) > 0;)
		at += n;
	for (ssize_t n; (n = sys_pwrite(fd, chunk, 512, at)) > 0;)
		at += n;
	close(fd);
	t_assert_opens_with_true_alignments(p, e, "on a full filesystem");
}
