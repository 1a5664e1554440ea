/* SPDX-License-Identifier: MIT */
/*
 * helpers.h - t_* helpers for librefstor's unit tests.
 *
 * The unit tests check the reference's internals: which path a call took
 * (the probe that answered, the single-syscall fast path or the split one),
 * its bounce buffers and its messages.  What any implementation must do is
 * the conformance suite's business (conformance/t_*.c), not theirs.
 *
 * Each Criterion test runs in its own forked process.  A test that needs a
 * particular backend gets it from the fixture table (fixtures/backends.tsv),
 * brought up by fixtures/refstor-fixture before the run: ci/test passes its
 * path in REFSTOR_UNIT_TARGET_<NAME>.  The tests mount and attach nothing
 * themselves, so they run as any user and under valgrind; a backend not
 * given is a skip with the reason.
 */
#ifndef REFSTOR_TEST_HELPERS_H
#define REFSTOR_TEST_HELPERS_H

#include "refstor.h"

#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

/* A fresh directory on the host filesystem for this test; removed at fini. */
const char *t_scratch(void);
/* scratch/name; the string lives until fini. */
const char *t_path(const char *name);
/* dir/name; the string lives until fini. */
const char *t_in(const char *dir, const char *name);
/* The path of fixture backend name ("tmpfs", "loop4k"), from
 * REFSTOR_UNIT_TARGET_<NAME>; skips the test, saying how to get it, if not
 * given. */
const char *t_backend(const char *name);
/* A fresh directory on filesystem backend name, removed at fini: tests run
 * in parallel on one backend. */
const char *t_backend_dir(const char *name);
/* .fini of every test: remove the scratch directories, free, restore t_sys. */
void t_fini(void);

/* Plain-syscall views of a file, independent of librefstor. */
void t_write_file(const char *path, const void *data, size_t len);
off_t t_file_size(const char *path);
void t_fill(void *buf, size_t len, unsigned seed);
/* First offset where buf differs from value, or -1. */
long t_find_not(const void *buf, size_t len, unsigned char value);
void *t_aligned(size_t align, size_t len); /* freed at fini */
/* Files in dir, "." and ".." not counted. */
int t_count_entries(const char *dir);

/* Open helpers that fail the test with refstor_last_error() on error. */
refstor *t_open(const char *path, bool writable, bool direct);
refstor *t_create(const char *path, uint64_t size, enum refstor_prealloc mode);

/*
 * sys.c: the unit binary links librefstor statically with -Wl,--wrap= for
 * the calls below, so every call the library makes goes through a wrapper
 * that counts it and can be told to fail it: how a test sees which internal
 * path a call took, and reaches the paths only a misbehaving kernel takes.
 * Calls of the test's own code go through them too: reset the counts right
 * before the library call that is measured.
 */
enum t_call { T_PREAD, T_PREADV, T_PWRITE, T_PWRITEV, T_STATX, T_CALLS };
struct t_sys {
	atomic_ulong calls[T_CALLS];
	atomic_ullong bytes[T_CALLS]; /* asked for, summed */
	atomic_ulong max_iovcnt;      /* of preadv/pwritev */
	atomic_ulong min_buf_align;   /* lowest set bit of any buffer address written */
	/* statx answers without STATX_DIOALIGN, as a kernel before 6.1 or a
	 * filesystem that does not report it would. */
	bool statx_silent;
	/* Call number fail_at (1-based, counted since the last reset) of
	 * fail_call returns -1 with errno fail_errno. */
	enum t_call fail_call;
	unsigned long fail_at;
	int fail_errno;
};
extern struct t_sys t_sys;
void t_sys_reset(void); /* counts and faults; statx_silent stays */

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

/* t_assert_err, and the message is exactly want. */
#define t_assert_err_msg(r, expected, want)                     \
	do {                                                    \
		t_assert_err(r, expected);                      \
		cr_assert_str_eq(refstor_last_error(), (want)); \
	} while (0)

/* The message of the last failure contains want. */
#define t_assert_msg_has(want)                                                         \
	cr_assert(strstr(refstor_last_error(), (want)), "message \"%s\" lacks \"%s\"", \
		  refstor_last_error(), (want))

#define T_TEST(suite, name, ...) Test(suite, name, .fini = t_fini, .timeout = 60, ##__VA_ARGS__)

#endif
