/* SPDX-License-Identifier: MIT */
/* stress.c - see stress.h.  Each worker keeps a model of its own region and
 * checks every read against it; the regions are checked again at the end with
 * plain pread. */
#include "stress.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { WORKERS = 8, REGION_BLOCKS = 16 };

struct shared {
	struct rs_stress *st;
	refstor *s;
	size_t block;
	uint64_t end; /* first byte past every region */
	atomic_bool stop;
	uint64_t last_size; /* written by the resizer only, read after join */
	char resize_failure[256];
};

struct worker {
	struct shared *sh;
	int id;
	uint32_t rng;
	unsigned char *model;
	unsigned char *buf;
	char failure[256];
	unsigned long ops;
};

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void fill(unsigned char *p, size_t len, uint32_t seed)
{
	uint32_t x = seed | 1;
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(next(&x) | 1);
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct shared *sh = w->sh;
	const struct rs_impl *impl = sh->st->impl;
	size_t b = sh->block;
	uint64_t base = (uint64_t)w->id * REGION_BLOCKS * b;
	while (!atomic_load(&sh->stop) && !w->failure[0]) {
		unsigned blk = next(&w->rng) % REGION_BLOCKS;
		unsigned room = REGION_BLOCKS - blk;
		unsigned n = 1 + next(&w->rng) % (room < 3 ? room : 3);
		uint64_t off = base + (uint64_t)blk * b;
		size_t len = n * b;
		unsigned char *m = w->model + (size_t)blk * b;
		struct iovec v = {w->buf, len};
		int r = 0;
		switch (next(&w->rng) % 4) {
		case 0:
			fill(w->buf, len, next(&w->rng));
			r = impl->writev(sh->s, &v, 1, off);
			if (!r)
				memcpy(m, w->buf, len);
			break;
		case 1:
			r = impl->readv(sh->s, &v, 1, off);
			if (!r && memcmp(w->buf, m, len)) {
				size_t i = 0;
				while (w->buf[i] == m[i])
					i++;
				snprintf(w->failure, sizeof(w->failure),
					 "worker %d read 0x%02x at %llu, expected 0x%02x", w->id,
					 w->buf[i], (unsigned long long)(off + i), m[i]);
			}
			break;
		case 2:
			if (!impl->discard)
				break;
			r = impl->discard(sh->s, off, len);
			if (!r && sh->st->can_punch)
				memset(m, 0, len);
			break;
		default:
			if (!impl->write_zeroes)
				break;
			r = impl->write_zeroes(sh->s, off, len);
			if (!r)
				memset(m, 0, len);
			else if (r == -ENOTSUP && !sh->st->can_punch)
				r = 0;
		}
		if (r && !w->failure[0])
			snprintf(w->failure, sizeof(w->failure),
				 "worker %d: a call failed with %d (%s)", w->id, r, strerror(-r));
		w->ops++;
	}
	return NULL;
}

static void *resize(void *arg)
{
	struct shared *sh = arg;
	const struct rs_impl *impl = sh->st->impl;
	uint32_t rng = 12345;
	while (!atomic_load(&sh->stop)) {
		/* Always beyond every region: a resize must never cut a worker off. */
		uint64_t to = sh->end + sh->block + next(&rng) % (REGION_BLOCKS * 4) * sh->block;
		int mode = (int)(next(&rng) % 4);
		if (mode == REFSTOR_PREALLOC_ALLOCATE && !sh->st->can_falloc)
			mode = REFSTOR_PREALLOC_WRITE_DATA;
		int r = impl->resize(sh->s, to, (enum refstor_prealloc)mode);
		if (r) {
			snprintf(sh->resize_failure, sizeof(sh->resize_failure),
				 "resize to %llu (mode %d) failed with %d (%s)",
				 (unsigned long long)to, mode, r, strerror(-r));
			break;
		}
		sh->last_size = to;
	}
	return NULL;
}

static int check_regions(struct rs_stress *st, struct worker *w, size_t region)
{
	int fd = open(st->path, O_RDONLY);
	if (fd < 0) {
		snprintf(st->failure, sizeof(st->failure), "open %s: %s", st->path,
			 strerror(errno));
		return -1;
	}
	unsigned char *got = malloc(region);
	int ret = 0;
	for (int i = 0; i < WORKERS && !ret; i++) {
		if (pread(fd, got, region, (off_t)(i * region)) != (ssize_t)region) {
			snprintf(st->failure, sizeof(st->failure), "pread of region %d: %s", i,
				 strerror(errno));
			ret = -1;
		} else if (memcmp(got, w[i].model, region)) {
			size_t j = 0;
			while (got[j] == w[i].model[j])
				j++;
			snprintf(
			    st->failure, sizeof(st->failure),
			    "after the stress, the file has 0x%02x at %zu, worker %d wrote 0x%02x",
			    got[j], i * region + j, i, w[i].model[j]);
			ret = -1;
		}
	}
	free(got);
	close(fd);
	return ret;
}

int rs_stress_run(struct rs_stress *st)
{
	const struct rs_impl *impl = st->impl;
	struct refstor_open_opts o = {.path = st->path, .writable = true, .direct = st->direct};
	struct shared sh = {.st = st};
	st->failure[0] = '\0';
	st->ops = 0;
	int r = impl->open(&o, &sh.s);
	if (r) {
		snprintf(st->failure, sizeof(st->failure), "open %s: %d", st->path, r);
		return -1;
	}
	size_t req = impl->req_align ? impl->req_align(sh.s) : 4096;
	size_t mem = impl->mem_align ? impl->mem_align(sh.s) : 4096;
	size_t unit = st->direct ? (req > 512 ? req : 512) : 100;
	/* Zeroing requests aligned as the implementation says they should be:
	 * an unaligned one may be refused (docs/spec.md ZERO-ALIGN-1). */
	size_t za = impl->zero_align ? impl->zero_align(sh.s) : 1;
	if (impl->discard_align && impl->discard_align(sh.s) > za)
		za = impl->discard_align(sh.s);
	sh.block = unit * 8;
	if (za > 1 && za <= 1 << 20)
		sh.block = (sh.block + za - 1) / za * za;
	sh.end = (uint64_t)WORKERS * REGION_BLOCKS * sh.block;
	size_t region = REGION_BLOCKS * sh.block;
	int ret = 0;
	if ((r = impl->resize(sh.s, sh.end + sh.block, REFSTOR_PREALLOC_NONE))) {
		snprintf(st->failure, sizeof(st->failure), "initial resize: %d", r);
		impl->close(sh.s);
		return -1;
	}
	sh.last_size = sh.end + sh.block;

	struct worker w[WORKERS];
	pthread_t t[WORKERS], resizer;
	size_t align = mem > 4096 ? mem : 4096;
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){.sh = &sh, .id = i, .rng = 2463534242u + (uint32_t)i};
		if (posix_memalign((void **)&w[i].model, align, region) ||
		    posix_memalign((void **)&w[i].buf, align, region))
			abort();
		memset(w[i].model, 0, region);
		pthread_create(&t[i], NULL, work, &w[i]);
	}
	pthread_create(&resizer, NULL, resize, &sh);
	sleep(st->seconds);
	atomic_store(&sh.stop, true);
	pthread_join(resizer, NULL);
	for (int i = 0; i < WORKERS; i++) {
		pthread_join(t[i], NULL);
		st->ops += w[i].ops;
		if (w[i].failure[0] && !ret) {
			snprintf(st->failure, sizeof(st->failure), "%s", w[i].failure);
			ret = -1;
		}
	}
	if (!ret && sh.resize_failure[0]) {
		snprintf(st->failure, sizeof(st->failure), "%s", sh.resize_failure);
		ret = -1;
	}
	if (!ret && impl->size(sh.s) != sh.last_size) {
		snprintf(st->failure, sizeof(st->failure),
			 "size after the stress is %llu, the last resize set %llu",
			 (unsigned long long)impl->size(sh.s), (unsigned long long)sh.last_size);
		ret = -1;
	}
	if (!ret)
		ret = check_regions(st, w, region);
	impl->close(sh.s);
	for (int i = 0; i < WORKERS; i++) {
		free(w[i].model);
		free(w[i].buf);
	}
	return ret;
}
