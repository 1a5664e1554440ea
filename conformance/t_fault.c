/* SPDX-License-Identifier: MIT */
/* FAULT: interrupted, short, failing and unsupported calls underneath (the
 * interposer in faults/ makes them; see docs/spec.md FAULT). */
#include "faults/faults.h"
#include "suite.h"
#include "names.h"

#include <stdio.h>

static int arm(const char *path, enum rs_call call, int err, size_t max_bytes, int skip, int times)
{
	struct rs_fault f = {
	    .call = call, .err = err, .max_bytes = max_bytes, .skip = skip, .times = times};
	int slot = rs_fault_arm(path, &f);
	cr_assert_geq(slot, 0, "arming a fault on %s", path);
	return slot;
}

/* Every armed fault must have hit the implementation's calls, or the clause
 * says nothing: skip, naming the ones that did not fire (raw system calls
 * are invisible to the interposer). */
static void require_hits(const int *slots, const char *const *what, size_t n)
{
	char missed[512] = "";
	for (size_t i = 0; i < n; i++)
		if (slots[i] >= 0 && !rs_fault_hits(slots[i])) {
			size_t used = strlen(missed);
			snprintf(missed + used, sizeof(missed) - used, "%s%s", used ? ", " : "",
				 what[i]);
		}
	if (missed[0])
		cr_skip_test("the implementation made no libc call the interposer could see for: "
			     "%s (raw system calls?)",
			     missed);
}

static void require_hit(int slot, const char *what)
{
	require_hits(&slot, &what, 1);
}

/* One EINTR for the next call of each kind: which kind a step must hit is
 * the step's to say. */
static int eintr_once(const char *path, enum rs_call call)
{
	return arm(path, call, EINTR, 0, 0, 1);
}

RS_CLAUSE_TEST(fault, eintr_is_retried, "FAULT-EINTR-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fn(write_zeroes);
	require_fn(sync);
	require_fn(resize);
	char *want = t_alloc(0, MiB);
	const char *p = t_target(MiB, 130, want);
	refstor *s = t_open(p, true);
	size_t u = t_unit(s);
	char *w = t_alloc(0, 8 * u), *got = t_alloc(0, 8 * u);
	t_pattern(w, 8 * u, 131);

	rs_fault_clear();
	int slot = eintr_once(p, RS_CALL_WRITE);
	T_OK(t_write(s, w, 8 * u, 16 * u));
	memcpy(want + 16 * u, w, 8 * u);
	require_hit(slot, "write (pwritev)");

	rs_fault_clear();
	slot = eintr_once(p, RS_CALL_READ);
	T_OK(t_read(s, got, 8 * u, 16 * u));
	t_assert_same(got, w, 8 * u, 16 * u, "read back after an interrupted read");
	require_hit(slot, "read (preadv)");

	if (backend_can_punch()) {
		/* Whole sectors on a device: zeroing a part of a sector is done by
		 * writing there, which no fallocate fault can stop (DEV-TRUNC-1). */
		size_t z = t_zunit(s);
		rs_fault_clear();
		slot = eintr_once(p, RS_CALL_FALLOCATE);
		T_OK(impl->write_zeroes(s, 64 * z, 8 * z));
		memset(want + 64 * z, 0, 8 * z);
		require_hit(slot, "write_zeroes (fallocate)");
	}

	rs_fault_clear();
	int sync_slots[2] = {eintr_once(p, RS_CALL_FSYNC), eintr_once(p, RS_CALL_FDATASYNC)};
	T_OK(impl->sync(s));
	if (!rs_fault_hits(sync_slots[0]) && !rs_fault_hits(sync_slots[1]))
		require_hit(sync_slots[0], "sync (fsync or fdatasync)");

	if (!rs_conf()->is_dev) {
		rs_fault_clear();
		slot = eintr_once(p, RS_CALL_FTRUNCATE);
		T_OK(impl->resize(s, MiB / 2, REFSTOR_PREALLOC_NONE));
		T_EQ(f_size(p), MiB / 2, "length after an interrupted resize");
		require_hit(slot, "resize (ftruncate)");
	}
	rs_fault_clear();
	char *all = t_alloc(0, MiB / 2);
	f_read(p, all, MiB / 2, 0);
	t_assert_same(all, want, MiB / 2, 0, "file after interrupted calls");
	impl->close(s);
}

RS_CLAUSE_TEST(fault, short_transfers_are_continued, "FAULT-SHORT-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	const char *p = t_target(MiB, 132, NULL);
	refstor *s = t_open(p, true);
	size_t step = rs_conf()->direct ? t_req(s) : 1;
	size_t u = t_unit(s);
	size_t len[3] = {3 * u, u, 5 * u};
	char *src = t_alloc(0, 9 * u), *dst = t_alloc(0, 9 * u);
	t_pattern(src, 9 * u, 133);
	struct iovec v[3] = {
	    {src, len[0]}, {src + len[0], len[1]}, {src + len[0] + len[1], len[2]}};
	rs_fault_clear();
	int slots[2] = {arm(p, RS_CALL_WRITE, 0, step, 0, -1),
			arm(p, RS_CALL_READ, 0, step, 0, -1)};
	T_OK(impl->writev(s, v, 3, 7 * u));
	struct iovec r[3] = {
	    {dst, len[0]}, {dst + len[0], len[1]}, {dst + len[0] + len[1], len[2]}};
	T_OK(impl->readv(s, r, 3, 7 * u));
	rs_fault_clear();
	static const char *const what[] = {"short writes", "short reads"};
	require_hits(slots, what, 2);
	t_assert_same(dst, src, 9 * u, 7 * u, "readv with short transfers");
	f_read(p, dst, 9 * u, 7 * u);
	t_assert_same(dst, src, 9 * u, 7 * u, "file after writev with short transfers");
	impl->close(s);
}

RS_CLAUSE_TEST(fault, zero_byte_write_is_an_error, "FAULT-ZERO-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	const char *p = t_target(MiB, 134, NULL);
	refstor *s = t_open(p, true);
	struct f_snap before = f_snap(p);
	size_t u = t_unit(s);
	uint64_t size = impl->size(s);
	char *w = t_alloc(0, 4 * u);
	rs_fault_clear();
	struct rs_fault f = {.call = RS_CALL_WRITE, .zero_write = true, .times = -1};
	int slot = rs_fault_arm(p, &f);
	cr_assert_geq(slot, 0, "arming a fault on %s", p);
	t_sentinel();
	int r = t_write(s, w, 4 * u, rs_conf()->is_dev ? 0 : size + 8 * u);
	rs_fault_clear();
	require_hit(slot, "a 0-byte write");
	T_ERR_R(r, EIO);
	T_EQ(impl->size(s), size, "size after a write that wrote nothing");
	impl->close(s);
	t_assert_unchanged(p, &before, "file after a write that wrote nothing");
}

static void partial_then(int err)
{
	size_t u = t_unit_here();
	const char *p = t_made("img", 0, 0, NULL);
	refstor *s = t_open(p, true);
	char *w = t_alloc(0, 16 * u);
	t_pattern(w, 16 * u, 135);
	T_OK(t_write(s, w, 4 * u, 0));
	rs_fault_clear();
	/* The first call writes 4 units and stops short; the second fails. */
	int slots[2] = {arm(p, RS_CALL_WRITE, 0, 4 * u, 0, 1),
			arm(p, RS_CALL_WRITE, err, 0, 1, -1)};
	t_sentinel();
	int r = t_write(s, w, 16 * u, 4 * u);
	rs_fault_clear();
	const char *what[] = {"a short write", err == EIO ? "EIO after it" : "ENOSPC after it"};
	require_hits(slots, what, 2);
	T_ERR_R(r, err);
	T_EQ(f_size(p), 8 * u, "length after a write failing half-way");
	char *got = t_alloc(0, 8 * u);
	f_read(p, got, 8 * u, 0);
	t_assert_same(got, w, 4 * u, 0, "data before the failed write");
	t_assert_same(got + 4 * u, w, 4 * u, 4 * u, "the part written before the failure");
	cr_expect_geq(impl->size(s), f_size(p), "size %llu below the file's length; on %s",
		      (unsigned long long)impl->size(s), rs_where());
	cr_expect_lt(impl->size(s), 20 * u,
		     "size %llu claims the failed part of the write (it ended at %zu); on %s",
		     (unsigned long long)impl->size(s), 20 * u, rs_where());
	impl->close(s);
}

RS_CLAUSE_TEST(fault, eio_mid_write, "FAULT-EIO-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	partial_then(EIO);
}

RS_CLAUSE_TEST(fault, enospc_mid_write, "FAULT-EIO-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	partial_then(ENOSPC);
}

RS_CLAUSE_TEST(fault, sync_reports_eio, "FAULT-EIO-2")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fn(sync);
	const char *p = t_target(4096, 136, NULL);
	refstor *s = t_open(p, true);
	rs_fault_clear();
	int slots[2] = {arm(p, RS_CALL_FSYNC, EIO, 0, 0, -1),
			arm(p, RS_CALL_FDATASYNC, EIO, 0, 0, -1)};
	t_sentinel();
	int r = impl->sync(s);
	rs_fault_clear();
	if (!rs_fault_hits(slots[0]) && !rs_fault_hits(slots[1]))
		require_hit(slots[0], "fsync or fdatasync");
	T_ERR_R(r, EIO);
	T_OK(impl->sync(s));
	impl->close(s);
}

RS_CLAUSE_TEST(fault, unsupported_errnos_are_enotsup, "FAULT-NOTSUP-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fn(write_zeroes);
	require_fn(discard);
	require_fn(write_allocated_zeroes);
	require_fn(resize);
	static const int errs[] = {EOPNOTSUPP, ENODEV, ENXIO, ENOTTY};
	const char *p = t_target(MiB, 137, NULL);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		refstor *s = t_open(p, true);
		struct f_snap before = f_snap(p);
		size_t u = t_zunit(s);
		uint64_t size = impl->size(s);
		rs_fault_clear();
		int slot = arm(p, RS_CALL_FALLOCATE, errs[i], 0, 0, -1);
		char what[64];
		snprintf(what, sizeof(what), "fallocate failing with %s", rs_errno_name(errs[i]));
		T_ERR(impl->write_zeroes(s, 4 * u, 8 * u), ENOTSUP);
		T_OK(impl->discard(s, 4 * u, 8 * u));
		T_ERR(impl->write_allocated_zeroes(s, 16 * u, 8 * u), ENOTSUP);
		if (!rs_conf()->is_dev)
			T_ERR(impl->resize(s, size + MiB, REFSTOR_PREALLOC_ALLOCATE), ENOTSUP);
		rs_fault_clear();
		T_EQ(impl->size(s), size, what);
		impl->close(s);
		t_assert_unchanged(p, &before, what);
		require_hit(slot, what);
	}
}

RS_CLAUSE_TEST(fault, unsupported_is_remembered_everywhere, "FAULT-NOTSUP-2")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fn(write_zeroes);
	require_fn(discard);
	const char *p = t_target(MiB, 138, NULL);
	refstor *s = t_open(p, true);
	size_t u = t_zunit(s);
	rs_fault_clear();
	cr_assert_eq(rs_fault_watch(p), 0);
	int slot = arm(p, RS_CALL_FALLOCATE, EOPNOTSUPP, 0, 0, -1);
	T_ERR(impl->write_zeroes(s, 4 * u, 8 * u), ENOTSUP);
	require_hit(slot, "unsupported punch");
	rs_fault_count_reset();
	T_ERR(impl->write_zeroes(s, 20 * u, 8 * u), ENOTSUP);
	T_OK(impl->discard(s, 40 * u, 8 * u));
	unsigned long calls = rs_fault_count(RS_CALL_FALLOCATE);
	rs_fault_clear();
	T_EQ(calls, 0, "fallocate calls after punching was found unsupported");
	impl->close(s);
}

RS_CLAUSE_TEST(fault, sync_reaches_fsync, "FAULT-SYNC-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
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
	T_OK(impl->sync(s));
	unsigned long n = rs_fault_count(RS_CALL_FSYNC) + rs_fault_count(RS_CALL_FDATASYNC);
	cr_expect_geq(n, 1, "sync made no fsync or fdatasync call on the file; on %s", rs_where());
	impl->close(s);
}
