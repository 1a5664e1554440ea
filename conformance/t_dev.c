/* SPDX-License-Identifier: MIT */
/* DEV and OPEN-NOMOD-2: block devices. */
#include "suite.h"

#include <fcntl.h>

RS_CLAUSE_TEST(dev, opening_never_changes_a_device, "OPEN-NOMOD-2")
{
	const char *dev = t_dev();
	t_target(MiB, 20, NULL);
	struct f_snap before = f_snap(dev);
	for (int w = 0; w < 2; w++)
		impl->close(t_open(dev, w));
	t_assert_unchanged(dev, &before, "device after opening");
}

RS_CLAUSE_TEST(dev, size_is_blkgetsize64, "DEV-SIZE-1")
{
	const char *dev = t_dev();
	refstor *s = t_open(dev, true);
	T_EQ(impl->size(s), f_size(dev), "size of a block device");
	size_t u = t_unit(s);
	char *b = t_alloc(0, u);
	T_OK(t_write(s, b, u, 0));
	T_EQ(impl->size(s), f_size(dev), "size of a block device after a write");
	impl->close(s);
}

RS_CLAUSE_TEST(dev, resize_is_refused, "DEV-RESIZE-1")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fn(resize);
	const char *dev = t_dev();
	uint64_t size = f_size(dev);
	refstor *s = t_open(dev, true);
	t_target(MiB, 23, NULL);
	struct f_snap before = f_snap(dev);
	/* Which errno is the implementation's (-ENOTSUP recommended). */
	for (int m = 0; m < 4; m++) {
		T_FAILS(impl->resize(s, size / 2, (enum refstor_prealloc)m));
		T_FAILS(impl->resize(s, size * 2, (enum refstor_prealloc)m));
	}
	T_OK(impl->resize(s, size, REFSTOR_PREALLOC_NONE));
	T_EQ(impl->size(s), size, "size after refused resizes");
	T_EQ(f_size(dev), size, "device size after refused resizes");
	impl->close(s);
	t_assert_unchanged(dev, &before, "device after refused resizes");
}

static void tail_zeroes(bool discard)
{
	const char *dev = t_dev();
	uint64_t size = f_size(dev);
	refstor *s = t_open(dev, true);
	size_t u = t_zunit(s);
	/* Data in the last MiB, then zero from 1 MiB before the end onwards. */
	char *d = t_alloc(0, MiB);
	t_pattern(d, MiB, 21);
	f_write(dev, d, MiB, size - MiB);
	uint64_t off = size - MiB + 10 * u;
	int r = discard ? impl->discard(s, off, 2 * MiB) : impl->write_zeroes(s, off, 2 * MiB);
	if (!discard && r == -ENOTSUP && !backend_can_punch())
		cr_skip_test("%s cannot zero without writing (-ENOTSUP)", rs_conf()->backend);
	T_OK(r);
	T_EQ(f_size(dev), size, "device size after a zeroing past its end");
	T_EQ(impl->size(s), size, "handle size after a zeroing past its end");
	char *b = t_alloc(0, MiB);
	f_read(dev, b, MiB, size - MiB);
	t_assert_same(b, d, 10 * u, size - MiB, "bytes before the zeroed range");
	if (!discard || backend_can_punch())
		t_assert_zero(b + 10 * u, MiB - 10 * u, off, "zeroed range up to the end");
	impl->close(s);
}

RS_CLAUSE_TEST(dev, tail_write_zeroes_never_truncates, "DEV-TRUNC-1")
{
	require_fn(write_zeroes);
	tail_zeroes(false);
}

RS_CLAUSE_TEST(dev, tail_discard_never_truncates, "DEV-TRUNC-1")
{
	require_fn(discard);
	tail_zeroes(true);
}

RS_CLAUSE_TEST(dev, past_the_end, "DEV-END-1")
{
	require_fn(write_allocated_zeroes);
	const char *dev = t_dev();
	uint64_t size = f_size(dev);
	refstor *s = t_open(dev, true);
	size_t u = t_zunit(s);
	char *b = t_alloc(0, 2 * u);
	memset(b, 0xff, 2 * u);
	T_OK(t_read(s, b, 2 * u, size - u));
	t_assert_zero(b + u, u, size, "read past the end of the device");
	T_OK(t_read(s, b, u, size + 8 * u));
	t_assert_zero(b, u, size + 8 * u, "read wholly past the end of the device");
	/* Writes: as the kernel says (the original passes its ENOSPC on). */
	T_ERR(t_write(s, b, 2 * u, size - u), ENOSPC);
	T_ERR(t_write(s, b, u, size), ENOSPC);
	/* Allocated zeroes past the end: any errno, and nothing written. */
	char *tail = t_alloc(0, u), *now = t_alloc(0, u);
	t_pattern(tail, u, 22);
	f_write(dev, tail, u, size - u);
	T_FAILS(impl->write_allocated_zeroes(s, size - u, 2 * u));
	T_FAILS(impl->write_allocated_zeroes(s, size, u)); /* wholly past the end */
	f_read(dev, now, u, size - u);
	t_assert_same(now, tail, u, size - u,
		      "the device's last bytes after write_allocated_zeroes past its end");
	T_EQ(impl->size(s), size, "size after writes past the end");
	impl->close(s);
}
