/* SPDX-License-Identifier: MIT */
/* calls.c - see calls.h. */
#include "calls.h"

#include <pthread.h>

/* A test process tests one implementation: this is its state. */
static const struct rs_impl *real;
static struct rs_watch *watch;
static struct rs_impl wrapped;
static enum refstor_profile profile; /* the run's, for handles that name none */

enum { MAX_HANDLES = 256 };
static refstor *handles[MAX_HANDLES];
static pthread_mutex_t handles_lock = PTHREAD_MUTEX_INITIALIZER;

static void track(int r, refstor **s)
{
	if (r || !s || !*s)
		return;
	pthread_mutex_lock(&handles_lock);
	for (int i = 0; i < MAX_HANDLES; i++)
		if (!handles[i]) {
			handles[i] = *s;
			break;
		}
	pthread_mutex_unlock(&handles_lock);
}

static void untrack(refstor *s)
{
	pthread_mutex_lock(&handles_lock);
	for (int i = 0; i < MAX_HANDLES; i++)
		if (s && handles[i] == s)
			handles[i] = NULL;
	pthread_mutex_unlock(&handles_lock);
}

#define RS_CALLS_FORWARD(name, ret, params, args, core)              \
	static ret call_##name params                                \
	{                                                            \
		int slot_ = rs_watch_enter(watch, "refstor_" #name); \
		ret r_ = real->name args;                            \
		rs_watch_leave(watch, slot_);                        \
		return r_;                                           \
	}
RS_ABI_VALUED(RS_CALLS_FORWARD)
#undef RS_CALLS_FORWARD

static void call_close(refstor *s)
{
	untrack(s);
	int slot = rs_watch_enter(watch, "refstor_close");
	real->close(s);
	rs_watch_leave(watch, slot);
}

/* The three that make handles also remember them; open and create give the
 * run's profile to a handle whose options name none. */
static int tracked_open(const struct refstor_open_opts *o, refstor **s)
{
	struct refstor_open_opts with = o ? *o : (struct refstor_open_opts){0};
	if (o && !o->profile)
		with.profile = profile;
	int r = call_open(o ? &with : NULL, s);
	track(r, s);
	return r;
}

static int tracked_create(const struct refstor_create_opts *o, refstor **s)
{
	struct refstor_create_opts with = o ? *o : (struct refstor_create_opts){0};
	if (o && !o->open.profile)
		with.open.profile = profile;
	int r = call_create(o ? &with : NULL, s);
	track(r, s);
	return r;
}

static int tracked_from_fd(int fd, refstor **s)
{
	int r = call_from_fd(fd, s);
	track(r, s);
	return r;
}

const struct rs_impl *rs_calls_wrap(const struct rs_impl *impl, struct rs_watch *w,
				    enum refstor_profile p)
{
	real = impl;
	profile = p;
	watch = w;
	wrapped = *impl;
#define RS_CALLS_BIND(name, ret, params, args, core) wrapped.name = impl->name ? call_##name : NULL;
	RS_ABI(RS_CALLS_BIND)
#undef RS_CALLS_BIND
	if (impl->open)
		wrapped.open = tracked_open;
	if (impl->create)
		wrapped.create = tracked_create;
	if (impl->from_fd)
		wrapped.from_fd = tracked_from_fd;
	return &wrapped;
}

void rs_calls_close_all(void)
{
	for (int i = 0; i < MAX_HANDLES; i++) {
		pthread_mutex_lock(&handles_lock);
		refstor *s = handles[i];
		handles[i] = NULL;
		pthread_mutex_unlock(&handles_lock);
		if (s)
			call_close(s);
	}
}
