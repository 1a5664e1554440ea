/* SPDX-License-Identifier: MIT */
/* READ: data, EOF zero-fill, vectors. */
#include "suite.h"

#include <limits.h>
#include <stdio.h>

RS_CLAUSE_TEST(read, returns_what_the_file_holds, "READ-DATA-1")
{
	char *want = t_alloc(0, MiB);
	const char *p = t_target(MiB, 40, want);
	refstor *s = t_open(p, false);
	size_t u = t_unit(s);
	char *b = t_alloc(0, MiB);
	T_OK(t_read(s, b, MiB, 0));
	t_assert_same(b, want, MiB, 0, "whole read");
	T_OK(t_read(s, b, 7 * u, 13 * u));
	t_assert_same(b, want + 13 * u, 7 * u, 13 * u, "read at an offset");
	impl->close(s);
}

RS_CLAUSE_TEST(read, wholly_past_eof_is_zeroes, "READ-EOF-1")
{
	const char *p = t_target(MiB, 41, NULL);
	refstor *s = t_open(p, false);
	size_t u = t_unit(s);
	uint64_t size = impl->size(s);
	char *b = t_alloc(0, 8 * u);
	memset(b, 0xff, 8 * u);
	T_OK(t_read(s, b, 8 * u, size));
	t_assert_zero(b, 8 * u, size, "read at the end of the file");
	memset(b, 0xff, 8 * u);
	T_OK(t_read(s, b, 8 * u, size + 1000 * u));
	t_assert_zero(b, 8 * u, size + 1000 * u, "read far past the end");
	impl->close(s);
}

RS_CLAUSE_TEST(read, across_eof_in_every_iovec, "READ-EOF-2")
{
	const char *p = t_file("img");
	size_t u = t_unit_here();
	/* File of 10 units; read 3 iovecs of 3 units from unit 5, so EOF falls
	 * inside the second iovec; then move EOF into each iovec in turn. */
	for (int eof_in = 0; eof_in < 3; eof_in++) {
		size_t len = (5 + 3 * (size_t)eof_in + 2) * u; /* EOF 2 units into iovec eof_in */
		char *want = t_alloc(0, len);
		f_make(p, len, 42 + eof_in, want);
		refstor *s = t_open(p, false);
		char *b[3];
		struct iovec v[3];
		for (int i = 0; i < 3; i++) {
			b[i] = t_alloc(0, 3 * u);
			memset(b[i], 0xff, 3 * u);
			v[i] = (struct iovec){b[i], 3 * u};
		}
		T_OK(impl->readv(s, v, 3, 5 * u));
		for (int i = 0; i < 3; i++) {
			uint64_t start = (5 + 3 * (uint64_t)i) * u;
			size_t have = start >= len ? 0 : len - start < 3 * u ? len - start : 3 * u;
			char what[64];
			snprintf(what, sizeof(what), "iovec %d, EOF in iovec %d", i, eof_in);
			t_assert_same(b[i], want + start, have, start, what);
			t_assert_zero(b[i] + have, 3 * u - have, start + have, what);
		}
		impl->close(s);
	}
}

RS_CLAUSE_TEST(read, direct_across_an_unaligned_eof, "READ-EOF-3")
{
	require_direct();
	const char *p = t_file("img");
	size_t req = t_unit_here();
	size_t len = 2 * req + 100;
	char *want = t_alloc(0, len);
	f_make(p, len, 45, want);
	refstor *s = t_open(p, false);
	char *b = t_alloc(0, 4 * req);
	memset(b, 0xff, 4 * req);
	T_OK(t_read(s, b, 4 * req, 0));
	t_assert_same(b, want, len, 0, "bytes before an unaligned EOF");
	t_assert_zero(b + len, 4 * req - len, len, "bytes after an unaligned EOF");
	memset(b, 0xff, 4 * req);
	T_OK(t_read(s, b, 2 * req, 2 * req));
	t_assert_same(b, want + 2 * req, 100, 2 * req, "last partial block");
	t_assert_zero(b + 100, 2 * req - 100, len, "after EOF, read starting in the last block");
	impl->close(s);
}

RS_CLAUSE_TEST(read, more_than_iov_max_iovecs, "READ-IOV-1")
{
	const char *p = t_target(4096, 46, NULL);
	refstor *s = t_open(p, true);
	size_t piece = rs_conf()->direct ? t_unit(s) : 3;
	int n = IOV_MAX * 3 + 7;
	size_t total = (size_t)n * piece;
	char *src = t_alloc(0, total), *dst = t_alloc(0, total);
	struct iovec *v = t_alloc(0, (size_t)n * sizeof(*v));
	t_pattern(src, total, 47);
	for (int i = 0; i < n; i++)
		v[i] = (struct iovec){src + (size_t)i * piece, piece};
	uint64_t off = rs_conf()->direct ? piece : 100;
	/* A target that holds the whole vector: growth is WRITE-GROW-1's, and
	 * an implementation of fixed size (LIMITS) splits vectors too. */
	impl->close(s);
	p = t_target(off + total, 46, NULL);
	s = t_open(p, true);
	T_OK(impl->writev(s, v, n, off));
	char *check = t_alloc(0, total);
	f_read(p, check, total, off);
	t_assert_same(check, src, total, off, "file after a writev of >IOV_MAX iovecs");
	for (int i = 0; i < n; i++)
		v[i] = (struct iovec){dst + (size_t)i * piece, piece};
	T_OK(impl->readv(s, v, n, off));
	t_assert_same(dst, src, total, off, "readv of >IOV_MAX iovecs");
	impl->close(s);
}

RS_CLAUSE_TEST(read, empty_vectors_and_lengths, "READ-IOV-2")
{
	char *want = t_alloc(0, 8192);
	const char *p = t_target(8192, 48, want);
	refstor *s = t_open(p, true);
	uint64_t size = impl->size(s);
	size_t u = t_unit(s);
	char *b = t_alloc(0, 2 * u);
	struct iovec v[4] = {{NULL, 0}, {b, u}, {b, 0}, {b + u, u}};
	T_OK(impl->readv(s, v, 4, 0));
	t_assert_same(b, want, 2 * u, 0, "readv with empty iovecs");
	T_OK(impl->readv(s, v, 0, 0));
	T_OK(impl->writev(s, v, 0, 0));
	T_OK(t_write(s, b, 0, size + 100 * u));
	T_OK(t_read(s, b, 0, size + 100 * u));
	T_EQ(impl->size(s), size, "size after zero-length writes");
	T_EQ(f_size(p), size, "length after zero-length writes");
	T_OK(impl->writev(s, v, 4, 0));
	/* Zero-length iovecs may have NULL buffers, also past the end. */
	struct iovec past[3] = {{b, u}, {NULL, 0}, {NULL, 0}};
	T_OK(impl->readv(s, past, 3, size));
	impl->close(s);
}
