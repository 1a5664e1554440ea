/* SPDX-License-Identifier: MIT */
/* watch.c - see watch.h. */
#include "watch.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static void watch_path(const char *dir, const char *suite, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s.%s", dir, suite, name);
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct rs_watch *rs_watch_open(const char *dir, const char *suite, const char *name)
{
	if (!dir)
		return NULL;
	char p[1024];
	watch_path(dir, suite, name, p, sizeof(p));
	int fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	void *m = MAP_FAILED;
	if (!ftruncate(fd, sizeof(struct rs_watch)))
		m = mmap(NULL, sizeof(struct rs_watch), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return NULL;
	((struct rs_watch *)m)->owner = (int32_t)getpid();
	return m;
}

int rs_watch_enter(struct rs_watch *w, const char *call)
{
	/* A thread keeps the slot it first got. */
	static atomic_int next;
	static _Thread_local int mine = -1;
	if (!w || (w->owner && w->owner != (int32_t)getpid()))
		return -1;
	if (mine < 0)
		mine = atomic_fetch_add(&next, 1) % RS_WATCH_SLOTS;
	struct rs_watch_slot *s = &w->slot[mine];
	/* Nested calls (a port's open calling its own size) keep the outer. */
	if (s->call[0])
		return -1;
	s->since_ns = now_ns();
	snprintf(s->call, sizeof(s->call), "%s", call);
	return mine;
}

void rs_watch_leave(struct rs_watch *w, int slot)
{
	if (w && slot >= 0)
		w->slot[slot].call[0] = '\0';
}

bool rs_watch_read(const char *dir, const char *suite, const char *name, struct rs_watch *out)
{
	char p[1024];
	watch_path(dir, suite, name, p, sizeof(p));
	int fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = pread(fd, out, sizeof(*out), 0);
	close(fd);
	if (n != (ssize_t)sizeof(*out))
		return false;
	/* Written by a process that may have died mid-write: terminate. */
	for (int i = 0; i < RS_WATCH_SLOTS; i++)
		out->slot[i].call[sizeof(out->slot[i].call) - 1] = '\0';
	out->fds[sizeof(out->fds) - 1] = '\0';
	out->files[sizeof(out->files) - 1] = '\0';
	return true;
}

bool rs_watch_oldest(const struct rs_watch *w, char *call, size_t len, double *seconds)
{
	int oldest = -1;
	for (int i = 0; i < RS_WATCH_SLOTS; i++)
		if (w->slot[i].call[0] &&
		    (oldest < 0 || w->slot[i].since_ns < w->slot[oldest].since_ns))
			oldest = i;
	if (oldest < 0)
		return false;
	snprintf(call, len, "%s", w->slot[oldest].call);
	*seconds = (double)(now_ns() - w->slot[oldest].since_ns) / 1e9;
	return true;
}

struct rs_watchdog {
	struct rs_watch *w;
	double limit;
	void (*hung)(const char *call, double limit);
};

static void *rs_watchdog_run(void *arg)
{
	const struct rs_watchdog *d = arg;
	for (;;) {
		struct timespec tick = {0, 100 * 1000 * 1000};
		nanosleep(&tick, NULL);
		char call[64];
		double secs;
		if (rs_watch_oldest(d->w, call, sizeof(call), &secs) && secs > d->limit)
			d->hung(call, d->limit);
	}
	return NULL;
}

int rs_watchdog_start(struct rs_watch *w, double limit,
		      void (*hung)(const char *call, double limit))
{
	/* Lives as long as the process: the thread reads it to the end. */
	struct rs_watchdog *d = malloc(sizeof(*d));
	if (!d)
		return -ENOMEM;
	*d = (struct rs_watchdog){w, limit, hung};
	pthread_t t;
	int r = pthread_create(&t, NULL, rs_watchdog_run, d);
	if (r) {
		free(d);
		return -r;
	}
	pthread_detach(t);
	return 0;
}
