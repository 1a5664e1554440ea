/* SPDX-License-Identifier: MIT */
/* Block devices (loop with 512- and 4096-byte sectors) and a filesystem on one. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <unistd.h>

enum { MiB = 1 << 20, DEV_SIZE = 16 * MiB };

/* Fill the first MiB of dev with data through plain pwrite. */
static void t_dev_fill(const char *dev, void *copy)
{
	char *d = malloc(MiB);
	t_fill(d, MiB, 30);
	int fd = open(dev, O_WRONLY);
	cr_assert_eq(pwrite(fd, d, MiB, 0), MiB);
	cr_assert_eq(fsync(fd), 0);
	close(fd);
	if (copy)
		memcpy(copy, d, MiB);
	free(d);
}

static uint64_t t_dev_size(const char *dev)
{
	int fd = open(dev, O_RDONLY);
	uint64_t n = 0;
	cr_assert_eq(ioctl(fd, BLKGETSIZE64, &n), 0);
	close(fd);
	return n;
}

static void assert_device_alignment(unsigned sector)
{
	const char *dev = t_loop(sector, DEV_SIZE);
	refstor *s = t_open(dev, true, false);
	cr_assert_eq(refstor_size(s), DEV_SIZE, "size of a block device comes from BLKGETSIZE64");
	cr_assert_eq(refstor_req_align(s), 1, "buffered I/O needs no alignment");
	cr_assert_eq(refstor_zero_align(s), sector, "zeroing works in sectors");
	refstor_close(s);

	s = t_open(dev, true, true);
	cr_assert_eq(refstor_req_align(s), sector, "loop%u direct: req_align", sector);
	cr_assert_leq(refstor_mem_align(s), sector);
	char *buf = t_aligned(4096, 2 * 4096);
	t_fill(buf, 4096, 31);
	t_assert_ok(refstor_write(s, buf, sector, sector));
	if (sector > 512) {
		t_assert_err(refstor_write(s, buf, 512, 0), -EINVAL);
		t_assert_err(refstor_read(s, buf, 512, 512), -EINVAL);
	}
	t_assert_ok(refstor_read(s, buf + 4096, sector, sector));
	cr_assert_arr_eq(buf, buf + 4096, sector);
	refstor_close(s);
}

T_TEST(device, loop512_alignment)
{
	assert_device_alignment(512);
}

T_TEST(device, loop4k_alignment)
{
	assert_device_alignment(4096);
}

T_TEST(device, tail_write_zeroes_neither_truncates_nor_fails)
{
	const char *dev = t_loop(4096, DEV_SIZE);
	char *data = malloc(MiB);
	t_dev_fill(dev, data);
	refstor *s = t_open(dev, true, false);
	/* Buffered and unaligned: partial sectors are written, the rest zeroed. */
	t_assert_ok(refstor_write_zeroes(s, 1000, DEV_SIZE));
	cr_assert_eq(refstor_size(s), DEV_SIZE);
	cr_assert_eq(t_dev_size(dev), DEV_SIZE, "a device is never truncated");
	char *b = malloc(MiB);
	t_assert_ok(refstor_read(s, b, MiB, 0));
	cr_assert_arr_eq(b, data, 1000);
	cr_assert_eq(t_find_not(b + 1000, MiB - 1000, 0), -1);
	refstor_close(s);
	s = t_open(dev, false, false);
	cr_assert_eq(refstor_size(s), DEV_SIZE);
	refstor_close(s);
	free(b);
	free(data);
}

T_TEST(device, discard_and_zeroes_in_the_middle)
{
	const char *dev = t_loop(512, DEV_SIZE);
	char *data = malloc(MiB);
	t_dev_fill(dev, data);
	refstor *s = t_open(dev, true, true);
	t_assert_ok(refstor_discard(s, 4096, 8192));
	t_assert_ok(refstor_write_zeroes(s, 65536, 512));
	t_assert_ok(refstor_write_allocated_zeroes(s, 131072, 4096));
	char *b = t_aligned(4096, MiB);
	t_assert_ok(refstor_read(s, b, MiB, 0));
	cr_assert_arr_eq(b, data, 4096);
	cr_assert_eq(t_find_not(b + 4096, 8192, 0), -1);
	cr_assert_arr_eq(b + 12288, data + 12288, 65536 - 12288);
	cr_assert_eq(t_find_not(b + 65536, 512, 0), -1);
	cr_assert_eq(t_find_not(b + 131072, 4096, 0), -1);
	cr_assert_arr_eq(b + 135168, data + 135168, MiB - 135168);
	/* Past the end: zeroes and discard are no-ops, allocation is ENOSPC. */
	t_assert_ok(refstor_write_zeroes(s, DEV_SIZE, 4096));
	t_assert_err(refstor_write_allocated_zeroes(s, DEV_SIZE - 4096, 8192), -ENOSPC);
	refstor_close(s);
	free(data);
}

T_TEST(device, resize_is_refused_and_changes_nothing)
{
	const char *dev = t_loop(512, DEV_SIZE);
	refstor *s = t_open(dev, true, false);
	t_assert_err(refstor_resize(s, DEV_SIZE / 2, REFSTOR_PREALLOC_NONE), -ENOTSUP);
	cr_assert(strstr(refstor_last_error(), "block device"), "message: %s",
		  refstor_last_error());
	t_assert_err(refstor_resize(s, DEV_SIZE * 2, REFSTOR_PREALLOC_WRITE_DATA), -ENOTSUP);
	t_assert_ok(refstor_resize(s, DEV_SIZE, REFSTOR_PREALLOC_ALLOCATE));
	cr_assert_eq(refstor_size(s), DEV_SIZE);
	cr_assert_eq(t_dev_size(dev), DEV_SIZE);
	refstor_close(s);
}

T_TEST(device, reads_past_the_end_zero_fill_and_writes_fail)
{
	const char *dev = t_loop(512, DEV_SIZE);
	refstor *s = t_open(dev, true, false);
	char b[1024];
	memset(b, 0xff, sizeof(b));
	t_assert_ok(refstor_read(s, b, sizeof(b), DEV_SIZE - 512));
	cr_assert_eq(t_find_not(b + 512, 512, 0), -1);
	t_assert_err(refstor_write(s, b, sizeof(b), DEV_SIZE - 512), -ENOSPC);
	cr_assert_eq(refstor_size(s), DEV_SIZE);
	refstor_close(s);
}

T_TEST(device, ext4_on_loop4k_direct_needs_4k_and_allocates)
{
	const char *dev = t_loop(4096, 64 * MiB);
	const char *mnt = t_mkfs_mount("mkfs.ext4 -q -F", "ext4", dev);
	const char *p = t_in(mnt, "img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	refstor_close(s);
	s = t_open(p, true, true);
	cr_assert_eq(refstor_req_align(s), 4096);
	cr_assert_eq(t_file_size(p), 0);
	t_assert_ok(refstor_resize(s, MiB, REFSTOR_PREALLOC_NONE));
	t_assert_ok(refstor_write_allocated_zeroes(s, 0, MiB));
	cr_assert_geq(t_blocks(p), MiB / 512, "ZERO_RANGE must leave the range allocated");
	char *b = t_aligned(4096, 4096);
	t_assert_err(refstor_read(s, b, 512, 0), -EINVAL);
	t_assert_ok(refstor_read(s, b, 4096, 0));
	refstor_close(s);
}
