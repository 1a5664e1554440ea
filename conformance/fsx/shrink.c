/* SPDX-License-Identifier: MIT */
/*
 * shrink.c - from a failing sequence to a minimal one.
 *
 * Every candidate is replayed from a fresh file; "still fails" means any
 * mismatch, and the candidate is cut after the op that failed.  Three passes:
 * the shortest failing suffix (binary search: most failures need only the
 * last few ops), delta debugging (ddmin) over what is left, then each op made
 * smaller (fewer iovecs, shorter, no fault, offset nearer zero).
 */
#include "fsx.h"

#include <stdlib.h>
#include <string.h>

enum { MAX_REPLAYS = 4000 };

struct shrinker {
	const struct fsx_conf *c;
	int replays;
};

/* Replay cand (taking it over); if it fails, cut it after the failing op,
 * make it seq and return true. */
static bool improves(struct shrinker *k, struct fsx_seq *seq, struct fsx_seq *cand)
{
	char why[2048];
	long at = -1;
	if (cand->n) {
		k->replays++;
		at = fsx_replay(k->c, cand, why, sizeof(why));
	}
	if (at < 0) {
		fsx_seq_free(cand);
		return false;
	}
	while (cand->n > (size_t)at + 1)
		fsx_op_free(&cand->ops[--cand->n]);
	fsx_seq_free(seq);
	*seq = *cand;
	return true;
}

static void subseq(const struct fsx_seq *from, size_t lo, size_t hi, const bool *drop,
		   struct fsx_seq *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = lo; i < hi; i++)
		if (!drop || !drop[i])
			fsx_seq_push(out, &from->ops[i]);
}

static void shortest_suffix(struct shrinker *k, struct fsx_seq *seq)
{
	size_t lo = 0, hi = seq->n ? seq->n - 1 : 0; /* [lo, n) fails; find the largest lo */
	while (lo < hi && k->replays < MAX_REPLAYS) {
		size_t mid = lo + (hi - lo + 1) / 2;
		struct fsx_seq cand;
		subseq(seq, mid, seq->n, NULL, &cand);
		if (improves(k, seq, &cand)) {
			lo = 0;
			hi = seq->n ? seq->n - 1 : 0;
		} else {
			hi = mid - 1;
		}
	}
}

static void ddmin(struct shrinker *k, struct fsx_seq *seq)
{
	size_t n = 2;
	while (seq->n >= 2 && k->replays < MAX_REPLAYS) {
		size_t chunk = (seq->n + n - 1) / n;
		bool reduced = false;
		for (size_t start = 0; start < seq->n && k->replays < MAX_REPLAYS; start += chunk) {
			bool *drop = calloc(seq->n, sizeof(*drop));
			for (size_t i = start; i < start + chunk && i < seq->n; i++)
				drop[i] = true;
			struct fsx_seq cand;
			subseq(seq, 0, seq->n, drop, &cand);
			free(drop);
			if (improves(k, seq, &cand)) {
				n = n > 2 ? n - 1 : 2;
				reduced = true;
				break;
			}
		}
		if (!reduced) {
			if (n >= seq->n)
				break;
			n = 2 * n < seq->n ? 2 * n : seq->n;
		}
	}
}

/* Edit number edit of op i, made from the op as it is now, kept if the
 * sequence still fails with it; false if it does not apply or does not. */
static bool try_simpler(struct shrinker *k, struct fsx_seq *seq, size_t i, int edit, uint64_t g)
{
	const struct fsx_op *op = &seq->ops[i];
	struct fsx_op e = *op;
	struct fsx_seq cand;
	uint64_t one;
	bool rw = op->kind == OP_READ || op->kind == OP_WRITE;
	if (rw && (op->iov_null || op->at) && edit > 0)
		return false; /* the fuzzer's hostile vectors stay as they failed */
	switch (edit) {
	case 0: /* no fault */
		if (op->fault == F_NONE)
			return false;
		e.fault = F_NONE;
		e.fault_arg = 0;
		break;
	case 1: /* one iovec */
		if (!rw || op->niov < 2)
			return false;
		one = op->len;
		e.niov = 1;
		e.iov = &one;
		break;
	case 2: /* half as long */
		if (op->len < 2 * g || (op->len / 2) % g || (rw && op->niov != 1) ||
		    !(rw || op->kind == OP_ZEROES || op->kind == OP_DISCARD ||
		      op->kind == OP_ALLOC))
			return false;
		e.len = op->len / 2;
		if (rw) {
			one = e.len;
			e.iov = &one;
		}
		break;
	case 3: /* nearer zero */
		if (op->kind > OP_ALLOC || op->off < g)
			return false;
		e.off = op->off / 2 / g * g;
		break;
	default:
		return false;
	}
	subseq(seq, 0, seq->n, NULL, &cand);
	fsx_op_free(&cand.ops[i]);
	fsx_op_copy(&cand.ops[i], &e);
	return improves(k, seq, &cand);
}

static void simplify_ops(struct shrinker *k, struct fsx_seq *seq)
{
	/* Edits keep direct I/O aligned: a misaligned op would fail for its own
	 * reason and the "minimal" sequence would show a bug that is not there. */
	uint64_t g = k->c->direct ? k->c->granule : 1;
	bool changed = true;
	for (int round = 0; changed && round < 8 && k->replays < MAX_REPLAYS; round++) {
		changed = false;
		for (size_t i = 0; i < seq->n && k->replays < MAX_REPLAYS; i++)
			for (int edit = 0; edit < 4 && i < seq->n; edit++)
				changed |= try_simpler(k, seq, i, edit, g);
	}
}

void fsx_shrink(const struct fsx_conf *c, struct fsx_seq *seq, bool verbose)
{
	struct shrinker k = {.c = c};
	size_t before = seq->n;
	shortest_suffix(&k, seq);
	if (verbose)
		fprintf(stderr, "fsx: shrink: suffix %zu -> %zu ops\n", before, seq->n);
	ddmin(&k, seq);
	if (verbose)
		fprintf(stderr, "fsx: shrink: ddmin -> %zu ops\n", seq->n);
	simplify_ops(&k, seq);
	if (verbose)
		fprintf(stderr, "fsx: shrink: %zu -> %zu ops in %d replays\n", before, seq->n,
			k.replays);
}
