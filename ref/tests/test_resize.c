/* SPDX-License-Identifier: MIT */
/* resize: shrinking, the four ways of growing, failures that change nothing. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

static void t_assert_reads_zero(refstor *s, uint64_t off, size_t len)
{
	char *b = malloc(len);
	memset(b, 0xff, len);
	t_assert_ok(refstor_read(s, b, len, off));
	cr_assert_eq(t_find_not(b, len, 0), -1, "grown range must read as zero");
	free(b);
}

T_TEST(resize, shrink_and_equal)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 2 * MiB, REFSTOR_PREALLOC_WRITE_DATA);
	t_assert_ok(refstor_resize(s, 3000, REFSTOR_PREALLOC_ALLOCATE));
	cr_assert_eq(refstor_size(s), 3000);
	cr_assert_eq(t_file_size(p), 3000);
	t_assert_ok(refstor_resize(s, 3000, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(t_file_size(p), 3000);
	t_assert_ok(refstor_resize(s, 0, REFSTOR_PREALLOC_NONE));
	cr_assert_eq(t_file_size(p), 0);
	refstor_close(s);
}

T_TEST(resize, grow_none_and_zero_are_sparse)
{
	for (int m = REFSTOR_PREALLOC_NONE; m <= REFSTOR_PREALLOC_ZERO; m++) {
		const char *p = t_path(m ? "zero" : "none");
		refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
		t_assert_ok(refstor_resize(s, 8 * MiB, (enum refstor_prealloc)m));
		cr_assert_eq(refstor_size(s), 8 * MiB);
		cr_assert_eq(t_file_size(p), 8 * MiB);
		cr_assert_lt(t_blocks(p), 8 * MiB / 512 / 2, "mode %d: growth must be sparse", m);
		t_assert_reads_zero(s, 0, MiB);
		refstor_close(s);
	}
}

T_TEST(resize, grow_allocate_and_write_data_allocate)
{
	for (int m = REFSTOR_PREALLOC_ALLOCATE; m <= REFSTOR_PREALLOC_WRITE_DATA; m++) {
		const char *p = t_path(m == REFSTOR_PREALLOC_ALLOCATE ? "alloc" : "data");
		refstor *s = t_create(p, 4096, REFSTOR_PREALLOC_NONE);
		t_assert_ok(refstor_write(s, "keep", 4, 0));
		t_assert_ok(refstor_resize(s, 4 * MiB + 123, (enum refstor_prealloc)m));
		cr_assert_eq(refstor_size(s), 4 * MiB + 123);
		cr_assert_eq(t_file_size(p), 4 * MiB + 123);
		cr_assert_geq(t_blocks(p), 4 * MiB / 512, "mode %d: growth must be allocated", m);
		t_assert_reads_zero(s, 4096, MiB);
		char k[4];
		t_assert_ok(refstor_read(s, k, 4, 0));
		cr_assert_arr_eq(k, "keep", 4);
		refstor_close(s);
	}
}

T_TEST(resize, write_data_in_direct_mode_with_unaligned_sizes)
{
	const char *p = t_path("img");
	t_write_file(p, "abc", 3);
	refstor *s = t_open(p, true, true);
	t_assert_ok(refstor_resize(s, 100000, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(t_file_size(p), 100000);
	cr_assert_geq(t_blocks(p), 90000 / 512);
	size_t ra = refstor_req_align(s);
	char *b = t_aligned(refstor_mem_align(s), ra);
	t_assert_ok(refstor_read(s, b, ra, 0));
	cr_assert_eq(memcmp(b, "abc", 3), 0);
	cr_assert_eq(t_find_not(b + 3, ra - 3, 0), -1);
	/* Still direct afterwards: a misaligned read is refused. */
	t_assert_err(refstor_read(s, b, 1, 0), -EINVAL);
	refstor_close(s);
}

T_TEST(resize, bad_arguments_change_nothing)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 4096, REFSTOR_PREALLOC_NONE);
	t_assert_err(refstor_resize(s, 8192, (enum refstor_prealloc)9), -EINVAL);
	t_assert_err(refstor_resize(s, UINT64_MAX, REFSTOR_PREALLOC_NONE), -EINVAL);
	t_assert_err(refstor_resize(s, (uint64_t)INT64_MAX + 1, REFSTOR_PREALLOC_NONE), -EINVAL);
	cr_assert_eq(refstor_size(s), 4096);
	cr_assert_eq(t_file_size(p), 4096);
	refstor_close(s);
}

T_TEST(resize, ramfs_allocate_is_enotsup_and_changes_nothing)
{
	const char *p = t_in(t_mount("ramfs", NULL), "img");
	refstor *s = t_create(p, 4096, REFSTOR_PREALLOC_NONE);
	t_assert_err(refstor_resize(s, MiB, REFSTOR_PREALLOC_ALLOCATE), -ENOTSUP);
	cr_assert(strstr(refstor_last_error(), "resize to 1048576 (allocate)"), "message: %s",
		  refstor_last_error());
	cr_assert_eq(refstor_size(s), 4096);
	cr_assert_eq(t_file_size(p), 4096);
	t_assert_ok(refstor_resize(s, MiB, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(t_file_size(p), MiB);
	refstor_close(s);
}

T_TEST(resize, enospc_leaves_size_and_length_as_they_were)
{
	const char *p = t_in(t_mount("tmpfs", "size=1m"), "img");
	refstor *s = t_create(p, 4096, REFSTOR_PREALLOC_NONE);
	for (int m = REFSTOR_PREALLOC_ALLOCATE; m <= REFSTOR_PREALLOC_WRITE_DATA; m++) {
		t_assert_err(refstor_resize(s, 8 * MiB, (enum refstor_prealloc)m), -ENOSPC);
		cr_assert(strstr(refstor_last_error(), "resize to 8388608"), "message: %s",
			  refstor_last_error());
		cr_assert_eq(refstor_size(s), 4096, "mode %d", m);
		cr_assert_eq(t_file_size(p), 4096, "mode %d: the file length must be restored", m);
	}
	t_assert_ok(refstor_resize(s, 8192, REFSTOR_PREALLOC_WRITE_DATA));
	refstor_close(s);
}

T_TEST(resize, grow_after_tail_discard_keeps_the_logical_view)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, MiB, REFSTOR_PREALLOC_WRITE_DATA);
	t_assert_ok(refstor_discard(s, 4096, MiB));
	cr_assert_eq(t_file_size(p), 4096);
	t_assert_ok(refstor_resize(s, 2 * MiB, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(refstor_size(s), 2 * MiB);
	cr_assert_eq(t_file_size(p), 2 * MiB);
	t_assert_reads_zero(s, 0, 2 * MiB);
	refstor_close(s);
}
