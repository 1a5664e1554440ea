/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - t_* helpers for librefstor's unit tests.
 *
 * Each Criterion test runs in its own forked process.  Backends that need root
 * are made so that the kernel removes them when that process ends, however it
 * ends: mounts live in a private mount namespace, loop devices are
 * LO_FLAGS_AUTOCLEAR with an already-unlinked backing file.  A crashed or
 * killed test leaves nothing mounted or attached.
 */
#ifndef REFSTOR_TEST_HELPERS_H
#define REFSTOR_TEST_HELPERS_H

#include "refstor.h"

#include <criterion/criterion.h>
#include <stdint.h>
#include <sys/types.h>

/* A fresh directory on the host filesystem for this test; removed at fini. */
const char *t_scratch(void);
/* scratch/name; the string lives until fini. */
const char *t_path(const char *name);
/* dir/name; the string lives until fini. */
const char *t_in(const char *dir, const char *name);
/* Skip the test (with the reason) unless running as root. */
void t_require_root(const char *what);
/* Mount fstype with opts at a fresh directory in a private mount namespace. */
const char *t_mount(const char *fstype, const char *opts);
/* A loop device of size bytes with the given logical sector size. */
const char *t_loop(unsigned sector, uint64_t size);
/* mkfs (e.g. "mkfs.ext4 -q -F") on dev, mounted privately; returns the mountpoint. */
const char *t_mkfs_mount(const char *mkfs, const char *fstype, const char *dev);
/* .fini of every test: remove the scratch directory, close loop holders. */
void t_fini(void);

/* Plain-syscall views of a file, independent of librefstor. */
void t_write_file(const char *path, const void *data, size_t len);
off_t t_file_size(const char *path);
blkcnt_t t_blocks(const char *path); /* st_blocks, 512-byte units */
void t_fill(void *buf, size_t len, unsigned seed);
/* First offset where buf differs from value, or -1. */
long t_find_not(const void *buf, size_t len, unsigned char value);
void *t_aligned(size_t align, size_t len); /* freed at fini */

/* Open helpers that fail the test with refstor_last_error() on error. */
refstor *t_open(const char *path, bool writable, bool direct);
refstor *t_create(const char *path, uint64_t size, enum refstor_prealloc mode);

/* Assert that r is the expected negative errno and a message was left. */
#define t_assert_err(r, expected)                                                              \
	do {                                                                                   \
		int t_r_ = (r);                                                                \
		cr_assert_eq(t_r_, (expected), "expected %d (%s), got %d; message: %s",        \
			     (expected), #expected, t_r_, refstor_last_error());               \
		cr_assert_neq(refstor_last_error()[0], '\0', "an error must leave a message"); \
	} while (0)

#define t_assert_ok(r)                                                                      \
	do {                                                                                \
		int t_r_ = (r);                                                             \
		cr_assert_eq(t_r_, 0, "%s failed: %d: %s", #r, t_r_, refstor_last_error()); \
	} while (0)

#define T_TEST(suite, name, ...) Test(suite, name, .fini = t_fini, .timeout = 60, ##__VA_ARGS__)

#endif
