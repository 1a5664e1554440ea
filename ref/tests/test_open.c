/* SPDX-License-Identifier: MIT */
/* handle.c's open: the one wait a non-blocking open keeps. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int leased_fd;

static void *release_the_lease(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
	return (void *)(intptr_t)fcntl(leased_fd, F_SETLEASE, F_UNLCK);
}

/* open(2) is made with O_NONBLOCK (OPEN-TYPE-1: a FIFO must not block it),
 * so a file under a lease fails with EWOULDBLOCK while the lease is being
 * broken: the library sleeps and tries again, as a blocking open(2) would
 * wait, instead of failing. */
T_TEST(open, nonblocking_open_retries_while_a_lease_is_broken)
{
	const char *p = t_path("leased");
	t_write_file(p, "data", 4);
	signal(SIGIO, SIG_IGN); /* the lease holder's notice */
	leased_fd = open(p, O_RDONLY | O_CLOEXEC);
	cr_assert_geq(leased_fd, 0);
	if (fcntl(leased_fd, F_SETLEASE, F_RDLCK))
		cr_skip_test("no read lease here: %s", strerror(errno));
	pthread_t t;
	cr_assert_eq(pthread_create(&t, NULL, release_the_lease, NULL), 0);
	refstor *s = t_open(p, true, false);
	void *released;
	pthread_join(t, &released);
	cr_assert_eq((intptr_t)released, 0, "F_SETLEASE F_UNLCK");
	cr_assert_eq(refstor_size(s), 4);
	refstor_close(s);
	close(leased_fd);
}
