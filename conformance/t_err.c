/* SPDX-License-Identifier: MIT */
/* ERR: error returns, messages, -ENOTSUP mapping (docs/spec.md, ERR). */
#include "suite.h"

#include <pthread.h>
#include <stdio.h>

RS_CLAUSE_TEST_ONCE(err, failures_are_negative_errnos_with_messages, "ERR-RET-1")
{
	refstor *s;
	struct refstor_open_opts o = {.path = "/nonexistent/refstor/conformance"};
	T_FAILS(impl->open(&o, &s));
	const char *p = t_target(1 << 20, 1, NULL);
	s = t_open(p, false);
	char *b = t_alloc(0, 4096);
	T_FAILS(t_write(s, b, 4096, 0));
	T_OK(t_read(s, b, 4096, 0));
	impl->close(s);
}

struct other {
	const struct rs_impl *impl;
	char seen[512];
};

static void *fail_elsewhere(void *arg)
{
	struct other *o = arg;
	struct refstor_open_opts opts = {.path = "/nonexistent/refstor/other-thread"};
	refstor *s;
	o->impl->open(&opts, &s);
	snprintf(o->seen, sizeof(o->seen), "%s", o->impl->last_error());
	return NULL;
}

RS_CLAUSE_TEST_ONCE(err, message_is_per_thread, "ERR-TLS-1")
{
	struct refstor_open_opts opts = {.path = "/nonexistent/refstor/this-thread"};
	refstor *s;
	cr_assert_lt(impl->open(&opts, &s), 0);
	char mine[512];
	snprintf(mine, sizeof(mine), "%s", t_msg());
	struct other o = {.impl = impl};
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, fail_elsewhere, &o), 0);
	pthread_join(t, NULL);
	cr_assert(o.seen[0], "the other thread's failure left no message; on %s", rs_where());
	cr_assert_str_eq(t_msg(), mine,
			 "another thread's failure changed this thread's message to \"%s\"; on %s",
			 t_msg(), rs_where());
}

RS_CLAUSE_TEST_ONCE(err, char_device_without_a_size_is_refused, "ERR-NOTSUP-1")
{
	/* /dev/null is a character device: BLKGETSIZE64 fails with ENOTTY. */
	refstor *s;
	struct refstor_open_opts o = {.path = "/dev/null"};
	/* -ENOTSUP recommended; the original passes ENOTTY on unmapped. */
	T_FAILS(impl->open(&o, &s));
}
