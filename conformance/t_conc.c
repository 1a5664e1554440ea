/* SPDX-License-Identifier: MIT */
/* CONC: threads on disjoint ranges of one handle. */
#include "stress.h"
#include "suite.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

enum { THREADS = 4, BLOCKS = 256 };

struct worker {
	refstor *s;
	const struct rs_impl *impl;
	size_t block;
	int id;
	int failed;
	char *buf;
	pthread_barrier_t *start;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	/* All threads start together, so their calls really overlap. */
	pthread_barrier_wait(w->start);
	for (int i = 0; i < BLOCKS && !w->failed; i++) {
		uint64_t off = ((uint64_t)i * THREADS + (uint64_t)w->id) * w->block;
		t_pattern(w->buf, w->block, (unsigned)(w->id * 1000 + i));
		struct iovec v = {w->buf, w->block};
		if (w->impl->writev(w->s, &v, 1, off))
			w->failed = 1;
		else if (w->impl->readv(w->s, &v, 1, off))
			w->failed = 2;
	}
	return NULL;
}

RS_CLAUSE_TEST(conc, disjoint_ranges_from_threads, "CONC-1")
{
	const char *p = t_target(4096, 120, NULL);
	refstor *s = t_open(p, true);
	size_t block = t_unit(s) * 8;
	uint64_t end = (uint64_t)BLOCKS * THREADS * block;
	/* The writes grow the file, racing on its size, unless the
	 * implementation declares a fixed size (LIMITS): then they land in a
	 * file that is already long enough, and only the data is checked. */
	if (rs_impl_limits(impl) & REFSTOR_LIMIT_FIXED_SIZE) {
		impl->close(s);
		p = t_target(end, 120, NULL);
		s = t_open(p, true);
	}
	struct worker w[THREADS];
	pthread_t t[THREADS];
	pthread_barrier_t start;
	pthread_barrier_init(&start, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){s, impl, block, i, 0, t_alloc(0, block), &start};
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	/* Every thread joined before any verdict: a fatal assertion would
	 * leave the others running on this frame. */
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < THREADS; i++)
		cr_assert_eq(w[i].failed, 0, "thread %d: %s failed; on %s", i,
			     w[i].failed == 1 ? "writev" : "readv", rs_where());
	if (!rs_conf()->is_dev)
		T_EQ(impl->size(s), end, "size after concurrent writes");
	char *got = t_alloc(0, block), *want = t_alloc(0, block);
	for (int id = 0; id < THREADS; id++)
		for (int i = 0; i < BLOCKS; i++) {
			uint64_t off = ((uint64_t)i * THREADS + (uint64_t)id) * block;
			t_pattern(want, block, (unsigned)(id * 1000 + i));
			f_read(p, got, block, off);
			t_assert_same(got, want, block, off, "a block written by a thread");
		}
	impl->close(s);
}

RS_CLAUSE_TEST(conc, stress_with_a_resizer, "CONC-2")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_fs();
	require_fn(resize);
	const char *p = t_made("img", 0, 0, NULL);
	const char *secs = getenv("REFSTOR_CONF_STRESS_SECONDS");
	struct rs_stress st = {.impl = impl,
			       .path = p,
			       .direct = rs_conf()->direct,
			       .seconds = secs ? (unsigned)atoi(secs) : 2,
			       .can_punch = backend_can_punch(),
			       .can_falloc = backend_can_fallocate()};
	int r = rs_stress_run(&st);
	cr_assert_eq(r, 0, "%s; on %s", st.failure, rs_where());
	cr_assert_gt(st.ops, 8, "the workers barely ran (%lu ops); on %s", st.ops, rs_where());
}

/* CONC-3: a writer thread keeps writing blocks below and inside the range a
 * WRITE_DATA resize is filling with zeroes.  Each write happens before or
 * after the resize as a whole: none may be lost under the resize's zeroes. */
enum { CONC3_ROUNDS = 12, CONC3_GROW = 2 << 20 };

struct conc3_writer {
	refstor *s;
	const struct rs_impl *impl;
	size_t block;
	uint64_t limit;      /* blocks [0, limit / block) may be written */
	uint32_t *last;      /* per block: the seed last written there (0: never) */
	atomic_bool resized; /* the resize returned */
	uint32_t seed;
	atomic_int written; /* writes done: the resize starts after the first */
	int failed;
	char *buf;
};

static void *conc3_write(void *arg)
{
	struct conc3_writer *w = arg;
	uint64_t blocks = w->limit / w->block;
	uint64_t grown = (w->limit - CONC3_GROW) / w->block; /* first block of the new range */
	uint32_t x = w->seed | 1;
	/* Until the resize is done, and a few more after it; three writes in
	 * four go into the range being filled, where a lost write hides. */
	for (int after = 0; after < 16 && !w->failed;) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		uint64_t i =
		    x % 4 && blocks > grown ? grown + x / 4 % (blocks - grown) : x % blocks;
		uint32_t seed = ++w->seed;
		t_pattern(w->buf, w->block, seed);
		if (w->impl->write(w->s, w->buf, w->block, i * w->block))
			w->failed = 1;
		else
			w->last[i] = seed;
		atomic_fetch_add(&w->written, 1);
		if (atomic_load(&w->resized))
			after++;
	}
	return NULL;
}

RS_CLAUSE_TEST(conc, write_data_resize_loses_no_write, "CONC-3")
{
	require_unlimited(REFSTOR_LIMIT_NO_RESIZE);
	require_unlimited(REFSTOR_LIMIT_FIXED_SIZE);
	require_fs();
	require_fn(resize);
	require_fn(write);
	const char *p = t_file("img");
	size_t block = rs_conf()->direct ? t_unit_here() : 4096;
	f_make(p, 0, 0, NULL);
	refstor *s = t_open(p, true);
	uint64_t final = (uint64_t)CONC3_ROUNDS * CONC3_GROW;
	uint32_t *last = t_alloc(0, (size_t)(final / block) * sizeof(uint32_t));
	char *want = t_alloc(0, block), *got = t_alloc(0, block);
	for (int round = 1; round <= CONC3_ROUNDS; round++) {
		uint64_t to = (uint64_t)round * CONC3_GROW;
		struct conc3_writer w = {.s = s,
					 .impl = impl,
					 .block = block,
					 .limit = to,
					 .last = last,
					 .seed = (uint32_t)round << 20,
					 .buf = t_alloc(0, block)};
		atomic_init(&w.resized, false);
		atomic_init(&w.written, 0);
		pthread_t t;
		cr_assert_eq(pthread_create(&t, NULL, conc3_write, &w), 0);
		while (!atomic_load(&w.written) && !w.failed)
			sched_yield(); /* the writer is writing before the resize starts */
		int r = impl->resize(s, to, REFSTOR_PREALLOC_WRITE_DATA);
		atomic_store(&w.resized, true);
		pthread_join(t, NULL);
		cr_assert_eq(r, 0,
			     "resize to %llu (WRITE_DATA) with a writer running: %d (%s) "
			     "\"%s\"; on %s",
			     (unsigned long long)to, r, strerror(-r), t_msg(), rs_where());
		cr_assert_eq(w.failed, 0,
			     "a write racing a WRITE_DATA resize failed: \"%s\"; on %s", t_msg(),
			     rs_where());
		T_EQ(impl->size(s), to, "size after a WRITE_DATA resize racing writes");
		T_EQ(f_size(p), to, "length after a WRITE_DATA resize racing writes");
		for (uint64_t i = 0; i < to / block; i++) {
			if (!last[i])
				continue;
			t_pattern(want, block, last[i]);
			f_read(p, got, block, i * block);
			if (memcmp(got, want, block)) {
				cr_expect(
				    0,
				    "round %d: the write of block %llu (offset %llu, %s the old "
				    "end %llu) was lost: the resize's zeroes overwrote it; on %s",
				    round, (unsigned long long)i, (unsigned long long)(i * block),
				    i * block >= to - CONC3_GROW ? "past" : "before",
				    (unsigned long long)(to - CONC3_GROW), rs_where());
				break;
			}
		}
	}
	impl->close(s);
}
