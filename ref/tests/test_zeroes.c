/* SPDX-License-Identifier: MIT */
/* write_zeroes, discard, write_allocated_zeroes on files (devices: test_device.c). */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

/* A 1 MiB file of non-zero data written through refstor; returns the handle. */
static refstor *t_data_file(const char *p)
{
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char *d = malloc(MiB);
	t_fill(d, MiB, 20);
	t_assert_ok(refstor_write(s, d, MiB, 0));
	t_assert_ok(refstor_sync(s));
	free(d);
	return s;
}

static void t_assert_zero_range(refstor *s, uint64_t off, size_t len, const char *what)
{
	char *b = malloc(len);
	memset(b, 0xff, len);
	t_assert_ok(refstor_read(s, b, len, off));
	long at = t_find_not(b, len, 0);
	cr_assert_eq(at, -1, "%s: byte %ld of [%llu, +%zu) is 0x%02x, expected 0", what, at,
		     (unsigned long long)off, len, at >= 0 ? (unsigned char)b[at] : 0);
	free(b);
}

static void t_assert_nonzero_byte(refstor *s, uint64_t off)
{
	unsigned char c = 0;
	t_assert_ok(refstor_read(s, &c, 1, off));
	cr_assert_neq(c, 0, "byte at %llu must keep its data", (unsigned long long)off);
}

T_TEST(zeroes, middle_write_zeroes_punches_a_hole)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	blkcnt_t before = t_blocks(p);
	t_assert_ok(refstor_write_zeroes(s, 256 * 1024, 512 * 1024));
	t_assert_zero_range(s, 256 * 1024, 512 * 1024, "write_zeroes middle");
	t_assert_nonzero_byte(s, 256 * 1024 - 1);
	t_assert_nonzero_byte(s, 768 * 1024);
	cr_assert_eq(refstor_size(s), MiB);
	cr_assert_eq(t_file_size(p), MiB, "a middle range must not change the length");
	cr_assert_leq(t_blocks(p), before - (512 * 1024) / 512,
		      "blocks must be freed: %lld before, %lld after", (long long)before,
		      (long long)t_blocks(p));
	int fd = open(p, O_RDONLY);
	cr_assert_eq(lseek(fd, 0, SEEK_HOLE), 256 * 1024, "SEEK_HOLE must find the hole");
	close(fd);
	refstor_close(s);
}

T_TEST(zeroes, middle_discard_frees_blocks_and_reads_zero)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	blkcnt_t before = t_blocks(p);
	t_assert_ok(refstor_discard(s, 4096, 8192));
	t_assert_zero_range(s, 4096, 8192, "discard middle");
	cr_assert_lt(t_blocks(p), before);
	/* Unaligned: partial blocks are zeroed, whole ones freed. */
	t_assert_ok(refstor_discard(s, 100000, 10000));
	t_assert_zero_range(s, 100000, 10000, "unaligned discard");
	t_assert_nonzero_byte(s, 99999);
	t_assert_nonzero_byte(s, 110000);
	refstor_close(s);
}

static void assert_tail_truncates(bool discard)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	int r = discard ? refstor_discard(s, 600000, MiB) : refstor_write_zeroes(s, 600000, MiB);
	t_assert_ok(r);
	cr_assert_eq(t_file_size(p), 600000,
		     "a range past the end truncates the file to its start");
	cr_assert_eq(refstor_size(s), MiB, "the handle's size is logical and does not change");
	t_assert_zero_range(s, 600000, MiB - 600000, "past the physical end");
	t_assert_nonzero_byte(s, 599999);
	refstor_close(s);
	s = t_open(p, true, false);
	cr_assert_eq(refstor_size(s), 600000, "after reopening, the size is the truncation point");
	refstor_close(s);
}

T_TEST(zeroes, tail_write_zeroes_truncates_but_keeps_handle_size)
{
	assert_tail_truncates(false);
}

T_TEST(zeroes, tail_discard_truncates_but_keeps_handle_size)
{
	assert_tail_truncates(true);
}

T_TEST(zeroes, range_ending_exactly_at_the_size_truncates)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	t_assert_ok(refstor_write_zeroes(s, MiB - 4096, 4096));
	cr_assert_eq(t_file_size(p), MiB - 4096);
	refstor_close(s);
}

T_TEST(zeroes, range_past_the_size_changes_nothing)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	t_assert_ok(refstor_write_zeroes(s, 2 * MiB, 4096));
	t_assert_ok(refstor_discard(s, MiB, 4096));
	cr_assert_eq(t_file_size(p), MiB);
	cr_assert_eq(refstor_size(s), MiB);
	t_assert_ok(refstor_write_zeroes(s, 0, 0));
	t_assert_nonzero_byte(s, 0);
	refstor_close(s);
}

T_TEST(zeroes, writes_after_a_tail_truncation_read_back_with_zero_gap)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	t_assert_ok(refstor_discard(s, 4096, MiB));
	char x[100];
	t_fill(x, sizeof(x), 21);
	t_assert_ok(refstor_write(s, x, sizeof(x), 500000));
	cr_assert_eq(refstor_size(s), MiB);
	cr_assert_eq(t_file_size(p), 500100);
	t_assert_zero_range(s, 4096, 500000 - 4096, "gap");
	t_assert_zero_range(s, 500100, MiB - 500100, "logical tail");
	refstor_close(s);
}

T_TEST(zeroes, allocated_zeroes_stay_allocated_on_ext4_host)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	t_assert_ok(refstor_write_allocated_zeroes(s, 0, 512 * 1024));
	t_assert_zero_range(s, 0, 512 * 1024, "allocated zeroes");
	cr_assert_geq(t_blocks(p), MiB / 512, "the range must stay allocated");
	int fd = open(p, O_RDONLY);
	cr_assert_eq(lseek(fd, 0, SEEK_HOLE), MiB, "no hole inside allocated zeroes");
	close(fd);
	refstor_close(s);
}

T_TEST(zeroes, allocated_zeroes_past_the_end_grow_like_a_write)
{
	const char *p = t_path("img");
	refstor *s = t_data_file(p);
	t_assert_ok(refstor_write_allocated_zeroes(s, MiB - 4096, 2 * 4096 + 100));
	cr_assert_eq(refstor_size(s), MiB + 4096 + 100);
	cr_assert_eq(t_file_size(p), MiB + 4096 + 100);
	t_assert_zero_range(s, MiB - 4096, 2 * 4096 + 100, "grown zeroes");
	refstor_close(s);
}

T_TEST(zeroes, tmpfs_punches_but_has_no_allocated_zeroes)
{
	const char *p = t_in(t_mount("tmpfs", "size=8m"), "img");
	refstor *s = t_data_file(p);
	t_assert_err(refstor_write_allocated_zeroes(s, 0, 4096), -ENOTSUP);
	t_assert_nonzero_byte(s, 0);
	t_assert_ok(refstor_write_zeroes(s, 0, 8192));
	t_assert_zero_range(s, 0, 8192, "tmpfs write_zeroes");
	refstor_close(s);
}

T_TEST(zeroes, ramfs_cannot_discard_and_remembers)
{
	const char *p = t_in(t_mount("ramfs", NULL), "img");
	refstor *s = t_data_file(p);
	t_assert_err(refstor_write_zeroes(s, 0, 4096), -ENOTSUP);
	t_assert_nonzero_byte(s, 0);
	t_assert_err(refstor_write_zeroes(s, 4096, 4096), -ENOTSUP);
	cr_assert(strstr(refstor_last_error(), "learnt earlier"),
		  "the second call must use the remembered answer: %s", refstor_last_error());
	t_assert_ok(refstor_discard(s, 0, 4096));
	t_assert_nonzero_byte(s, 0);
	t_assert_err(refstor_write_allocated_zeroes(s, 0, 4096), -ENOTSUP);
	/* Tail truncation needs no fallocate: it still works. */
	t_assert_ok(refstor_write_zeroes(s, 8192, MiB));
	cr_assert_eq(t_file_size(p), 8192);
	cr_assert_eq(refstor_size(s), MiB);
	refstor_close(s);
}
