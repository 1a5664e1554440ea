/* SPDX-License-Identifier: MIT */
/*
 * lock.h - the handle's lock: shared by every I/O, exclusive for what changes
 * the file's length (resize, discard-by-truncate), so that no I/O sees a
 * half-done length change (docs/spec.md CONC-2, CONC-3).
 *
 * Why not a pthread_rwlock_t: taking one for reading writes its reader count,
 * one cache line that every reader on every core then writes, twice per I/O;
 * on a 4k I/O from the page cache (about 1 us) that line bouncing between
 * cores is what threads sharing a handle pay (docs/performance.md).  Here a
 * reader writes only the counter of its own slot, one of RS_LOCK_SLOTS cache
 * lines picked by hashing the thread's id; only a writer looks at them all.
 *
 * The protocol is Dekker's, on sequentially consistent atomics: a reader
 * counts itself in its slot, then looks at `writer`; a writer sets `writer`,
 * then waits for every slot to count zero.  One of them always sees the
 * other.  A reader that finds a writer counts itself out again and waits for
 * the writer on the mutex the writer holds throughout.  Writers are rare and
 * go one at a time; they wait out the I/O in flight, and I/O arriving while a
 * writer waits waits for it (no writer starves).
 */
#ifndef REFSTOR_LOCK_H
#define REFSTOR_LOCK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum { RS_LOCK_SLOT_BITS = 6, RS_LOCK_SLOTS = 1 << RS_LOCK_SLOT_BITS, RS_CACHE_LINE = 64 };

struct rs_lock_slot {
	_Alignas(RS_CACHE_LINE) atomic_ulong readers;
};

struct rs_lock {
	struct rs_lock_slot slot[RS_LOCK_SLOTS];
	_Alignas(RS_CACHE_LINE) atomic_bool writer; /* a writer holds it, or waits for readers */
	pthread_mutex_t writers; /* held by the writer from before it sets writer until done */
};

int rs_lock_init(struct rs_lock *l);
void rs_lock_destroy(struct rs_lock *l);
void rs_lock_exclusive(struct rs_lock *l);
void rs_unlock_exclusive(struct rs_lock *l);
/* A reader that met a writer: out of its slot, wait for the writer, in again. */
void rs_lock_shared_wait(struct rs_lock *l, struct rs_lock_slot *slot) __attribute__((cold));

/* The calling thread's slot: a Fibonacci hash of its pthread_t (the address
 * of its thread control block, whose low bits are alike for every thread). */
static inline struct rs_lock_slot *rs_lock_slot_of(struct rs_lock *l)
{
	uint64_t t = (uint64_t)(uintptr_t)pthread_self();
	return &l->slot[(t * 0x9e3779b97f4a7c15ull) >> (64 - RS_LOCK_SLOT_BITS)];
}

/* Shared; returns the slot to pass to rs_unlock_shared. */
static inline struct rs_lock_slot *rs_lock_shared(struct rs_lock *l)
{
	struct rs_lock_slot *slot = rs_lock_slot_of(l);
	atomic_fetch_add(&slot->readers, 1);
	if (__builtin_expect(atomic_load(&l->writer), 0))
		rs_lock_shared_wait(l, slot);
	return slot;
}

static inline void rs_unlock_shared(struct rs_lock_slot *slot)
{
	atomic_fetch_sub_explicit(&slot->readers, 1, memory_order_release);
}

#endif
