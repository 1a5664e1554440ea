/* SPDX-License-Identifier: MIT */
/*
 * model.c - docs/spec.md as a pure function (model.h).  One function per
 * operation; each rule cites the clause it comes from, so that this file
 * reads as the contract does.  Where a clause leaves the answer open, the
 * model lists every answer it allows: an outcome per effect, each with the
 * return values that may go with it.
 *
 * Two rules hold throughout and are not repeated at every failure:
 * - a call that fails changes nothing, unless an outcome says otherwise
 *   (ERR-RET-1 says it fails; the clauses that say what it leaves behind are
 *   cited where a failure does change something: CREATE-EXCL-1);
 * - a failing call leaves a message (ERR-RET-1): front ends check that for
 *   every failure, it is not an outcome.
 */
#include "model.h"
#include "names.h"

#include "refstor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MODEL_SSIZE_MAX ((uint64_t)(SIZE_MAX >> 1))

/* ------------------------------------------------------------------------ */
/* Building the expectation */

static void unmodelled(struct model_expect *ex, const char *why)
{
	ex->unmodelled = true;
	ex->why = why;
}

static struct model_outcome *outcome(struct model_expect *ex, const char *clause)
{
	if (ex->n == MODEL_MAX_OUTCOMES) {
		/* A rule with more outcomes than the model has room for is a
		 * bug of the model, not of the implementation: say so. */
		unmodelled(ex, "model.c: too many outcomes (MODEL_MAX_OUTCOMES)");
		return &ex->o[ex->n - 1];
	}
	struct model_outcome *o = &ex->o[ex->n++];
	memset(o, 0, sizeof(*o));
	o->clause = clause;
	return o;
}

/* o allows err as well: 0 (success), an errno (err > 0: -err is returned),
 * or MODEL_ANY_ERRNO (any negative errno). */
static struct model_outcome *allow(struct model_outcome *o, int err)
{
	int ret = err == MODEL_ANY_ERRNO ? err : -err;
	for (int i = 0; i < o->nret; i++)
		if (o->ret[i] == ret)
			return o;
	if (o->nret < MODEL_MAX_RETS)
		o->ret[o->nret++] = ret;
	return o;
}

static struct model_outcome *succeed(struct model_expect *ex, const char *clause)
{
	return allow(outcome(ex, clause), 0);
}

static struct model_outcome *fail(struct model_expect *ex, const char *clause, int err)
{
	return allow(outcome(ex, clause), err);
}

/* Argument refusals are collected in an outcome of their own before the
 * rules run: a call with one of them fails with one of their errnos and
 * changes nothing.  Which check comes first is the implementation's choice,
 * so the errnos add up; the first clause names the outcome. */
static void refuse(struct model_outcome *rf, const char *clause, int err)
{
	allow(rf, err);
	if (!rf->clause)
		rf->clause = clause;
}

/* OPEN-RO-1: "any of -EBADF, -EINVAL, -EPERM, -EROFS". */
static void refuse_read_only(struct model_outcome *rf)
{
	refuse(rf, "OPEN-RO-1", EBADF);
	refuse(rf, "OPEN-RO-1", EINVAL);
	refuse(rf, "OPEN-RO-1", EPERM);
	refuse(rf, "OPEN-RO-1", EROFS);
}

static void refused(struct model_expect *ex, const struct model_outcome *rf)
{
	*outcome(ex, rf->clause) = *rf;
}

static bool effect_is_nothing(const struct model_effect *e)
{
	return e->file == MODEL_FILE_KEPT && !e->set_phys && e->zero_off >= e->zero_end &&
	       !e->copy_len && !e->set_size && !e->learn_unsupported && !e->close_handle &&
	       !e->open_handle;
}

/*
 * OPEN-RO-1 on a read-only handle, after the writable rules have run: a call
 * that would change something is refused, with one of the clause's errnos
 * only.  "A request that would change nothing (zeroing at or past the end)
 * may succeed": where every outcome changes nothing, the successes stay and
 * the refusal joins them (a failure of the writable rules, -ENOTSUP say, is
 * no answer for a handle that may not write at all).
 */
static void read_only(struct model_expect *ex, const struct model_handle *h)
{
	if (h->writable || ex->unmodelled)
		return;
	bool nothing = true;
	for (int i = 0; i < ex->n; i++)
		nothing &= effect_is_nothing(&ex->o[i].eff);
	int kept = 0;
	for (int i = 0; nothing && i < ex->n; i++)
		if (ex->o[i].nret == 1 && ex->o[i].ret[0] == 0)
			ex->o[kept++] = ex->o[i];
	ex->n = kept;
	struct model_outcome rf = {0};
	refuse_read_only(&rf);
	refused(ex, &rf);
}

static bool slot_ok(const struct model_op *op)
{
	return op->handle >= 0 && op->handle < MODEL_HANDLES;
}

static const struct model_handle *handle_of(const struct model_state *st, const struct model_op *op)
{
	return slot_ok(op) && st->h[op->handle].open ? &st->h[op->handle] : NULL;
}

static uint64_t at_least_1(uint64_t v)
{
	return v ? v : 1;
}

/* BAD-RANGE-1: offset, length and their end within INT64_MAX, or -EINVAL or
 * -EFBIG. */
static void check_range(struct model_outcome *must, uint64_t off, uint64_t len)
{
	if (off > INT64_MAX || len > INT64_MAX - off) {
		refuse(must, "BAD-RANGE-1", EINVAL);
		refuse(must, "BAD-RANGE-1", EFBIG);
	}
}

/* What a fallocate of this kind gets on the target: 0, ENOTSUP (the kernel
 * "cannot": ERR-NOTSUP-1 maps EOPNOTSUPP, ENODEV, ENXIO, ENOTTY to it), or
 * another errno, which is passed on. */
static int falloc_result(const struct model_state *st, bool natively)
{
	int e = st->be.falloc_err;
	if (e == EOPNOTSUPP || e == ENOTSUP || e == ENODEV || e == ENXIO || e == ENOTTY)
		return ENOTSUP;
	return e ? e : natively ? 0 : ENOTSUP;
}

/* Punching a hole through this handle: once told "unsupported", it does not
 * even try (ZERO-UNSUP-2). */
static int punch_result(const struct model_state *st, const struct model_handle *h)
{
	return h->punch_unsupported ? ENOTSUP : falloc_result(st, st->be.can_punch);
}

/* ------------------------------------------------------------------------ */
/* read, write */

/* The sum of the iovec lengths, saturating (0 for a shape that is refused). */
static uint64_t iov_total(const struct model_op *op)
{
	if (op->iovcnt <= 0 || !op->iov)
		return 0;
	uint64_t sum = 0;
	for (int i = 0; i < op->iovcnt; i++)
		sum = op->iov[i].len > UINT64_MAX - sum ? UINT64_MAX : sum + op->iov[i].len;
	return sum;
}

/* The argument checks of read(v) and write(v). */
static void check_iov(const struct model_handle *h, const struct model_op *op,
		      struct model_outcome *must, struct model_outcome *may)
{
	if (op->iovcnt < 0 || (op->iovcnt > 0 && !op->iov)) {
		refuse(must, "BAD-NULL-1", EINVAL); /* a negative iovcnt, a NULL array */
		return;
	}
	uint64_t total = iov_total(op);
	bool misaligned = false;
	uint64_t req = at_least_1(h->req_align), mem = at_least_1(h->mem_align);
	for (int i = 0; i < op->iovcnt; i++) {
		if (!op->iov[i].base && op->iov[i].len)
			refuse(must, "BAD-NULL-1", EINVAL); /* a NULL buffer with a length */
		if (op->iov[i].len && (op->iov[i].base % mem || op->iov[i].len % req))
			misaligned = true;
		/* BAD-ALIGN-1: an empty segment at an address off mem_align
		 * transfers nothing; checking it anyway is as good. */
		if (h->direct && mem > 1 && !op->iov[i].len && op->iov[i].base % mem)
			refuse(may, "BAD-ALIGN-1", EINVAL);
	}
	if (total > MODEL_SSIZE_MAX) {
		refuse(must, "BAD-NULL-1", MODEL_ANY_ERRNO); /* lengths past SSIZE_MAX */
		return;
	}
	check_range(must, op->off, total);
	/* BAD-ALIGN-1: direct I/O off req_align or mem_align is refused.  A
	 * zero-length request at an unaligned offset transfers nothing: it may
	 * succeed (READ-IOV-2) or be refused. */
	if (h->direct && req > 1) {
		if (misaligned || total % req)
			refuse(must, "BAD-ALIGN-1", EINVAL);
		else if (op->off % req)
			refuse(total ? must : may, "BAD-ALIGN-1", EINVAL);
	}
}

/* Run the argument checks' verdict: true when the call is refused outright. */
static bool refusals(struct model_expect *ex, const struct model_handle *h,
		     struct model_outcome *must, bool modifies)
{
	if (!must->nret)
		return false;
	if (modifies && !h->writable)
		refuse_read_only(must); /* OPEN-RO-1: its errnos are as good */
	refused(ex, must);
	return true;
}

/* The op's handle; NULL (BAD-NULL-1: -EINVAL, expected already) when it
 * names none that is open. */
static const struct model_handle *open_handle(const struct model_state *st,
					      const struct model_op *op, struct model_expect *ex)
{
	const struct model_handle *h = handle_of(st, op);
	if (!h)
		fail(ex, "BAD-NULL-1", EINVAL);
	return h;
}

/* WRITE-GROW-1: the length and the handle's size follow an end past them
 * (DEV-SIZE-1: a device's never change). */
static void grow(struct model_effect *e, const struct model_state *st, const struct model_handle *h,
		 uint64_t end)
{
	if (st->be.is_dev)
		return;
	if (end > st->phys) {
		e->set_phys = true;
		e->phys = end;
	}
	if (end > h->size) {
		e->set_size = true;
		e->size = end;
	}
}

/* read(v) and write(v): the same argument checks, then each its rules. */
static void expect_io(const struct model_state *st, const struct model_op *op,
		      struct model_expect *ex)
{
	bool write = op->kind == MODEL_WRITE;
	const struct model_handle *h = open_handle(st, op, ex);
	if (!h)
		return;
	struct model_outcome must = {0}, may = {0};
	check_iov(h, op, &must, &may);
	uint64_t total = iov_total(op), end = op->off + total;
	if (refusals(ex, h, &must, write)) /* a write's: OPEN-RO-1's errnos too */
		return;
	if (!write && total && !h->readable) {
		/* FROMFD-1: the access mode is the descriptor's; reading an
		 * O_WRONLY one fails as the kernel says. */
		fail(ex, "FROMFD-1", EBADF);
		return;
	}
	if (!write) {
		/* READ-DATA-1: the file's bytes; READ-EOF-1..3: zeroes past the
		 * physical end, in every iovec.  Short reads and EINTR change
		 * nothing (FAULT-SHORT-1, FAULT-EINTR-1). */
		succeed(ex, "READ-DATA-1, READ-EOF-1, READ-EOF-2, READ-EOF-3");
		ex->read_data = true;
	} else if (!total) {
		succeed(ex, "READ-IOV-2"); /* and the size stays */
	} else if (op->fault == MODEL_FAULT_ZEROWRITE) {
		/* FAULT-ZERO-1: a write call that returns 0 fails the write
		 * with -EIO; nothing landed, and the size does not grow.  On a
		 * device, a write past the end may be refused first (DEV-END-1). */
		fail(ex, "FAULT-ZERO-1", EIO);
		if (st->be.is_dev && end > st->be.dev_size)
			fail(ex, "DEV-END-1", ENOSPC);
	} else if (st->be.is_dev && end > st->be.dev_size) {
		/* DEV-END-1: -ENOSPC, as the kernel says once the write reaches
		 * the end; what lies before the end has landed by then, unless
		 * the implementation refused the write up front. */
		fail(ex, "DEV-END-1", ENOSPC);
		if (op->off < st->be.dev_size)
			fail(ex, "DEV-END-1", ENOSPC)->eff = (struct model_effect){
			    .copy_off = op->off, .copy_len = st->be.dev_size - op->off};
	} else {
		/* WRITE-DATA-1; WRITE-GROW-1 (the size and the length follow
		 * the end; DEV-SIZE-1: a device's never change).  Short writes
		 * and EINTR are continued (FAULT-SHORT-1, FAULT-EINTR-1). */
		struct model_outcome *o = succeed(ex, "WRITE-DATA-1, WRITE-GROW-1");
		o->eff = (struct model_effect){.copy_off = op->off, .copy_len = total};
		grow(&o->eff, st, h, end);
	}
	if (may.nret)
		refused(ex, &may);
	if (write)
		read_only(ex, h);
}

/* ------------------------------------------------------------------------ */
/* write_zeroes, discard */

/*
 * The outcomes of punching [off, end) through h (ZERO-MID-1, ZERO-DISCARD-1,
 * ZERO-UNSUP-1).  exact_clause, when not NULL: zeroing the range by other
 * means is also correct where holes cannot be punched (an unaligned range:
 * ZERO-ALIGN-1's "the range, and only it, reads as zeroes"; a device's tail:
 * DEV-TRUNC-1).  tail_clause: the clause of a punched tail range
 * (DEV-TRUNC-1, PROFILE-KEEP-1), or NULL for a range inside.
 */
static void punch(struct model_expect *ex, const struct model_state *st,
		  const struct model_handle *h, bool discard, uint64_t off, uint64_t end,
		  const char *exact_clause, const char *tail_clause)
{
	int e = punch_result(st, h);
	struct model_outcome *o;
	if (!e) {
		o = succeed(ex, tail_clause ? tail_clause
				: discard   ? "ZERO-DISCARD-1, ZERO-MID-2"
					    : "ZERO-MID-1, ZERO-MID-2");
		o->eff = (struct model_effect){.zero_off = off, .zero_end = end};
		return;
	}
	if (e == ENOTSUP) {
		/* ZERO-UNSUP-1: write_zeroes -ENOTSUP (the caller may write
		 * zeroes itself), discard 0 (ZERO-DISCARD-1: a discard that
		 * cannot is a discard that does nothing); ZERO-UNSUP-2: the
		 * handle remembers. */
		o = discard ? succeed(ex, "ZERO-DISCARD-1, ZERO-UNSUP-1, FAULT-NOTSUP-1")
			    : fail(ex, "ZERO-MID-1, ZERO-UNSUP-1, FAULT-NOTSUP-1", ENOTSUP);
		o->eff.learn_unsupported = true;
		if (exact_clause)
			succeed(ex, exact_clause)->eff =
			    (struct model_effect){.zero_off = off, .zero_end = end};
		return;
	}
	/* Any other fallocate error is passed on (ERR-RET-1); discard swallows
	 * only "unsupported" (ZERO-DISCARD-1's basis: pure_discard). */
	fail(ex, "ERR-RET-1", e);
}

/* ZERO-ALIGN-1's unit: what the handle reports (zero_align, discard_align),
 * and never less than a device's sector. */
static uint64_t zero_unit(const struct model_state *st, uint64_t reported)
{
	uint64_t a = at_least_1(reported);
	return st->be.sector > a ? st->be.sector : a;
}

/* ZERO-ALIGN-1's "aligned": offset and end multiples of a; an end at or past
 * the size is no end inside the file (only the part inside counts), and a
 * range from the size on is no request inside it.  An empty range at an
 * unaligned offset inside the file is an unaligned request too. */
static bool zero_aligned(uint64_t off, uint64_t end, uint64_t size, uint64_t a)
{
	return off >= size || (off % a == 0 && (end >= size || end % a == 0));
}

/* The handle of a zeroing op whose range [off, off + len) is not refused
 * outright (BAD-RANGE-1, with OPEN-RO-1's errnos too on a read-only handle). */
static const struct model_handle *zeroing_handle(const struct model_state *st,
						 const struct model_op *op, struct model_expect *ex)
{
	const struct model_handle *h = open_handle(st, op, ex);
	struct model_outcome must = {0};
	if (!h)
		return NULL;
	check_range(&must, op->off, op->len);
	return refusals(ex, h, &must, true) ? NULL : h;
}

static void expect_zeroing(const struct model_state *st, const struct model_op *op,
			   struct model_expect *ex)
{
	bool discard = op->kind == MODEL_DISCARD;
	const struct model_handle *h = zeroing_handle(st, op, ex);
	if (!h)
		return;
	/* ZERO-UNSUP-2, FAULT-NOTSUP-2: once told, no more fallocate calls. */
	ex->no_fallocate = h->punch_unsupported;
	uint64_t off = op->off, end = off + op->len,
		 size = st->be.is_dev ? st->be.dev_size : h->size;
	bool tail = end >= size;
	bool aligned =
	    zero_aligned(off, end, size, zero_unit(st, discard ? h->discard_align : h->zero_align));
	const char *exact = aligned ? NULL : "ZERO-ALIGN-1";
	if (!op->len || off >= size) {
		/* ZERO-PAST-1: already reads as zeroes (past a device's end too). */
		succeed(ex, "ZERO-PAST-1");
	} else if (st->be.is_dev && op->fault == MODEL_FAULT_ZEROWRITE) {
		/* A device may zero partial sectors by writing (ZERO-ALIGN-1);
		 * which of its writes meets the fault, no clause says. */
		unmodelled(ex, "a zero-returning write under a device's zeroing");
		return;
	} else if (st->be.is_dev) {
		/* DEV-TRUNC-1: never truncated, the range up to the end zeroed.
		 * Its "never fails" is about truncation: where the device cannot
		 * punch, a tail range is answered as one inside (ZERO-MID-1,
		 * ZERO-UNSUP-1), or zeroed by other means. */
		punch(ex, st, h, discard, off, tail ? size : end, tail ? "DEV-TRUNC-1" : exact,
		      tail ? "DEV-TRUNC-1" : NULL);
	} else if (tail && st->profile == MODEL_PROFILE_DEFAULT) {
		/* ZERO-TRUNC-1: discard-by-truncate to the offset, also where
		 * holes cannot be punched; ZERO-TRUNC-2: the handle's size stays
		 * (the cut part reads as zeroes past the physical end). */
		succeed(ex, "ZERO-TRUNC-1, ZERO-TRUNC-2")->eff =
		    (struct model_effect){.set_phys = true, .phys = off};
	} else {
		/* PROFILE-KEEP-1: under keep-length a tail range is punched like
		 * one inside (the part past the size reads as zeroes already). */
		punch(ex, st, h, discard, off, tail ? size : end, exact,
		      tail ? "PROFILE-KEEP-1" : NULL);
	}
	if (!aligned)
		fail(ex, "ZERO-ALIGN-1", EINVAL); /* refused, nothing changed */
	read_only(ex, h);
}

/* ------------------------------------------------------------------------ */
/* write_allocated_zeroes */

static void expect_allocated_zeroes(const struct model_state *st, const struct model_op *op,
				    struct model_expect *ex)
{
	const struct model_handle *h = zeroing_handle(st, op, ex);
	if (!h)
		return;
	uint64_t off = op->off, end = op->off + op->len;
	/* ZERO-ALIGN-1 is about the part inside the file. */
	bool aligned = zero_aligned(off, end, h->size, zero_unit(st, h->zero_align));
	int e = falloc_result(st, st->be.can_zero_range);
	if (!op->len) {
		/* ALLOC-ZERO-1: a zero-length call changes nothing; it returns
		 * 0, or -ENOTSUP where the backend has no ZERO_RANGE (which an
		 * implementation cannot learn without a non-empty call). */
		succeed(ex, "ALLOC-ZERO-1");
		if (e == ENOTSUP)
			fail(ex, "ALLOC-ZERO-1", ENOTSUP);
	} else if (st->be.is_dev && end > st->be.dev_size) {
		/* DEV-END-1: past a device's end, any errno, nothing written. */
		fail(ex, "DEV-END-1", MODEL_ANY_ERRNO);
		read_only(ex, h);
		return;
	} else if (st->be.is_dev && op->fault == MODEL_FAULT_ZEROWRITE) {
		unmodelled(ex, "a zero-returning write under a device's zeroing");
		return;
	} else if (!e) {
		/* ALLOC-ZERO-1: zeroes that stay allocated; ALLOC-GROW-1: past
		 * the size, the size and the length grow as a write of zeroes
		 * would make them (WRITE-GROW-1), so the length follows the end
		 * inside the size too. */
		struct model_outcome *o = succeed(ex, "ALLOC-ZERO-1, ALLOC-GROW-1");
		o->eff = (struct model_effect){.zero_off = off, .zero_end = end};
		if (!st->be.is_dev) {
			o->eff.alloc_off = off;
			o->eff.alloc_end = end;
		}
		grow(&o->eff, st, h, end);
	} else {
		/* ALLOC-ZERO-1, FAULT-NOTSUP-1: -ENOTSUP where ZERO_RANGE is
		 * missing; another fallocate errno is passed on. */
		fail(ex, e == ENOTSUP ? "ALLOC-ZERO-1, FAULT-NOTSUP-1" : "ERR-RET-1", e);
	}
	if (!aligned)
		fail(ex, "ZERO-ALIGN-1", EINVAL);
	read_only(ex, h);
}

/* ------------------------------------------------------------------------ */
/* resize */

static void expect_resize(const struct model_state *st, const struct model_op *op,
			  struct model_expect *ex)
{
	const struct model_handle *h = open_handle(st, op, ex);
	if (!h)
		return;
	uint64_t old = h->size, to = op->off;
	struct model_outcome must = {0};
	if (op->mode < REFSTOR_PREALLOC_NONE || op->mode > REFSTOR_PREALLOC_WRITE_DATA ||
	    to > INT64_MAX)
		refuse(&must, "RESIZE-BAD-1", EINVAL);
	if (refusals(ex, h, &must, true)) /* refused anyway: OPEN-RO-1's errnos too */
		return;
	struct model_outcome *o;
	if (to == old) {
		/* RESIZE-SHRINK-1: nothing, not even the physical length after
		 * a discard-by-truncate (ZERO-TRUNC-2); DEV-RESIZE-1 on devices. */
		succeed(ex, "RESIZE-SHRINK-1, DEV-RESIZE-1");
	} else if (st->be.is_dev) {
		/* DEV-RESIZE-1: any errno (-ENOTSUP recommended), nothing changed. */
		fail(ex, "DEV-RESIZE-1", MODEL_ANY_ERRNO);
	} else if (to < old || op->mode == REFSTOR_PREALLOC_NONE ||
		   op->mode == REFSTOR_PREALLOC_ZERO) {
		/* RESIZE-SHRINK-1, RESIZE-GROW-1: size and length are the new
		 * size, the bytes before it kept, the added ones zero. */
		o = succeed(ex, to < old ? "RESIZE-SHRINK-1" : "RESIZE-GROW-1");
		o->eff.set_phys = o->eff.set_size = true;
		o->eff.phys = o->eff.size = to;
	} else if (op->mode == REFSTOR_PREALLOC_ALLOCATE &&
		   falloc_result(st, st->be.can_allocate)) {
		/* RESIZE-GROW-1, FAULT-NOTSUP-1: -ENOTSUP where fallocate(0)
		 * cannot; another errno is passed on; nothing changes. */
		int e = falloc_result(st, st->be.can_allocate);
		fail(ex, e == ENOTSUP ? "RESIZE-GROW-1, FAULT-NOTSUP-1" : "ERR-RET-1", e);
	} else if (op->mode == REFSTOR_PREALLOC_WRITE_DATA && op->fault == MODEL_FAULT_ZEROWRITE) {
		/* WRITE_DATA writes its zeroes as a write does: a write call
		 * that returns 0 fails it with -EIO (FAULT-ZERO-1), and the size
		 * does not grow. */
		fail(ex, "FAULT-ZERO-1", EIO);
	} else {
		/* RESIZE-GROW-1, and RESIZE-ALLOC-1: the growth is allocated
		 * (RESIZE-DIRECT-1: WRITE_DATA on a direct handle too). */
		o = succeed(ex, "RESIZE-GROW-1, RESIZE-ALLOC-1");
		o->eff.set_phys = o->eff.set_size = true;
		o->eff.phys = o->eff.size = to;
		o->eff.alloc_off = old;
		o->eff.alloc_end = to;
	}
	read_only(ex, h);
}

/* ------------------------------------------------------------------------ */
/* flush, sync, invalidate_cache, size */

static void expect_sync(const struct model_state *st, const struct model_op *op,
			struct model_expect *ex)
{
	bool sync = op->kind == MODEL_SYNC, eio = op->fault == MODEL_FAULT_EIOSYNC;
	if (!open_handle(st, op, ex))
		return;
	/* sync: FAULT-SYNC-1: it reaches the kernel; FAULT-EIO-2: and passes
	 * its EIO on; SYNC-1 otherwise (FAULT-EINTR-1: retried).  SYNC-1:
	 * flush and invalidate_cache return 0, read-only too.  Under a failing
	 * fsync, one that does sync may say so (FAULT-EIO-2's reason holds for
	 * it: an error must not be lost). */
	ex->calls_sync = sync;
	if (!sync || !eio)
		succeed(ex, "SYNC-1");
	if (eio)
		fail(ex, sync ? "FAULT-EIO-2" : "SYNC-1, FAULT-EIO-2", EIO);
}

static void expect_size(const struct model_state *st, const struct model_op *op,
			struct model_expect *ex)
{
	const struct model_handle *h = handle_of(st, op);
	/* OPEN-SIZE-1 and every rule that sets the size; BAD-NULL-1: 0. */
	succeed(ex, h ? "OPEN-SIZE-1" : "BAD-NULL-1");
	ex->value = h ? h->size : 0;
}

/* ------------------------------------------------------------------------ */
/* open, close, create, remove */

/* open, create: the slot's old handle is gone whatever happens (the front
 * end closed it, or the call replaced it). */
static void slot_replaced(const struct model_state *st, const struct model_op *op,
			  struct model_expect *ex)
{
	for (int i = 0; handle_of(st, op) && i < ex->n; i++)
		ex->o[i].eff.close_handle = true;
}

static void expect_open(const struct model_state *st, const struct model_op *op,
			struct model_expect *ex)
{
	if (!slot_ok(op)) {
		fail(ex, "OPEN-PATH-1", EINVAL); /* a NULL output pointer */
	} else if (!st->exists) {
		fail(ex, "OPEN-ERRNO-1", ENOENT);
	} else if (op->direct && !st->be.can_direct) {
		/* OPEN-DIRECT-1: -EINVAL, the file unchanged. */
		fail(ex, "OPEN-DIRECT-1", EINVAL);
	} else {
		/* OPEN-SIZE-1: the size is the length (ZERO-TRUNC-3: a
		 * discard-by-truncate shows now), or the device's size. */
		succeed(ex, "OPEN-SIZE-1, ZERO-TRUNC-3")->eff.open_handle = true;
	}
	slot_replaced(st, op, ex);
}

static void expect_close(const struct model_state *st, const struct model_op *op,
			 struct model_expect *ex)
{
	struct model_outcome *o = succeed(ex, "BAD-NULL-1"); /* close(NULL) does nothing */
	o->eff.close_handle = handle_of(st, op) != NULL;
}

static void expect_create(const struct model_state *st, const struct model_op *op,
			  struct model_expect *ex)
{
	if (!slot_ok(op)) {
		fail(ex, "OPEN-PATH-1", EINVAL);
		return;
	}
	if (st->be.is_dev) {
		unmodelled(ex, "create on a block device");
		return;
	}
	uint64_t size = op->off;
	int e = 0; /* the initial resize's errno */
	if (size && op->mode == REFSTOR_PREALLOC_ALLOCATE)
		e = falloc_result(st, st->be.can_allocate);
	else if (size && op->mode == REFSTOR_PREALLOC_WRITE_DATA &&
		 op->fault == MODEL_FAULT_ZEROWRITE)
		e = EIO; /* FAULT-ZERO-1 in the initial resize */
	if (op->mode < REFSTOR_PREALLOC_NONE || op->mode > REFSTOR_PREALLOC_WRITE_DATA ||
	    size > INT64_MAX) {
		fail(ex, "RESIZE-BAD-1", EINVAL); /* refused before anything */
	} else if (st->exists && !op->overwrite) {
		fail(ex, "CREATE-EXCL-1", EEXIST); /* the file unchanged */
	} else if (op->direct && !st->be.can_direct) {
		/* OPEN-DIRECT-1: the file unchanged, also with overwrite (the
		 * original's open(2) refuses O_DIRECT before O_TRUNC cuts);
		 * CREATE-UNDO-1: a file the call made is removed. */
		fail(ex, "OPEN-DIRECT-1, CREATE-UNDO-1", EINVAL);
	} else if (e) {
		/* The initial resize failed: CREATE-UNDO-1, the resize's errno
		 * (RESIZE-GROW-1: -ENOTSUP for ALLOCATE without fallocate), and
		 * a file the call made is removed.  One that existed (overwrite)
		 * was the caller's to empty: emptied (the original's O_TRUNC) or
		 * left as it was, but not removed. */
		fail(ex, "CREATE-UNDO-1", e);
		if (st->exists)
			fail(ex, "CREATE-UNDO-1, CREATE-EXCL-1", e)->eff.file = MODEL_FILE_NEW;
	} else {
		/* CREATE-EXCL-1 (overwrite: emptied first), CREATE-SIZE-1: a
		 * file of that length reading as zeroes, and a writable handle. */
		succeed(ex, "CREATE-EXCL-1, CREATE-SIZE-1")->eff = (struct model_effect){
		    .file = MODEL_FILE_NEW, .set_phys = true, .phys = size, .open_handle = true};
	}
	slot_replaced(st, op, ex);
}

static void expect_remove(const struct model_state *st, const struct model_op *op,
			  struct model_expect *ex)
{
	(void)st;
	(void)op;
	succeed(ex, "(the front end's unlink)")->eff.file = MODEL_FILE_GONE;
}

/* ------------------------------------------------------------------------ */
/* The entry points */

typedef void expect_fn(const struct model_state *st, const struct model_op *op,
		       struct model_expect *ex);

/* Each operation: its name, and the rules that say what it may do. */
static const struct {
	const char *name;
	expect_fn *expect;
} kinds[MODEL_KINDS] = {
    [MODEL_READ] = {"read", expect_io},
    [MODEL_WRITE] = {"write", expect_io},
    [MODEL_WRITE_ZEROES] = {"write_zeroes", expect_zeroing},
    [MODEL_DISCARD] = {"discard", expect_zeroing},
    [MODEL_WRITE_ALLOCATED_ZEROES] = {"write_allocated_zeroes", expect_allocated_zeroes},
    [MODEL_RESIZE] = {"resize", expect_resize},
    [MODEL_FLUSH] = {"flush", expect_sync},
    [MODEL_SYNC] = {"sync", expect_sync},
    [MODEL_INVALIDATE_CACHE] = {"invalidate_cache", expect_sync},
    [MODEL_SIZE] = {"size", expect_size},
    [MODEL_OPEN] = {"open", expect_open},
    [MODEL_CLOSE] = {"close", expect_close},
    [MODEL_CREATE] = {"create", expect_create},
    [MODEL_REMOVE] = {"remove", expect_remove},
};

void model_expect(const struct model_state *st, const struct model_op *op, struct model_expect *ex)
{
	memset(ex, 0, sizeof(*ex));
	if ((unsigned)op->kind < MODEL_KINDS)
		kinds[op->kind].expect(st, op, ex);
	else
		unmodelled(ex, "an unknown operation");
}

/* The length becomes len: bytes cut off are gone (zero, should it grow
 * again); bytes added read as zeroes, which they already are. */
static void set_length(struct model_state *st, uint64_t len)
{
	uint64_t from = len < st->cap ? len : st->cap, to = st->phys < st->cap ? st->phys : st->cap;
	if (from < to)
		memset(st->data + from, 0, to - from);
	st->phys = len;
}

void model_apply(struct model_state *st, const struct model_op *op, const struct model_outcome *o)
{
	const struct model_effect *e = &o->eff;
	struct model_handle *h = slot_ok(op) ? &st->h[op->handle] : NULL;
	if (e->close_handle && h)
		memset(h, 0, sizeof(*h));
	if (e->file != MODEL_FILE_KEPT) {
		memset(st->data, 0, st->cap);
		st->phys = 0;
		st->exists = e->file == MODEL_FILE_NEW;
	}
	if (e->set_phys && !st->be.is_dev)
		set_length(st, e->phys);
	uint64_t lim = st->phys < st->cap ? st->phys : st->cap;
	uint64_t zend = e->zero_end < lim ? e->zero_end : lim;
	if (e->zero_off < zend)
		memset(st->data + e->zero_off, 0, zend - e->zero_off);
	if (e->copy_len && e->copy_off < st->cap && op->data) {
		uint64_t n =
		    e->copy_len < st->cap - e->copy_off ? e->copy_len : st->cap - e->copy_off;
		memcpy(st->data + e->copy_off, op->data, n);
	}
	if (e->set_size && h)
		h->size = e->size;
	if (e->learn_unsupported && h)
		h->punch_unsupported = true;
	if (e->open_handle && h)
		*h = (struct model_handle){
		    .open = true,
		    .writable = op->kind == MODEL_CREATE || op->writable,
		    .readable = op->kind == MODEL_CREATE || !op->write_only,
		    .direct = op->direct,
		    .size = st->phys,
		    .req_align = 1,
		    .mem_align = 1,
		    .zero_align = 1,
		    .discard_align = 1,
		};
}

/* ------------------------------------------------------------------------ */
/* State and helpers */

int model_init(struct model_state *st, const struct model_backend *be, uint64_t cap,
	       enum model_profile profile)
{
	memset(st, 0, sizeof(*st));
	st->profile = profile;
	st->be = *be;
	if (!st->be.sector)
		st->be.sector = 1;
	st->cap = cap;
	st->data = calloc(1, cap ? cap : 1);
	st->exists = be->is_dev; /* a device is there from the start, at its size */
	st->phys = be->is_dev ? be->dev_size : 0;
	return st->data ? 0 : -1;
}

void model_free(struct model_state *st)
{
	free(st->data);
	st->data = NULL;
}

int model_copy(struct model_state *dst, const struct model_state *src)
{
	*dst = *src;
	dst->data = malloc(src->cap ? src->cap : 1);
	if (!dst->data)
		return -1;
	memcpy(dst->data, src->data, src->cap);
	return 0;
}

void model_set_aligns(struct model_state *st, int handle, uint64_t req_align, uint64_t mem_align,
		      uint64_t zero_align, uint64_t discard_align)
{
	if (handle < 0 || handle >= MODEL_HANDLES)
		return;
	struct model_handle *h = &st->h[handle];
	h->req_align = at_least_1(req_align);
	h->mem_align = at_least_1(mem_align);
	h->zero_align = at_least_1(zero_align);
	h->discard_align = at_least_1(discard_align);
}

void model_set_falloc_err(struct model_state *st, int err)
{
	st->be.falloc_err = err;
}

bool model_allows(const struct model_outcome *o, int ret)
{
	for (int i = 0; i < o->nret; i++)
		if (o->ret[i] == ret || (o->ret[i] == MODEL_ANY_ERRNO && ret < 0))
			return true;
	return false;
}

void model_bytes(const struct model_state *st, uint64_t off, uint8_t *out, size_t n)
{
	uint64_t lim = st->phys < st->cap ? st->phys : st->cap;
	size_t have = off >= lim ? 0 : lim - off < n ? (size_t)(lim - off) : n;
	if (have)
		memcpy(out, st->data + off, have);
	memset(out + have, 0, n - have);
}

const char *model_rets_str(const struct model_outcome *o, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < o->nret && n < len; i++) {
		const char *sep = !i ? "" : i == o->nret - 1 ? " or " : ", ";
		int r = o->ret[i];
		const char *name = r == MODEL_ANY_ERRNO ? "any negative errno" : rs_errno_name(r);
		if (r < 0 && strcmp(name, "?")) /* a known errno: "-EINVAL" */
			n += (size_t)snprintf(buf + n, len - n, "%s%s%s", sep,
					      r == MODEL_ANY_ERRNO ? "" : "-", name);
		else /* 0, or a number the errno table does not know */
			n += (size_t)snprintf(buf + n, len - n, "%s%d", sep, r);
	}
	return buf;
}

const char *model_kind_name(enum model_kind k)
{
	return (unsigned)k < MODEL_KINDS ? kinds[k].name : "?";
}
