/* SPDX-License-Identifier: MIT */
/*
 * gen.c - random ops, biased to where bugs live: around the logical and the
 * physical end, at zero, at alignment boundaries, and now and then with
 * more than IOV_MAX iovecs or a fault injected underneath.
 */
#include "fsx.h"
#include "../names.h"

#include <limits.h>
#include <stdlib.h>

static uint64_t fsx_rand(uint64_t *rng)
{
	/* splitmix64: tiny, fast, and the same on every machine. */
	uint64_t z = (*rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void fsx_fill(uint8_t *buf, size_t len, uint32_t seed)
{
	uint64_t x = seed ? seed : 1;
	for (size_t i = 0; i < len; i++) {
		if (!(i & 7))
			x = x * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)((x >> (8 * (i & 7))) | 1); /* never 0: zeroes are what we test */
	}
}

static uint64_t below(uint64_t *rng, uint64_t n)
{
	return n ? fsx_rand(rng) % n : 0;
}

static bool chance(uint64_t *rng, unsigned percent)
{
	return below(rng, 100) < percent;
}

static uint64_t align_down(uint64_t v, uint64_t g)
{
	return v / g * g;
}

/* A length: mostly small, sometimes large; a multiple of g, at least g. */
static uint64_t pick_len(const struct fsx_run *r, uint64_t *rng, uint64_t g)
{
	uint64_t max = r->c->max_size / 2, len;
	unsigned d = (unsigned)below(rng, 100);
	if (d < 50)
		len = 1 + below(rng, 4096);
	else if (d < 80)
		len = 4096 + below(rng, 61440);
	else
		len = 1 + below(rng, max);
	len = align_down(len, g);
	return len ? len : g;
}

/* An offset for a range of len bytes inside [0, max_size). */
static uint64_t pick_off(const struct fsx_run *r, uint64_t *rng, uint64_t len, uint64_t g)
{
	const struct model_state *m = &r->m;
	uint64_t max = r->c->max_size, off;
	unsigned d = (unsigned)below(rng, 100);
	uint64_t end = r->c->be.is_dev ? max : m->h[0].size;
	if (d < 35) /* around the logical end */
		off = end + below(rng, 16 * g) - (end < 8 * g ? end : 8 * g);
	else if (d < 45) /* around the physical end */
		off = m->phys + below(rng, 8 * g) - (m->phys < 4 * g ? m->phys : 4 * g);
	else if (d < 60)
		off = below(rng, 8) * g;
	else
		off = below(rng, max);
	if (off + len > max)
		off = len >= max ? 0 : max - len;
	return align_down(off, g);
}

/* Split len into n iovec lengths, each a multiple of g (some zero, buffered). */
static void split(struct fsx_op *op, uint64_t *rng, uint64_t len, uint64_t g, int n)
{
	if ((uint64_t)n > len / g)
		n = (int)(len / g);
	if (n < 1)
		n = 1;
	op->niov = n;
	op->iov = malloc(sizeof(*op->iov) * (size_t)n);
	uint64_t left = len / g;
	for (int i = 0; i < n; i++) {
		uint64_t units = i == n - 1 ? left : 1 + below(rng, left - (uint64_t)(n - 1 - i));
		if (g == 1 && i < n - 1 && units > 1 && chance(rng, 5))
			units = 0; /* zero-length iovecs are legal */
		op->iov[i] = units * g;
		left -= units;
	}
}

static enum fsx_kind pick_kind(const struct fsx_run *r, uint64_t *rng)
{
	unsigned total = 0;
	for (int k = 0; k < OP_KINDS; k++)
		total += r->c->weight[k];
	unsigned x = (unsigned)below(rng, total);
	for (int k = 0; k < OP_KINDS; k++) {
		if (x < r->c->weight[k])
			return (enum fsx_kind)k;
		x -= r->c->weight[k];
	}
	return OP_READ;
}

void fsx_gen(struct fsx_run *r, uint64_t *rng, struct fsx_op *op)
{
	const struct fsx_conf *c = r->c;
	uint64_t g = c->direct ? r->unit : 1;
	enum fsx_kind k;
	do
		k = pick_kind(r, rng);
	while (c->be.is_dev && k == OP_RECREATE);
	*op = (struct fsx_op){.kind = k};
	switch (k) {
	case OP_READ:
	case OP_WRITE: {
		/* Now and then more iovecs than the kernel takes in one call. */
		uint64_t piece = g < 16 ? 16 : g;
		if (chance(rng, 2) && (uint64_t)(IOV_MAX + 60) * piece <= c->max_size) {
			int n = IOV_MAX + 1 + (int)below(rng, 60);
			op->niov = n;
			op->iov = malloc(sizeof(*op->iov) * (size_t)n);
			for (int i = 0; i < n; i++) {
				op->iov[i] = g == 1 ? 1 + below(rng, piece) : g;
				op->len += op->iov[i];
			}
		} else if (chance(rng, 2)) {
			/* Zero-length: succeeds and changes nothing, past the end too
			 * (READ-IOV-2). */
			op->niov = 1;
			op->iov = calloc(1, sizeof(*op->iov));
		} else {
			op->len = pick_len(r, rng, g);
			split(op, rng, op->len, g, 1 + (int)below(rng, 8));
		}
		op->off = op->len || chance(rng, 50) ? pick_off(r, rng, op->len, g)
						     : align_down(below(rng, c->max_size + 1), g);
		op->seed = (uint32_t)fsx_rand(rng);
		if (c->faults && op->len) { /* a zero-length transfer makes no call to break */
			unsigned d = (unsigned)below(rng, 100);
			if (d < 8) {
				/* Short transfers of a few bytes up to a few KiB; direct
				 * ones stay aligned, as the kernel's would be. */
				op->fault = F_SHORT;
				uint64_t cut = 1 + below(rng, 4096);
				op->fault_arg = (uint32_t)(cut < g ? g : align_down(cut, g));
			} else if (d < 12) {
				op->fault = F_EINTR;
			} else if (d < 14 && k == OP_WRITE) {
				op->fault = F_ZEROWRITE;
			}
		}
		break;
	}
	case OP_ZEROES:
	case OP_DISCARD:
	case OP_ALLOC:
		op->len = pick_len(r, rng, g);
		op->off = pick_off(r, rng, op->len, g);
		/* Ranges that reach past the end truncate (not for allocation);
		 * zero-length ones change nothing, inside the file too (ZERO-PAST-1). */
		if (k != OP_ALLOC && chance(rng, 30))
			op->len = chance(rng, 50) ? align_down(UINT64_MAX / 4, g) : c->max_size;
		else if (k != OP_ALLOC && chance(rng, 3))
			op->len = 0;
		if (c->faults && chance(rng, 5))
			op->fault = F_EINTR;
		break;
	case OP_RESIZE: {
		uint64_t s = r->m.h[0].size, max = c->max_size;
		unsigned d = (unsigned)below(rng, 100);
		if (d < 40)
			op->off = s + below(rng, max - (s < max ? s : max) + 1);
		else if (d < 70)
			op->off = below(rng, s + 1);
		else if (d < 80)
			op->off = s;
		else
			op->off = below(rng, max + 1);
		if (op->off > max)
			op->off = max;
		if (c->direct && chance(rng, 80))
			op->off = align_down(op->off, g);
		op->mode = (int)below(rng, REFSTOR_PREALLOC_MODES);
		if (c->faults && chance(rng, 5))
			op->fault = F_EINTR;
		break;
	}
	case OP_SYNC:
		if (c->faults && chance(rng, 10))
			op->fault = F_EIOSYNC;
		else if (c->faults && chance(rng, 10))
			op->fault = F_EINTR;
		break;
	case OP_REOPEN:
		op->mode = CAP_NATIVE;
		if (c->faults && !c->be.is_dev && chance(rng, 30))
			op->mode = 1 + (int)below(rng, CAP_KINDS - 1);
		break;
	case OP_RECREATE:
		op->off = chance(rng, 30) ? 0 : below(rng, c->max_size / 2 + 1);
		if (c->direct)
			op->off = align_down(op->off, g);
		/* ALLOCATE is the mode that can fail, and a failed create must
		 * leave nothing behind: try it often. */
		op->mode = chance(rng, 40) ? REFSTOR_PREALLOC_ALLOCATE
					   : (int)below(rng, REFSTOR_PREALLOC_MODES);
		break;
	default:
		break;
	}
}
