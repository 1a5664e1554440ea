/* SPDX-License-Identifier: MIT */
/*
 * suite.h - what every conformance test uses: the clause macro, the backend
 * the run is on, require_* checks that skip with a reason (as fstests'
 * _require_* do), independent views of the file, and assertions whose
 * messages say what was expected, what happened and where.
 */
#ifndef REFSTOR_CONF_SUITE_H
#define REFSTOR_CONF_SUITE_H

#include "impl.h"
#include "report.h"

#include <criterion/criterion.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

enum { MiB = 1 << 20 };

/* The run's configuration, from REFSTOR_CONF_* (set by main for the
 * Criterion workers, which are fresh processes). */
struct rs_conf {
	const char *impl;    /* shared object under test */
	const char *backend; /* fixture name, e.g. "loop4k" */
	const char *target;  /* directory (fs backends) or block device */
	bool is_dev;
	bool direct;
	const char *role; /* "general" or "enospc" */
	/* The behaviour profile every handle of the run gets (--profile):
	 * clauses of the other profile skip. */
	enum refstor_profile profile;
};
const struct rs_conf *rs_conf(void);
/* The implementation under test, loaded by rs_test_init before every body.
 * Tests call impl->name(...), never refstor_* directly. */
extern const struct rs_impl *impl;
/* "loop4k (direct)": where a failure happened. */
const char *rs_where(void);

/* A test of one or more clauses of docs/spec.md ("READ-EOF-1 READ-EOF-2").
 * It is registered twice: with Criterion, and in the rs_clauses section that
 * --list reads, so the clause -> test map cannot drift from the tests.
 * A test whose clauses cannot depend on the backend (argument checks,
 * describe, path resolution) is RS_CLAUSE_TEST_ONCE: it runs on one backend
 * per mode (the run given --once) and shows once in the matrix.
 * The body's last act is to record that it finished: a test process that
 * exits early, even with status 0, is a FAIL, never a pass. */
struct rs_clause_test {
	const char *suite, *name, *clauses;
	bool once;
};
#define RS_CLAUSE_TEST_ONCE_(suite, name, clauses, once)                                     \
	static const struct rs_clause_test rs_ct_##suite##_##name = {#suite, #name, clauses, \
								     once};                  \
	static const struct rs_clause_test *rs_ctp_##suite##_##name                          \
	    __attribute__((used, section("rs_clauses"))) = &rs_ct_##suite##_##name;          \
	static void rs_body_##suite##_##name(void);                                          \
	Test(suite, name, .description = clauses, .fini = rs_test_fini)                      \
	{                                                                                    \
		rs_test_init(&rs_ct_##suite##_##name);                                       \
		rs_body_##suite##_##name();                                                  \
		rs_test_done(&rs_ct_##suite##_##name);                                       \
	}                                                                                    \
	static void rs_body_##suite##_##name(void)
#define RS_CLAUSE_TEST(suite, name, clauses)      RS_CLAUSE_TEST_ONCE_(suite, name, clauses, false)
#define RS_CLAUSE_TEST_ONCE(suite, name, clauses) RS_CLAUSE_TEST_ONCE_(suite, name, clauses, true)

/* Run first in every test body: may skip the test (Criterion cannot skip
 * from .init). */
void rs_test_init(const struct rs_clause_test *t);
/* Run last: close what the test left open, audit hygiene.h, and record that
 * the body got to its end (watch.h). */
void rs_test_done(const struct rs_clause_test *t);
void rs_test_fini(void);
/* The directory a test works in on a filesystem backend, and removing it:
 * the runner removes it after every test, also one whose process died
 * before its own clean-up (a crash must not fill the backend for the rest). */
void rs_test_dir(const char *suite, const char *name, char *out, size_t len);
void rs_remove_tree(const char *path);

/* --- require_*: skip the test, with the reason, when it does not apply. --- */
void require_fs(void);       /* a filesystem backend (files can be created) */
void require_dev(void);      /* a block-device backend */
void require_direct(void);   /* the run uses O_DIRECT */
void require_buffered(void); /* the run does not */
void require_root(void);
/* The implementation provides fn (an optional ABI function); otherwise the
 * whole test is "not implemented" (NIMP in the matrix), which is neither a
 * pass nor an environment skip: a run with one is INCOMPLETE. */
#define require_fn(fn) rs_require_fn(impl->fn != NULL, "refstor_" #fn)
void rs_require_fn(bool present, const char *name);
/* The implementation does not declare limit (a REFSTOR_LIMIT_* bit of
 * refstor_limits) that would make the test meaningless; if it does, the test
 * is "not applicable" (NA in the matrix): never a pass, and the verdict is
 * at best "CONFORMANT except" the limit.  One call per ability a test needs:
 * FIXED_SIZE where it grows the storage by writing or zeroing past the end,
 * or needs discard-by-truncate; NO_RESIZE where it resizes; OUT_OF_PROCESS
 * where it needs to see the implementation's own system calls (the fault
 * interposer, RLIMIT_FSIZE, its descriptors). */
void require_unlimited(uint64_t limit);
/* (The skip messages that make a result NIMP or NORUN: report.h.) */
/* What the backend's kernel does, probed with plain syscalls on a scratch
 * file (fs) or the device itself: true if supported.  The reason for a
 * "no" is kept for the skip message. */
bool backend_can_punch(void);
bool backend_can_zero_range(void);
bool backend_can_fallocate(void);
bool backend_has_direct_io(void); /* O_DIRECT opens on the backend */
/* A filesystem backend without direct I/O (ramfs); skips elsewhere. */
void require_no_direct_io(void);
void require_punch(void);
void require_zero_range(void);
void require_fallocate(void);

/* Lower the soft RLIMIT_FSIZE for the rest of the test (the hard limit stays,
 * so the suite can raise it again to record the test's end). */
void t_limit_file_size(uint64_t bytes);

/* --- scratch space --- */
/* A fresh path for a file in this test's directory (fs backends). */
const char *t_file(const char *name);
/* That directory. */
const char *t_here(void);
/* t_file(name), made by f_make (below) with len pattern bytes. */
const char *t_made(const char *name, size_t len, unsigned seed, void *copy);
/* The device (dev backends). */
const char *t_dev(void);
/* Memory freed at fini; aligned to align (0: 4096). */
void *t_alloc(size_t align, size_t len);
void t_pattern(void *buf, size_t len, unsigned seed); /* never a zero byte */

/* --- the implementation, with the run's mode --- */
refstor *t_open(const char *path, bool writable); /* fails the test on error */
refstor *t_open_mode(const char *path, bool writable, bool direct);
int t_try_open(const char *path, bool writable, refstor **out);
refstor *t_create(const char *path, uint64_t size, enum refstor_prealloc mode);
/* Bytes per "unit" of test geometry: 100 buffered (so offsets are unaligned
 * on purpose), max(req_align, 512) direct (so they are aligned as needed). */
size_t t_unit(const refstor *s);
/* A unit for zeroing requests that every layer takes as aligned: t_unit
 * rounded up to zero_align, discard_align and, on a device, its logical
 * sector size (the kernel's fallocate granularity there). */
size_t t_zunit(const refstor *s);
/* t_unit / t_zunit for a test that makes its files itself, learnt from a
 * writable handle on a scratch file full of data: the probing of empty files
 * (ALIGN-SAFE-2's business) must not decide another clause's geometry. */
size_t t_unit_here(void);
/* The device's logical sector size (BLKSSZGET, through backend.h); 0 on a
 * filesystem. */
size_t t_sector(void);
size_t t_zunit_here(void);
size_t t_req(const refstor *s);
size_t t_mem(const refstor *s);
int t_read(refstor *s, void *buf, size_t len, uint64_t off);
int t_write(refstor *s, const void *buf, size_t len, uint64_t off);
/* The zeroing calls by number, for tests that take each through the same
 * steps: write_zeroes, discard, write_allocated_zeroes. */
enum t_zeroing { T_WRITE_ZEROES, T_DISCARD, T_ALLOCATED_ZEROES };
int t_zero_call(enum t_zeroing which, refstor *s, uint64_t off, uint64_t len);
/* A whole-file helper: a file of len pattern bytes made with plain syscalls. */
void f_make(const char *path, size_t len, unsigned seed, void *copy);
/* A sparse file: a 1 MiB hole, then 4 KiB of pattern, made with plain
 * syscalls (a read-only probe over the hole proves nothing). */
void f_make_sparse(const char *path, unsigned seed);

/* --- independent views: plain syscalls on the path, never the impl --- */
uint64_t f_size(const char *path);   /* st_size, or BLKGETSIZE64 for devices */
uint64_t f_blocks(const char *path); /* st_blocks (512-byte units) */
void f_read(const char *path, void *buf, size_t len, uint64_t off); /* zero past EOF */
void f_write(const char *path, const void *buf, size_t len, uint64_t off);
bool f_exists(const char *path);
/* FNV-1a of [off, off + len) as plain pread sees it (zero past EOF). */
uint64_t f_sum(const char *path, uint64_t off, size_t len);
/* Length, mtime and checksum of a whole file (or a device's first and last
 * MiB): what "unchanged" means in the tests. */
struct f_snap {
	uint64_t size;
	struct timespec mtime;
	uint64_t sum;
};
struct f_snap f_snap(const char *path);
void t_assert_unchanged(const char *path, const struct f_snap *before, const char *what);
/* A target of len pattern bytes: a new file (fs), or the start of the device
 * (dev), written with plain syscalls.  Returns its path. */
const char *t_target(size_t len, unsigned seed, void *copy);
/* Offset of the first hole at or after off (SEEK_HOLE), or UINT64_MAX. */
uint64_t f_next_hole(const char *path, uint64_t off);
void f_mtime(const char *path, struct timespec *ts);

/* --- assertions: expected, got, where ---
 * T_OK is fatal: what follows depends on the call having worked.  The other
 * checks are not: every failed check of a test is reported, not only the
 * first (main.c joins them). */
#define T_OK(expr)                                                                                 \
	do {                                                                                       \
		int t_r_ = (expr);                                                                 \
		cr_assert_eq(t_r_, 0, "%s: expected 0, got %d (%s); message \"%s\"; on %s", #expr, \
			     t_r_, t_r_ < 0 ? strerror(-t_r_) : "?", t_msg(), rs_where());         \
	} while (0)

/* Before a call that is expected to fail: make the implementation leave a
 * known message (a failed open of a unique nonexistent path), so that a
 * failure that leaves no message of its own cannot pass on a stale one. */
void t_sentinel(void);
/* Check r (a call made after t_sentinel()) against the accepted errnos
 * want[0, n) (n == 0: any negative errno), and that it left a fresh message.
 * Non-fatal. */
void t_check_err(const char *expr, int r, const int *want, size_t n, const char *names);
/* The same for a call made elsewhere (a child process): msg is the message it
 * left, fresh whether that is not the sentinel's. */
void t_check_err_msg(const char *expr, int r, const int *want, size_t n, const char *names,
		     const char *msg, bool fresh);
/* expr must fail with one of the listed errnos (positive values) and leave a
 * fresh message. */
#define T_ERR_IN(expr, ...) T_ERR_NAMED(expr, #__VA_ARGS__, __VA_ARGS__)
#define T_ERR(expr, e)      T_ERR_NAMED(expr, #e, e)
#define T_ERR2(expr, e, e2) T_ERR_NAMED(expr, #e ", " #e2, e, e2)
/* names: the accepted errnos as written (stringified before expansion). */
#define T_ERR_NAMED(expr, names, ...)                                                           \
	do {                                                                                    \
		const int t_want_[] = {__VA_ARGS__};                                            \
		t_sentinel();                                                                   \
		int t_r_ = (expr);                                                              \
		t_check_err(#expr, t_r_, t_want_, sizeof(t_want_) / sizeof(t_want_[0]), names); \
	} while (0)
/* expr must fail with any negative errno and a fresh message. */
#define T_FAILS(expr)                                           \
	do {                                                    \
		t_sentinel();                                   \
		int t_r_ = (expr);                              \
		t_check_err(#expr, t_r_, NULL, 0, "any errno"); \
	} while (0)
/* For a result already in r, of a call made after t_sentinel(). */
#define T_ERR_R(r, ...)                                                                            \
	do {                                                                                       \
		const int t_want_[] = {__VA_ARGS__};                                               \
		t_check_err(#r, (r), t_want_, sizeof(t_want_) / sizeof(t_want_[0]), #__VA_ARGS__); \
	} while (0)

#define T_EQ(got, want, what)                                                                      \
	do {                                                                                       \
		unsigned long long t_g_ = (unsigned long long)(got);                               \
		unsigned long long t_w_ = (unsigned long long)(want);                              \
		cr_expect_eq(t_g_, t_w_, "%s: expected %llu, got %llu; on %s", (what), t_w_, t_g_, \
			     rs_where());                                                          \
	} while (0)

/* Open data (a file with >= 64 KiB of data) and empty, read-only and
 * read-write in the run's mode, and check what the handle reports: a buffered
 * one 1 and 1; a direct one alignments at which a plain O_DIRECT read of the
 * file works.  condition says what made probing hard ("on a full
 * filesystem"). */
void t_assert_opens_with_true_alignments(const char *data, const char *empty,
					 const char *condition);
/* path, read with plain pread, holds want[0, total) except for [off, off+len),
 * which reads as zeroes. */
void t_assert_zeroed_within(const char *path, const char *want, size_t total, uint64_t off,
			    uint64_t len, const char *what);
/* The last error message of the implementation ("" if it has none). */
const char *t_msg(void);
/* Fail (non-fatally) unless buf[0, len) is all zero / equal to want. */
void t_assert_zero(const void *buf, size_t len, uint64_t base, const char *what);
void t_assert_same(const void *got, const void *want, size_t len, uint64_t base, const char *what);

#endif
