/* SPDX-License-Identifier: MIT */
/*
 * conn.c - the NBD connection: made within a deadline (the server may fail
 * to start, or hang), what the server offers read once, and closed politely
 * but never waiting for ever.
 */
#include "internal.h"
#include "preset.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

int64_t rn_now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* REFSTOR_NBD_TIMEOUT seconds (default 10) for a server to start and answer:
 * a slow machine may need more, a test of failures less. */
int64_t rn_timeout_ns(void)
{
	const char *env = getenv("REFSTOR_NBD_TIMEOUT");
	char *end;
	double secs = env ? strtod(env, &end) : 0;
	if (!env || end == env || *end || !(secs > 0) || secs > 3600)
		secs = 10;
	return (int64_t)(secs * 1e9);
}

static int rn_ms_left(int64_t deadline_ns)
{
	int64_t left = deadline_ns - rn_now_ns();
	return left <= 0 ? 0 : (int)((left + 999999) / 1000000);
}

int rn_dial(refstor *s, const char *op)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	size_t n = strlen(s->nbd_addr);
	/* Abstract namespace: sun_path[0] is NUL, the name follows, unterminated. */
	memcpy(a.sun_path + 1, s->nbd_addr, n);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rs_failf(errno, true, s->what, "%s %s: socket", op, s->what);
	int r;
	do
		r = connect(fd, (struct sockaddr *)&a,
			    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n));
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		return rs_failf(e, true, s->what, "%s %s: connect to %s's NBD socket @%s", op,
				s->what, s->server.name, s->nbd_addr);
	}
	return fd;
}

/* The connection failed or timed out: say so with what the server said, and
 * take the errno from that when it names one. */
int rn_fail_server(refstor *s, const char *op, const char *why, int64_t deadline_ns)
{
	/* A server that failed says why before it exits or answers: give it
	 * a moment to finish saying it, no more. */
	int64_t soon = rn_now_ns() + 500 * 1000000LL;
	rn_server_collect(&s->server, soon < deadline_ns ? soon : deadline_ns);
	char said[RN_TAIL_MAX + 512];
	rn_server_said(&s->server, said, sizeof(said));
	int e = rn_errno_in(said, EIO);
	return rs_failf(e, false, s->what, "%s %s: %s %s; %s said: %s", op, s->what, s->server.name,
			why, s->server.name, said[0] ? said : "(nothing)");
}

int rn_connect(refstor *s, const char *op, int sock, int64_t deadline_ns)
{
	char why[1024];
	s->nbd = NULL;
	struct nbd_handle *h = nbd_create();
	if (!h) {
		close(sock);
		return rs_failf(ENOMEM, false, s->what, "%s %s: nbd_create: %s", op, s->what,
				nbd_get_error());
	}
	/*
	 * libnbd's client-side checks stay (commands the server did not
	 * advertise, requests out of bounds), except alignment: a caller's
	 * read or write is held to the minimum block size by io.c (the ABI's
	 * BAD-ALIGN-1), and what is left unaligned is ours to send as it is:
	 * a read cut at a size that is not a multiple of the minimum block
	 * (qemu exports whole 512-byte sectors but may ask for 4096), the
	 * preallocation of a resize to such a size, zeroing (the ABI leaves
	 * its alignment to the storage, ZERO-ALIGN-1).  What the server does
	 * with those is what is being measured; libnbd would refuse them
	 * with EINVAL before the server saw them.
	 */
	if (nbd_set_strict_mode(h, nbd_get_strict_mode(h) & ~LIBNBD_STRICT_ALIGN) == -1 ||
	    nbd_aio_connect_socket(h, sock) == -1) {
		snprintf(why, sizeof(why), "connect: %s", nbd_get_error());
		nbd_close(h);
		close(sock);
		return rn_fail_server(s, op, why, deadline_ns);
	}
	while (!nbd_aio_is_ready(h)) {
		if (nbd_aio_is_dead(h) || nbd_aio_is_closed(h)) {
			snprintf(why, sizeof(why), "closed the connection in the handshake");
			break;
		}
		int ms = rn_ms_left(deadline_ns);
		if (!ms) {
			snprintf(why, sizeof(why),
				 "did not complete the NBD handshake within %.1f s",
				 (double)rn_timeout_ns() / 1e9);
			break;
		}
		if (nbd_poll(h, ms) == -1) {
			snprintf(why, sizeof(why), "handshake failed: %s", nbd_get_error());
			break;
		}
		rn_server_drain(&s->server);
	}
	if (!nbd_aio_is_ready(h)) {
		nbd_close(h); /* nbdkit -s exits when its one connection closes */
		return rn_fail_server(s, op, why, deadline_ns);
	}

	int64_t size = nbd_get_size(h);
	int64_t min = nbd_get_block_size(h, LIBNBD_SIZE_MINIMUM);
	int64_t max = nbd_get_block_size(h, LIBNBD_SIZE_MAXIMUM);
	if (size < 0) {
		snprintf(why, sizeof(why), "gave no export size: %s", nbd_get_error());
		nbd_close(h);
		return rn_fail_server(s, op, why, deadline_ns);
	}
	s->can_zero = nbd_can_zero(h) == 1;
	s->can_fast_zero = nbd_can_fast_zero(h) == 1;
	s->can_trim = nbd_can_trim(h) == 1;
	size_t align = min > 0 ? (size_t)min : 1;
	atomic_store(&s->req_align, align);
	/* No maximum: 32 MiB is what servers that do not say one take (NBD's
	 * own advice); above 64 MiB libnbd refuses whatever the server says. */
	size_t cap = max > 0 ? (size_t)max : (size_t)32 << 20;
	if (cap > (size_t)64 << 20)
		cap = (size_t)64 << 20;
	cap -= cap % align;
	s->max_req = cap ? cap : align;
	atomic_store(&s->size, (uint64_t)size);
	s->nbd = h;
	return 0;
}

void rn_disconnect(refstor *s)
{
	struct nbd_handle *h = s->nbd;
	if (!h)
		return;
	s->nbd = NULL;
	/* nbd_shutdown, bounded: NBD_CMD_DISC lets the server finish what is
	 * in flight and close cleanly; a server that does not answer within
	 * 2 s is killed next anyway. */
	if (nbd_aio_is_ready(h) && nbd_aio_disconnect(h, 0) == 0) {
		int64_t deadline = rn_now_ns() + 2000 * 1000000LL;
		while (!nbd_aio_is_closed(h) && !nbd_aio_is_dead(h)) {
			int ms = rn_ms_left(deadline);
			if (!ms || nbd_poll(h, ms) == -1)
				break;
		}
	}
	nbd_close(h);
}
