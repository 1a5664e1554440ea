/* SPDX-License-Identifier: MIT */
/* The handle's lock (lock.h): a writer is alone, readers overlap each other. */
#include "lock.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

enum { READERS = 6, WRITER_ROUNDS = 200 };

struct arena {
	struct rs_lock lock;
	atomic_int readers_inside; /* readers between rs_lock_shared and rs_unlock_shared */
	atomic_int max_readers_inside;
	atomic_int writers_inside;
	atomic_int overlaps; /* a reader and the writer inside together: never */
	atomic_bool stop;
};

static void pause_briefly(long ns)
{
	struct timespec ts = {0, ns};
	nanosleep(&ts, NULL);
}

static void *reader(void *arg)
{
	struct arena *a = arg;
	while (!atomic_load(&a->stop)) {
		struct rs_lock_slot *held = rs_lock_shared(&a->lock);
		int in = atomic_fetch_add(&a->readers_inside, 1) + 1;
		int max = atomic_load(&a->max_readers_inside);
		while (in > max && !atomic_compare_exchange_weak(&a->max_readers_inside, &max, in))
			;
		if (atomic_load(&a->writers_inside))
			atomic_fetch_add(&a->overlaps, 1);
		/* Long enough for a writer to arrive while readers are inside. */
		pause_briefly(20000);
		if (atomic_load(&a->writers_inside))
			atomic_fetch_add(&a->overlaps, 1);
		atomic_fetch_sub(&a->readers_inside, 1);
		rs_unlock_shared(held);
	}
	return NULL;
}

Test(lock, a_writer_waits_out_the_readers_and_holds_them_off)
{
	struct arena a = {0};
	cr_assert_eq(rs_lock_init(&a.lock), 0);
	pthread_t t[READERS];
	for (int i = 0; i < READERS; i++)
		cr_assert_eq(pthread_create(&t[i], NULL, reader, &a), 0);
	/* Asserted after the readers are joined: they use this stack frame. */
	int bad_round = -1, bad_seen = 0;
	for (int round = 0; round < WRITER_ROUNDS; round++) {
		rs_lock_exclusive(&a.lock);
		atomic_fetch_add(&a.writers_inside, 1);
		int seen = atomic_load(&a.readers_inside);
		pause_briefly(10000);
		seen += atomic_load(&a.readers_inside);
		atomic_fetch_sub(&a.writers_inside, 1);
		rs_unlock_exclusive(&a.lock);
		if (seen && bad_round < 0) {
			bad_round = round;
			bad_seen = seen;
		}
		pause_briefly(50000);
	}
	atomic_store(&a.stop, true);
	for (int i = 0; i < READERS; i++)
		pthread_join(t[i], NULL);
	cr_assert_eq(bad_round, -1, "round %d: %d reader(s) inside beside the writer", bad_round,
		     bad_seen);
	cr_assert_eq(atomic_load(&a.overlaps), 0, "a reader saw the writer inside %d time(s)",
		     atomic_load(&a.overlaps));
	/* Shared means shared: readers were inside together. */
	cr_assert_gt(atomic_load(&a.max_readers_inside), 1,
		     "readers never overlapped (at most %d inside at once)",
		     atomic_load(&a.max_readers_inside));
	rs_lock_destroy(&a.lock);
}

/* Every slot is a cache line of its own, and the writer's flag another. */
Test(lock, slots_do_not_share_cache_lines)
{
	struct rs_lock l;
	for (int i = 1; i < RS_LOCK_SLOTS; i++)
		cr_assert_geq((char *)&l.slot[i] - (char *)&l.slot[i - 1], RS_CACHE_LINE);
	cr_assert_geq((char *)&l.writer - (char *)&l.slot[RS_LOCK_SLOTS - 1], RS_CACHE_LINE);
	cr_assert_eq(_Alignof(struct rs_lock) % RS_CACHE_LINE, 0);
}
