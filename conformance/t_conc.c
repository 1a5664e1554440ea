/* SPDX-License-Identifier: MIT */
/* CONC: threads on disjoint ranges of one handle. */
#include "stress.h"
#include "suite.h"

#include <pthread.h>
#include <stdlib.h>

enum { THREADS = 4, BLOCKS = 64 };

struct worker {
	refstor *s;
	const struct rs_impl *impl;
	size_t block;
	int id;
	int failed;
	char *buf;
};

static void *work(void *arg)
{
	struct worker *w = arg;
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
	struct worker w[THREADS];
	pthread_t t[THREADS];
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){s, I, block, i, 0, t_alloc(0, block)};
		cr_assert_eq(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		cr_assert_eq(w[i].failed, 0, "thread %d: %s failed; on %s", i,
			     w[i].failed == 1 ? "writev" : "readv", rs_where());
	}
	uint64_t end = (uint64_t)BLOCKS * THREADS * block;
	if (!rs_conf()->is_dev)
		T_EQ(I->size(s), end, "size after concurrent writes");
	char *got = t_alloc(0, block), *want = t_alloc(0, block);
	for (int id = 0; id < THREADS; id++)
		for (int i = 0; i < BLOCKS; i++) {
			uint64_t off = ((uint64_t)i * THREADS + (uint64_t)id) * block;
			t_pattern(want, block, (unsigned)(id * 1000 + i));
			f_read(p, got, block, off);
			t_assert_same(got, want, block, off, "a block written by a thread");
		}
	I->close(s);
}

RS_CLAUSE_TEST(conc, stress_with_a_resizer, "CONC-2")
{
	require_fs();
	require_fn(resize);
	const char *p = t_file("img");
	f_make(p, 0, 0, NULL);
	const char *secs = getenv("REFSTOR_CONF_STRESS_SECONDS");
	struct rs_stress st = {.impl = I,
			       .path = p,
			       .direct = rs_conf()->direct,
			       .seconds = secs ? (unsigned)atoi(secs) : 2,
			       .can_punch = backend_can_punch(),
			       .can_falloc = backend_can_fallocate()};
	int r = rs_stress_run(&st);
	cr_assert_eq(r, 0, "%s; on %s", st.failure, rs_where());
	cr_assert_gt(st.ops, 8, "the workers barely ran (%lu ops); on %s", st.ops, rs_where());
}
