/* SPDX-License-Identifier: MIT */
/*
 * io.c's paths: one inline pread/pwrite for a single iovec, one
 * preadv/pwritev up to IOV_MAX, IOV_MAX windows beyond, the read that takes
 * a direct EINVAL at an unaligned EOF for EOF, and the bounce buffer of
 * zeroes.  What the data must be is the suite's (READ-*, WRITE-*); these
 * count the calls underneath (sys.c).
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

T_TEST(io, one_iovec_is_one_pread_or_pwrite)
{
	refstor *s = t_create(t_path("img"), 0, REFSTOR_PREALLOC_NONE);
	char a[5000], b[5000];
	t_fill(a, sizeof(a), 1);
	t_sys_reset();
	t_assert_ok(refstor_write(s, a, sizeof(a), 100));
	cr_assert_eq(t_sys.calls[T_PWRITE], 1);
	cr_assert_eq(t_sys.calls[T_PWRITEV], 0, "a single iovec needs no pwritev");
	struct iovec v = {b, sizeof(b)};
	t_sys_reset();
	t_assert_ok(refstor_readv(s, &v, 1, 100));
	cr_assert_eq(t_sys.calls[T_PREAD], 1);
	cr_assert_eq(t_sys.calls[T_PREADV], 0, "a single iovec needs no preadv");
	cr_assert_arr_eq(a, b, sizeof(a));
	refstor_close(s);
}

T_TEST(io, up_to_iov_max_iovecs_are_one_preadv_or_pwritev)
{
	enum { N = IOV_MAX, PIECE = 3 };
	refstor *s = t_create(t_path("img"), 0, REFSTOR_PREALLOC_NONE);
	char *src = malloc(N * PIECE), *dst = malloc(N * PIECE);
	struct iovec *v = calloc(N, sizeof(*v));
	t_fill(src, N * PIECE, 2);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){src + i * PIECE, PIECE};
	t_sys_reset();
	t_assert_ok(refstor_writev(s, v, N, 0));
	cr_assert_eq(t_sys.calls[T_PWRITEV], 1, "IOV_MAX iovecs: %lu pwritev calls",
		     t_sys.calls[T_PWRITEV]);
	cr_assert_eq(t_sys.max_iovcnt, N);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){dst + i * PIECE, PIECE};
	t_sys_reset();
	t_assert_ok(refstor_readv(s, v, N, 0));
	cr_assert_eq(t_sys.calls[T_PREADV], 1);
	cr_assert_arr_eq(dst, src, N * PIECE);
	free(src);
	free(dst);
	free(v);
	refstor_close(s);
}

T_TEST(io, over_iov_max_iovecs_go_in_iov_max_windows)
{
	/* 3 full windows and 7 iovecs more; read back with EOF inside the
	 * last iovec, which the split path must zero-fill too. */
	enum { N = IOV_MAX * 3 + 7, PIECE = 3, PAST = 20 };
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	char *src = malloc(N * PIECE), *dst = malloc(N * PIECE + PAST);
	struct iovec *v = calloc(N, sizeof(*v));
	t_fill(src, N * PIECE, 3);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){src + i * PIECE, PIECE};
	t_sys_reset();
	t_assert_ok(refstor_writev(s, v, N, 100));
	cr_assert_eq(t_sys.calls[T_PWRITEV], 4, "%d iovecs: %lu pwritev calls, expected 4", N,
		     t_sys.calls[T_PWRITEV]);
	cr_assert_eq(t_sys.max_iovcnt, IOV_MAX, "a window of %lu iovecs", t_sys.max_iovcnt);
	cr_assert_eq(refstor_size(s), 100 + N * PIECE);

	memset(dst, 0xff, N * PIECE + PAST);
	for (int i = 0; i < N; i++)
		v[i] = (struct iovec){dst + i * PIECE, PIECE};
	v[N - 1].iov_len = PIECE + PAST;
	t_sys_reset();
	t_assert_ok(refstor_readv(s, v, N, 100));
	cr_assert_geq(t_sys.calls[T_PREADV], 4);
	cr_assert_leq(t_sys.max_iovcnt, IOV_MAX);
	cr_assert_arr_eq(dst, src, N * PIECE);
	cr_assert_eq(t_find_not(dst + N * PIECE, PAST, 0), -1, "past EOF must read as zero");
	free(src);
	free(dst);
	free(v);
	refstor_close(s);
}

/* A data file of len bytes opened direct, with req_align > 1, or a skip. */
static refstor *direct_data_file(size_t len, char *copy, size_t *req)
{
	const char *p = t_path("img");
	t_fill(copy, len, 4);
	t_write_file(p, copy, len);
	refstor *s = t_open(p, false, true);
	*req = refstor_req_align(s);
	if (*req < 2)
		cr_skip_test("the host filesystem needs no alignment for direct I/O");
	return s;
}

T_TEST(io, direct_einval_at_an_unaligned_eof_reads_as_eof)
{
	/* The first pread stops at EOF, 100 bytes into a block; going on from
	 * there is unaligned, which a kernel may refuse with EINVAL (made to,
	 * here): that is EOF, and the rest reads as zeroes. */
	char data[3 * 4096];
	size_t req;
	refstor *s = direct_data_file(2 * 4096 + 100, data, &req);
	size_t len = 2 * 4096 + 100;
	char *b = t_aligned(4096, 4 * 4096);
	memset(b, 0xff, 4 * 4096);
	t_sys_reset();
	t_sys.fail_call = T_PREAD;
	t_sys.fail_at = 2;
	t_sys.fail_errno = EINVAL;
	t_assert_ok(refstor_read(s, b, 4 * 4096, 0));
	cr_assert_eq(t_sys.calls[T_PREAD], 2, "%lu pread calls", t_sys.calls[T_PREAD]);
	cr_assert_arr_eq(b, data, len);
	cr_assert_eq(t_find_not(b + len, 4 * 4096 - len, 0), -1);
	refstor_close(s);
}

T_TEST(io, direct_einval_at_the_start_is_an_error)
{
	/* EINVAL where the read began is no EOF: the kernel refused the request. */
	char data[4 * 4096];
	size_t req;
	refstor *s = direct_data_file(sizeof(data), data, &req);
	char *b = t_aligned(4096, 2 * 4096);
	t_sys_reset();
	t_sys.fail_call = T_PREAD;
	t_sys.fail_at = 1;
	t_sys.fail_errno = EINVAL;
	t_assert_err(refstor_read(s, b, 2 * 4096, 4096), -EINVAL);
	t_assert_msg_has("readv at offset 4096 (8192 bytes): Invalid argument");
	refstor_close(s);
}

T_TEST(io, zeroes_are_written_from_a_bounce_buffer_of_at_most_1_mib)
{
	/* resize(WRITE_DATA) writes its zeroes through rs_write_zero_bytes:
	 * 1 MiB at a time, from a buffer aligned for direct I/O. */
	const char *p = t_path("img");
	t_write_file(p, "", 0);
	refstor *s = t_open(p, true, true);
	size_t mem = refstor_mem_align(s);
	t_sys_reset();
	t_assert_ok(refstor_resize(s, 2 * MiB + MiB / 2 + 100, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(t_sys.calls[T_PWRITE], 3, "%lu pwrite calls for 2.5 MiB",
		     t_sys.calls[T_PWRITE]);
	cr_assert_eq(t_sys.bytes[T_PWRITE], 2 * MiB + MiB / 2 + 100);
	cr_assert_geq(t_sys.min_buf_align, mem, "bounce buffer aligned to %lu, mem_align %zu",
		      t_sys.min_buf_align, mem);
	refstor_close(s);
}
