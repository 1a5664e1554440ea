/* SPDX-License-Identifier: MIT */
/* readv/writev: EOF zero-fill, growth, >IOV_MAX vectors, bad input. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *t_file_with(size_t len, unsigned seed, void *copy)
{
	char *data = malloc(len);
	t_fill(data, len, seed);
	const char *p = t_path("img");
	t_write_file(p, data, len);
	if (copy)
		memcpy(copy, data, len);
	free(data);
	return p;
}

T_TEST(io, write_then_read_back_and_size_grows)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char a[5000], b[5000];
	t_fill(a, sizeof(a), 7);
	t_assert_ok(refstor_write(s, a, sizeof(a), 10000));
	cr_assert_eq(refstor_size(s), 15000, "size must become the end of the write");
	cr_assert_eq(t_file_size(p), 15000);
	t_assert_ok(refstor_write(s, a, 10, 0));
	cr_assert_eq(refstor_size(s), 15000, "a write inside must not shrink the size");
	t_assert_ok(refstor_read(s, b, sizeof(b), 10000));
	cr_assert_arr_eq(a, b, sizeof(a));
	refstor_close(s);
}

T_TEST(io, read_past_eof_is_zeroes)
{
	const char *p = t_file_with(1000, 8, NULL);
	refstor *s = t_open(p, false, false);
	char buf[4096];
	memset(buf, 0xff, sizeof(buf));
	t_assert_ok(refstor_read(s, buf, sizeof(buf), 5000));
	cr_assert_eq(t_find_not(buf, sizeof(buf), 0), -1, "bytes past EOF must read as zero");
	memset(buf, 0xff, sizeof(buf));
	t_assert_ok(refstor_read(s, buf, 10, (uint64_t)INT64_MAX - 10));
	cr_assert_eq(t_find_not(buf, 10, 0), -1);
	refstor_close(s);
}

T_TEST(io, read_straddling_eof_across_iovecs)
{
	char data[1000];
	const char *p = t_file_with(sizeof(data), 9, data);
	refstor *s = t_open(p, false, false);
	/* 3 x 300 bytes from 500: data 500..999 then 400 zero bytes, with EOF
	 * falling inside the second iovec. */
	char b[3][300];
	memset(b, 0xff, sizeof(b));
	struct iovec v[3] = {{b[0], 300}, {b[1], 300}, {b[2], 300}};
	t_assert_ok(refstor_readv(s, v, 3, 500));
	cr_assert_arr_eq(b[0], data + 500, 300);
	cr_assert_arr_eq(b[1], data + 800, 200);
	cr_assert_eq(t_find_not(b[1] + 200, 100, 0), -1, "tail of iovec 1 must be zero");
	cr_assert_eq(t_find_not(b[2], 300, 0), -1, "iovec 2 lies past EOF: zero");
	refstor_close(s);
}

T_TEST(io, more_than_iov_max_iovecs_read_and_write)
{
	enum { N = IOV_MAX * 3 + 7, PIECE = 3 };
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char *src = malloc(N * PIECE), *dst = malloc(N * PIECE + 64);
	struct iovec *v = calloc(N, sizeof(*v));
	t_fill(src, N * PIECE, 10);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){src + i * PIECE, PIECE};
	t_assert_ok(refstor_writev(s, v, N, 100));
	cr_assert_eq(refstor_size(s), 100 + N * PIECE);
	cr_assert_eq(t_file_size(p), 100 + N * PIECE);

	/* Read it back from 100 with the same shape, plus 20 bytes past EOF. */
	memset(dst, 0xff, N * PIECE + 64);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){dst + i * PIECE, PIECE};
	v[N - 1].iov_len = PIECE + 20;
	t_assert_ok(refstor_readv(s, v, N, 100));
	cr_assert_arr_eq(dst, src, N * PIECE);
	cr_assert_eq(t_find_not(dst + N * PIECE, 20, 0), -1);

	/* Independent check with plain pread. */
	int fd = open(p, O_RDONLY);
	memset(dst, 0, N * PIECE);
	cr_assert_eq(pread(fd, dst, N * PIECE, 100), N * PIECE);
	close(fd);
	cr_assert_arr_eq(dst, src, N * PIECE);
	free(src);
	free(dst);
	free(v);
	refstor_close(s);
}

T_TEST(io, empty_iovecs_and_zero_length_are_fine)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char a[4] = "abcd", b[4] = {0};
	struct iovec v[4] = {{NULL, 0}, {a, 2}, {NULL, 0}, {a + 2, 2}};
	t_assert_ok(refstor_writev(s, v, 4, 0));
	t_assert_ok(refstor_writev(s, v, 0, 0));
	t_assert_ok(refstor_write(s, NULL, 0, 1 << 20));
	cr_assert_eq(refstor_size(s), 4, "a zero-length write must not grow the file");
	struct iovec r[3] = {{b, 1}, {NULL, 0}, {b + 1, 3}};
	t_assert_ok(refstor_readv(s, r, 3, 0));
	cr_assert_arr_eq(a, b, 4);
	/* Zero-length NULL iovecs past EOF: the zero-fill must skip them. */
	struct iovec past[3] = {{b, 4}, {NULL, 0}, {NULL, 0}};
	t_assert_ok(refstor_readv(s, past, 3, 2));
	refstor_close(s);
}

T_TEST(io, bad_ranges_and_vectors_are_einval_and_change_nothing)
{
	char data[100];
	const char *p = t_file_with(sizeof(data), 11, data);
	refstor *s = t_open(p, true, false);
	char buf[16] = {0};
	t_assert_err(refstor_write(s, buf, 16, UINT64_MAX), -EINVAL);
	t_assert_err(refstor_write(s, buf, 16, (uint64_t)INT64_MAX - 8), -EINVAL);
	t_assert_err(refstor_read(s, buf, 16, UINT64_MAX - 4), -EINVAL);
	t_assert_err(refstor_write_zeroes(s, UINT64_MAX, 2), -EINVAL);
	t_assert_err(refstor_discard(s, 10, UINT64_MAX), -EINVAL);
	t_assert_err(refstor_write_allocated_zeroes(s, (uint64_t)INT64_MAX, 1), -EINVAL);
	t_assert_err(refstor_writev(s, NULL, 1, 0), -EINVAL);
	struct iovec v[2] = {{buf, 16}, {buf, 16}};
	t_assert_err(refstor_writev(s, v, -1, 0), -EINVAL);
	struct iovec huge[2] = {{buf, SSIZE_MAX}, {buf, SSIZE_MAX}};
	t_assert_err(refstor_writev(s, huge, 2, 0), -EINVAL);
	t_assert_err(refstor_readv(s, huge, 2, 0), -EINVAL);
	struct iovec nullbuf = {NULL, 5};
	t_assert_err(refstor_writev(s, &nullbuf, 1, 0), -EINVAL);
	cr_assert_eq(refstor_size(s), 100);
	refstor_close(s);
	int fd = open(p, O_RDONLY);
	char back[100];
	cr_assert_eq(read(fd, back, 100), 100);
	close(fd);
	cr_assert_eq(t_file_size(p), 100);
	cr_assert_arr_eq(back, data, 100, "rejected calls must not change the file");
}

T_TEST(io, read_only_handle_refuses_every_change_with_ebadf)
{
	char data[8192];
	const char *p = t_file_with(sizeof(data), 12, data);
	refstor *s = t_open(p, false, false);
	t_assert_err(refstor_write(s, "x", 1, 0), -EBADF);
	cr_assert(strstr(refstor_last_error(), "read-only"), "message: %s", refstor_last_error());
	t_assert_err(refstor_write_zeroes(s, 0, 4096), -EBADF);
	t_assert_err(refstor_discard(s, 0, 8192), -EBADF);
	t_assert_err(refstor_write_allocated_zeroes(s, 0, 4096), -EBADF);
	t_assert_err(refstor_resize(s, 0, REFSTOR_PREALLOC_NONE), -EBADF);
	char back[8192];
	t_assert_ok(refstor_read(s, back, sizeof(back), 0));
	cr_assert_arr_eq(back, data, sizeof(data));
	cr_assert_eq(t_file_size(p), 8192);
	refstor_close(s);
}

T_TEST(io, direct_misaligned_requests_are_einval_and_change_nothing)
{
	const char *p = t_path("img");
	char data[8192];
	t_fill(data, sizeof(data), 13);
	t_write_file(p, data, sizeof(data));
	refstor *s = t_open(p, true, true);
	size_t ra = refstor_req_align(s), ma = refstor_mem_align(s);
	cr_assert_gt(ra, 1, "host fs is expected to need aligned direct I/O");
	char *buf = t_aligned(4096, 3 * 4096);
	t_assert_err(refstor_read(s, buf, ra, 1), -EINVAL);
	t_assert_err(refstor_write(s, buf, ra, ra / 2), -EINVAL);
	t_assert_err(refstor_write(s, buf, ra - 1, 0), -EINVAL);
	if (ma > 1)
		t_assert_err(refstor_write(s, buf + 1, ra, 0), -EINVAL);
	t_assert_err(refstor_write_zeroes(s, 1, ra), -EINVAL);
	t_assert_err(refstor_discard(s, 0, ra + 1), -EINVAL);
	t_assert_err(refstor_write_allocated_zeroes(s, ra / 2, ra), -EINVAL);
	cr_assert(strstr(refstor_last_error(), "req_align"), "message: %s", refstor_last_error());
	/* Aligned requests work. */
	t_assert_ok(refstor_read(s, buf, ra, ra));
	cr_assert_arr_eq(buf, data + ra, ra);
	refstor_close(s);
	int fd = open(p, O_RDONLY);
	char back[8192];
	cr_assert_eq(read(fd, back, sizeof(back)), 8192);
	close(fd);
	cr_assert_arr_eq(back, data, sizeof(data));
}

T_TEST(io, direct_read_across_an_unaligned_eof_zero_fills)
{
	char data[1000];
	const char *p = t_file_with(sizeof(data), 14, data);
	refstor *s = t_open(p, false, true);
	char *buf = t_aligned(4096, 8192);
	memset(buf, 0xff, 8192);
	t_assert_ok(refstor_read(s, buf, 8192, 0));
	cr_assert_arr_eq(buf, data, 1000);
	cr_assert_eq(t_find_not(buf + 1000, 8192 - 1000, 0), -1);
	refstor_close(s);
}

struct writer {
	refstor *s;
	int id;
};

static void *write_stripe(void *arg)
{
	struct writer *w = arg;
	char buf[4096];
	for (int i = 0; i < 64; i++) {
		t_fill(buf, sizeof(buf), (unsigned)(w->id * 1000 + i));
		uint64_t off = ((uint64_t)i * 4 + (uint64_t)w->id) * sizeof(buf);
		if (refstor_write(w->s, buf, sizeof(buf), off))
			return (void *)1;
	}
	return NULL;
}

T_TEST(io, concurrent_disjoint_writes_all_land)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	pthread_t th[4];
	struct writer w[4];
	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){s, i};
		cr_assert_eq(pthread_create(&th[i], NULL, write_stripe, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		void *ret;
		pthread_join(th[i], &ret);
		cr_assert_null(ret, "writer %d failed: %s", i, refstor_last_error());
	}
	cr_assert_eq(refstor_size(s), 64 * 4 * 4096);
	char want[4096], got[4096];
	for (int id = 0; id < 4; id++)
		for (int i = 0; i < 64; i++) {
			t_fill(want, sizeof(want), (unsigned)(id * 1000 + i));
			t_assert_ok(
			    refstor_read(s, got, sizeof(got), ((uint64_t)i * 4 + id) * 4096));
			cr_assert_arr_eq(got, want, sizeof(got), "writer %d block %d", id, i);
		}
	refstor_close(s);
}

T_TEST(io, enospc_on_full_tmpfs_is_reported_and_earlier_data_stays)
{
	const char *dir = t_mount("tmpfs", "size=256k");
	const char *p = t_in(dir, "img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char first[4096];
	t_fill(first, sizeof(first), 15);
	t_assert_ok(refstor_write(s, first, sizeof(first), 0));
	char *big = calloc(1, 1 << 20);
	int r = refstor_write(s, big, 1 << 20, 4096);
	t_assert_err(r, -ENOSPC);
	cr_assert(strstr(refstor_last_error(), "No space"), "message: %s", refstor_last_error());
	cr_assert_geq(refstor_size(s), (uint64_t)t_file_size(p),
		      "the size must cover what reached the file");
	char back[4096];
	t_assert_ok(refstor_read(s, back, sizeof(back), 0));
	cr_assert_arr_eq(back, first, sizeof(first));
	/* Free space and go on. */
	t_assert_ok(refstor_resize(s, 4096, REFSTOR_PREALLOC_NONE));
	t_assert_ok(refstor_write(s, first, sizeof(first), 4096));
	free(big);
	refstor_close(s);
}
