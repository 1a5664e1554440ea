/* SPDX-License-Identifier: MIT */
/* FAULT: interrupted, short, failing and unsupported calls underneath (the
 * interposer in faults/ makes them; see docs/spec.md FAULT). */
#include "faults/faults.h"
#include "suite.h"

#include <stdio.h>

enum { MiB = 1 << 20 };

/* The fault must have hit the implementation's calls, or the clause says
 * nothing: skip, with the reason. */
static void require_fired(const char *what)
{
	if (!rs_fault_fired())
		cr_skip_test("%s: the implementation made no libc call the interposer could "
			     "see (raw system calls?)",
			     what);
}

/* A unit that covers whole sectors on a device: zeroing a part of a sector
 * is done by writing there, which no fallocate fault can stop (DEV-TRUNC-1). */
static size_t zero_unit(refstor *s)
{
	size_t u = t_unit(s);
	size_t z = rs_conf()->is_dev && I->zero_align ? I->zero_align(s) : 0;
	return z > u ? z : u;
}

static void arm(const char *path, enum rs_call call, int err, size_t max_bytes, int skip, int times)
{
	struct rs_fault f = {
	    .call = call, .err = err, .max_bytes = max_bytes, .skip = skip, .times = times};
	cr_assert_eq(rs_fault_arm(path, &f), 0, "arming a fault on %s", path);
}

static void arm_eintr_once(const char *path)
{
	static const enum rs_call calls[] = {RS_CALL_READ,  RS_CALL_WRITE,     RS_CALL_FALLOCATE,
					     RS_CALL_FSYNC, RS_CALL_FDATASYNC, RS_CALL_FTRUNCATE};
	rs_fault_clear();
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		arm(path, calls[i], EINTR, 0, 0, 1);
}

RS_CLAUSE_TEST(fault, eintr_is_retried, "FAULT-EINTR-1")
{
	char *want = t_alloc(0, MiB);
	const char *p = t_target(MiB, 130, want);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *w = t_alloc(0, 8 * u), *got = t_alloc(0, 8 * u);
	t_pattern(w, 8 * u, 131);
	rs_fault_count_reset();

	arm_eintr_once(p);
	T_OK(t_write(s, w, 8 * u, 16 * u));
	memcpy(want + 16 * u, w, 8 * u);
	arm_eintr_once(p);
	T_OK(t_read(s, got, 8 * u, 16 * u));
	t_assert_same(got, w, 8 * u, 16 * u, "read back after interrupted calls");
	if (I->write_zeroes && backend_can_punch()) {
		size_t z = zero_unit(s);
		arm_eintr_once(p);
		T_OK(I->write_zeroes(s, 64 * z, 8 * z));
		memset(want + 64 * z, 0, 8 * z);
	}
	if (I->sync) {
		arm_eintr_once(p);
		T_OK(I->sync(s));
	}
	if (I->resize && !rs_conf()->is_dev) {
		arm_eintr_once(p);
		T_OK(I->resize(s, MiB / 2, REFSTOR_PREALLOC_NONE));
		T_EQ(f_size(p), MiB / 2, "length after an interrupted resize");
	}
	rs_fault_clear();
	require_fired("EINTR");
	char *all = t_alloc(0, MiB / 2);
	f_read(p, all, MiB / 2, 0);
	t_assert_same(all, want, MiB / 2, 0, "file after interrupted calls");
	I->close(s);
}

RS_CLAUSE_TEST(fault, short_transfers_are_continued, "FAULT-SHORT-1")
{
	const char *p = t_target(MiB, 132, NULL);
	refstor *s = t_open(p, true);
	size_t step = rs_conf()->direct ? t_req(s) : 1;
	size_t u = t_unit(s);
	size_t len[3] = {3 * u, u, 5 * u};
	char *src = t_alloc(0, 9 * u), *dst = t_alloc(0, 9 * u);
	t_pattern(src, 9 * u, 133);
	struct iovec v[3] = {
	    {src, len[0]}, {src + len[0], len[1]}, {src + len[0] + len[1], len[2]}};
	rs_fault_count_reset();
	rs_fault_clear();
	arm(p, RS_CALL_WRITE, 0, step, 0, -1);
	arm(p, RS_CALL_READ, 0, step, 0, -1);
	T_OK(I->writev(s, v, 3, 7 * u));
	struct iovec r[3] = {
	    {dst, len[0]}, {dst + len[0], len[1]}, {dst + len[0] + len[1], len[2]}};
	T_OK(I->readv(s, r, 3, 7 * u));
	rs_fault_clear();
	require_fired("short transfers");
	t_assert_same(dst, src, 9 * u, 7 * u, "readv with short transfers");
	f_read(p, dst, 9 * u, 7 * u);
	t_assert_same(dst, src, 9 * u, 7 * u, "file after writev with short transfers");
	I->close(s);
}

RS_CLAUSE_TEST(fault, zero_byte_write_is_an_error, "FAULT-ZERO-1")
{
	const char *p = t_target(MiB, 134, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	uint64_t size = I->size(s);
	char *w = t_alloc(0, 4 * u);
	rs_fault_count_reset();
	rs_fault_clear();
	struct rs_fault f = {.call = RS_CALL_WRITE, .zero_write = true, .times = -1};
	cr_assert_eq(rs_fault_arm(p, &f), 0);
	int r = t_write(s, w, 4 * u, rs_conf()->is_dev ? 0 : size + 8 * u);
	rs_fault_clear();
	require_fired("a 0-byte write");
	T_ERR(r, EIO);
	T_EQ(I->size(s), size, "size after a write that wrote nothing");
	I->close(s);
	t_assert_unchanged(p, &before, "file after a write that wrote nothing");
}

static void partial_then(int err)
{
	const char *p = t_file("img");
	f_make(p, 0, 0, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *w = t_alloc(0, 16 * u);
	t_pattern(w, 16 * u, 135);
	T_OK(t_write(s, w, 4 * u, 0));
	rs_fault_count_reset();
	rs_fault_clear();
	/* The first call writes 4 units and stops short; the second fails. */
	arm(p, RS_CALL_WRITE, 0, 4 * u, 0, 1);
	arm(p, RS_CALL_WRITE, err, 0, 1, -1);
	int r = t_write(s, w, 16 * u, 4 * u);
	rs_fault_clear();
	require_fired(err == EIO ? "EIO" : "ENOSPC");
	T_ERR(r, err);
	T_EQ(f_size(p), 8 * u, "length after a write failing half-way");
	char *got = t_alloc(0, 8 * u);
	f_read(p, got, 8 * u, 0);
	t_assert_same(got, w, 4 * u, 0, "data before the failed write");
	t_assert_same(got + 4 * u, w, 4 * u, 4 * u, "the part written before the failure");
	cr_assert_geq(I->size(s), f_size(p), "size %llu below the file's length; on %s",
		      (unsigned long long)I->size(s), rs_where());
	cr_assert_lt(I->size(s), 20 * u,
		     "size %llu claims the failed part of the write (it ended at %zu); on %s",
		     (unsigned long long)I->size(s), 20 * u, rs_where());
	I->close(s);
}

RS_CLAUSE_TEST(fault, eio_mid_write, "FAULT-EIO-1")
{
	partial_then(EIO);
}

RS_CLAUSE_TEST(fault, enospc_mid_write, "FAULT-EIO-1")
{
	partial_then(ENOSPC);
}

RS_CLAUSE_TEST(fault, sync_reports_eio, "FAULT-EIO-2")
{
	require_fn(sync);
	const char *p = t_target(4096, 136, NULL);
	refstor *s = t_open(p, true);
	rs_fault_count_reset();
	rs_fault_clear();
	arm(p, RS_CALL_FSYNC, EIO, 0, 0, -1);
	arm(p, RS_CALL_FDATASYNC, EIO, 0, 0, -1);
	int r = I->sync(s);
	rs_fault_clear();
	require_fired("fsync EIO");
	T_ERR(r, EIO);
	T_OK(I->sync(s));
	I->close(s);
}

RS_CLAUSE_TEST(fault, unsupported_errnos_are_enotsup, "FAULT-NOTSUP-1")
{
	static const int errs[] = {EOPNOTSUPP, ENODEV, ENXIO, ENOTTY};
	static const char *const names[] = {"EOPNOTSUPP", "ENODEV", "ENXIO", "ENOTTY"};
	const char *p = t_target(MiB, 137, NULL);
	bool fired = false;
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		struct f_snap before;
		f_snap(p, &before);
		refstor *s = t_open(p, true);
		size_t u = zero_unit(s);
		uint64_t size = I->size(s);
		rs_fault_count_reset();
		rs_fault_clear();
		arm(p, RS_CALL_FALLOCATE, errs[i], 0, 0, -1);
		char what[64];
		snprintf(what, sizeof(what), "fallocate failing with %s", names[i]);
		if (I->write_zeroes)
			T_ERR(I->write_zeroes(s, 4 * u, 8 * u), ENOTSUP);
		if (I->discard)
			T_OK(I->discard(s, 4 * u, 8 * u));
		if (I->write_allocated_zeroes)
			T_ERR(I->write_allocated_zeroes(s, 16 * u, 8 * u), ENOTSUP);
		if (I->resize && !rs_conf()->is_dev)
			T_ERR(I->resize(s, size + MiB, REFSTOR_PREALLOC_ALLOCATE), ENOTSUP);
		fired |= rs_fault_fired() > 0;
		rs_fault_clear();
		T_EQ(I->size(s), size, what);
		I->close(s);
		t_assert_unchanged(p, &before, what);
	}
	if (!fired)
		require_fired("unsupported fallocate");
}

RS_CLAUSE_TEST(fault, unsupported_is_remembered_everywhere, "FAULT-NOTSUP-2")
{
	require_fn(write_zeroes);
	const char *p = t_target(MiB, 138, NULL);
	refstor *s = t_open(p, true);
	size_t u = zero_unit(s);
	rs_fault_clear();
	cr_assert_eq(rs_fault_watch(p), 0);
	arm(p, RS_CALL_FALLOCATE, EOPNOTSUPP, 0, 0, -1);
	rs_fault_count_reset();
	T_ERR(I->write_zeroes(s, 4 * u, 8 * u), ENOTSUP);
	require_fired("unsupported punch");
	rs_fault_count_reset();
	T_ERR(I->write_zeroes(s, 20 * u, 8 * u), ENOTSUP);
	if (I->discard)
		T_OK(I->discard(s, 40 * u, 8 * u));
	unsigned long calls = rs_fault_count(RS_CALL_FALLOCATE);
	rs_fault_clear();
	T_EQ(calls, 0, "fallocate calls after punching was found unsupported");
	I->close(s);
}

RS_CLAUSE_TEST(fault, sync_reaches_fsync, "FAULT-SYNC-1")
{
	require_fn(sync);
	const char *p = t_target(4096, 139, NULL);
	refstor *s = t_open(p, true);
	char *w = t_alloc(0, t_unit(s));
	rs_fault_clear();
	cr_assert_eq(rs_fault_watch(p), 0);
	rs_fault_count_reset();
	T_OK(t_write(s, w, t_unit(s), 0));
	if (!rs_fault_count(RS_CALL_WRITE))
		cr_skip_test("the implementation's writes made no libc call the interposer could "
			     "see: it cannot tell a sync from none");
	rs_fault_count_reset();
	T_OK(I->sync(s));
	unsigned long n = rs_fault_count(RS_CALL_FSYNC) + rs_fault_count(RS_CALL_FDATASYNC);
	cr_assert_geq(n, 1, "sync made no fsync or fdatasync call on the file; on %s", rs_where());
	I->close(s);
}
