/* SPDX-License-Identifier: MIT */
/* lock.c - the handle's lock's slow paths: see lock.h for the protocol. */
#include "lock.h"

#include <sched.h>
#include <time.h>

int rs_lock_init(struct rs_lock *l)
{
	for (int i = 0; i < RS_LOCK_SLOTS; i++)
		atomic_init(&l->slot[i].readers, 0);
	atomic_init(&l->writer, false);
	return pthread_mutex_init(&l->writers, NULL);
}

void rs_lock_destroy(struct rs_lock *l)
{
	pthread_mutex_destroy(&l->writers);
}

void rs_lock_shared_wait(struct rs_lock *l, struct rs_lock_slot *slot)
{
	do {
		atomic_fetch_sub(&slot->readers, 1);
		/* The writer holds the mutex until it is done: this sleeps until then. */
		pthread_mutex_lock(&l->writers);
		pthread_mutex_unlock(&l->writers);
		atomic_fetch_add(&slot->readers, 1);
	} while (atomic_load(&l->writer));
}

void rs_lock_exclusive(struct rs_lock *l)
{
	pthread_mutex_lock(&l->writers);
	atomic_store(&l->writer, true);
	/* Wait out the I/O in flight: a few yields for the common short wait,
	 * then short sleeps, since an I/O to a slow device takes milliseconds. */
	for (int i = 0; i < RS_LOCK_SLOTS; i++)
		for (unsigned spins = 0; atomic_load(&l->slot[i].readers); spins++) {
			if (spins < 64) {
				sched_yield();
			} else {
				struct timespec ts = {0, 20000};
				nanosleep(&ts, NULL);
			}
		}
}

void rs_unlock_exclusive(struct rs_lock *l)
{
	atomic_store(&l->writer, false);
	pthread_mutex_unlock(&l->writers);
}
