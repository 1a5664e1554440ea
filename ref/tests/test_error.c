/* SPDX-License-Identifier: MIT */
/*
 * error.c and the messages of every failure: what they say, how one too
 * long for the 1 KiB buffer is shortened, and where they are kept.  The
 * suite checks that a failure leaves a message of its own (ERR-RET-1), per
 * thread (ERR-TLS-1), that keeps the errno's text (ERR-MSG-LONG-1); the
 * wording is the reference's own.
 */
#include "helpers.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

enum { MSG_MAX = 1024 /* message.c's RS_MSG_MAX */ };

static void *other_thread_message(void *arg)
{
	(void)arg;
	return (void *)refstor_last_error();
}

T_TEST(error, last_error_buffer_is_thread_local_storage)
{
	refstor_open(NULL, NULL);
	cr_assert_neq(refstor_last_error()[0], '\0');
	pthread_t t;
	const char *theirs;
	cr_assert_eq(pthread_create(&t, NULL, other_thread_message, NULL), 0);
	cr_assert_eq(pthread_join(t, (void **)&theirs), 0);
	cr_assert_neq((void *)theirs, (void *)refstor_last_error(),
		      "each thread has its own message buffer");
}

/* A path under /nonexistent of len bytes, in components of 200 bytes of
 * unit (a character of one or more bytes). */
static char *long_path(size_t len, const char *unit)
{
	char *p = malloc(len + 1);
	size_t n = (size_t)snprintf(p, len + 1, "/nonexistent/refstor-long-path");
	size_t u = strlen(unit);
	while (n + u < len) {
		p[n++] = '/';
		for (size_t i = 0; i + u <= 200 && n + u <= len; i += u, n += u)
			memcpy(p + n, unit, u);
	}
	p[n] = '\0';
	return p;
}

T_TEST(error, overlong_message_elides_the_middle_of_the_path)
{
	char *p = long_path(4000, "x");
	struct refstor_open_opts o = {.path = p};
	refstor *s;
	t_assert_err(refstor_open(&o, &s), -ENOENT);
	const char *m = refstor_last_error();
	const char *tail = " (read-only): No such file or directory";
	cr_assert_eq(strlen(m), MSG_MAX - 1, "the message fills the buffer: %zu bytes", strlen(m));
	cr_assert_eq(strncmp(m, "open /nonexistent/refstor-long-path", 35), 0, "%.80s", m);
	cr_assert_str_eq(m + strlen(m) - strlen(tail), tail);
	cr_assert(strstr(m, "x...x"), "the path's middle gives way: %s", m);

	/* create's message, with the resize's reason after the path. */
	struct refstor_create_opts c = {.open = {.path = p}, .overwrite = true, .size = 1};
	t_assert_err(refstor_create(&c, &s), -ENOENT);
	m = refstor_last_error();
	cr_assert_str_eq(m + strlen(m) - strlen(": No such file or directory"),
			 ": No such file or directory");
	free(p);
}

T_TEST(error, overlong_message_without_a_path_elides_its_own_middle)
{
	/* rs_fail names no path: the operation at the start and the reason at
	 * the end stay, the middle gives way. */
	const char *p = t_path("img");
	t_write_file(p, "", 0);
	refstor *s;
	t_assert_ok(refstor_from_fd(open(p, O_RDONLY), &s));
	char rel[3001];
	memset(rel, 'r', sizeof(rel) - 1);
	rel[sizeof(rel) - 1] = '\0';
	char *out;
	t_assert_err(refstor_resolve_relative_path(s, rel, &out), -EINVAL);
	const char *m = refstor_last_error();
	const char *why = ": cannot resolve a relative path without a filename";
	cr_assert_eq(strlen(m), MSG_MAX - 1, "%zu bytes", strlen(m));
	cr_assert_eq(strncmp(m, "resolve_relative_path rrr", 25), 0, "%.80s", m);
	cr_assert_str_eq(m + strlen(m) - strlen(why), why);
	cr_assert(strstr(m, "r...r"), "%s", m);
	refstor_close(s);
}

/* Is s valid UTF-8 (well-formed lead and continuation bytes)? */
static bool utf8_ok(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		int more = *p < 0x80 ? 0 : (*p & 0xe0) == 0xc0 ? 1 : (*p & 0xf0) == 0xe0 ? 2 : -1;
		if (more < 0)
			return false;
		for (p++; more; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return false;
	}
	return true;
}

T_TEST(error, elision_never_splits_a_utf8_character)
{
	/* Two-byte characters at every length parity: the cut lands on a
	 * continuation byte now at its start, now at its end. */
	for (size_t len = 4000; len < 4004; len++) {
		char *p = long_path(len, "\xc3\xa9"); /* é */
		struct refstor_open_opts o = {.path = p};
		refstor *s;
		t_assert_err(refstor_open(&o, &s), -ENOENT);
		cr_assert(strstr(refstor_last_error(), "..."), "not shortened");
		cr_assert(utf8_ok(refstor_last_error()), "a character was cut: %s",
			  refstor_last_error());
		free(p);
	}
}

/* A UNIX socket bound at path (short enough: scratch is under TMPDIR). */
static int bound_socket(const char *path)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	cr_assert_lt(strlen(path), sizeof(a.sun_path), "scratch path too long for a socket");
	strcpy(a.sun_path, path);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "bind: %s", strerror(errno));
	return fd;
}

T_TEST(error, refusals_of_what_is_not_storage_name_the_type)
{
	const char *fifo = t_path("fifo"), *sock = t_path("sock");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	int sfd = bound_socket(sock);
	refstor *s;
	struct refstor_open_opts o = {.path = fifo};
	char want[512];
	t_assert_err(refstor_open(&o, &s), -EINVAL);
	snprintf(want, sizeof(want), "open %s: is a FIFO, not a regular file or device", fifo);
	cr_assert_str_eq(refstor_last_error(), want);
	o.path = sock;
	t_assert_err(refstor_open(&o, &s), -EINVAL);
	t_assert_msg_has(": is a socket, not a regular file or device");
	o.path = t_scratch();
	t_assert_err(refstor_open(&o, &s), -EISDIR);
	snprintf(want, sizeof(want), "open %s: is a directory", t_scratch());
	cr_assert_str_eq(refstor_last_error(), want);
	struct refstor_create_opts c = {.open = {.path = fifo}, .overwrite = true};
	t_assert_err(refstor_create(&c, &s), -EINVAL);
	t_assert_msg_has("create ");
	t_assert_msg_has(": is a FIFO");
	/* from_fd has no path: it names the descriptor. */
	int ffd = open(fifo, O_RDWR | O_NONBLOCK);
	t_assert_err(refstor_from_fd(ffd, &s), -EINVAL);
	snprintf(want, sizeof(want), "from_fd file descriptor %d: is a FIFO", ffd);
	t_assert_msg_has(want);
	t_assert_err_msg(refstor_from_fd(-1, &s), -EBADF, "from_fd: invalid file descriptor -1");
	close(ffd);
	close(sfd);
}

T_TEST(error, argument_refusals_say_what_was_wrong)
{
	const char *p = t_path("img");
	char data[8192];
	t_fill(data, sizeof(data), 5);
	t_write_file(p, data, sizeof(data));
	refstor *ro = t_open(p, false, false), *rw = t_open(p, true, false);
	char b[16];
	t_assert_err_msg(refstor_read(NULL, b, 1, 0), -EINVAL, "readv: NULL handle");
	t_assert_err_msg(refstor_write(ro, b, 1, 0), -EBADF, "writev: handle is read-only");
	t_assert_err_msg(refstor_write(rw, b, 16, UINT64_MAX), -EINVAL,
			 "writev: offset 18446744073709551615 + length 16 is beyond the largest "
			 "file offset (9223372036854775807)");
	struct iovec v[2] = {{b, 4}, {NULL, 5}};
	t_assert_err_msg(refstor_writev(rw, v, -1, 0), -EINVAL, "writev: negative iovcnt -1");
	t_assert_err_msg(refstor_readv(rw, NULL, 2, 0), -EINVAL,
			 "readv: NULL iovec array with iovcnt 2");
	t_assert_err_msg(refstor_writev(rw, v, 2, 0), -EINVAL,
			 "writev: iovec 1 has a NULL buffer of 5 bytes");
	struct iovec huge[2] = {{b, SSIZE_MAX}, {b, SSIZE_MAX}};
	t_assert_err_msg(refstor_readv(rw, huge, 2, 0), -EINVAL,
			 "readv: total length of 2 iovecs overflows");
	t_assert_err_msg(refstor_resize(rw, 8192, (enum refstor_prealloc)9), -EINVAL,
			 "resize to 8192: unknown preallocation mode 9");
	t_assert_err_msg(refstor_resize(rw, UINT64_MAX, REFSTOR_PREALLOC_NONE), -EINVAL,
			 "resize to 18446744073709551615 (none): beyond the largest file size");
	char d[8];
	t_assert_err(refstor_describe(rw, d, sizeof(d)), -ERANGE);
	char want[512];
	snprintf(want, sizeof(want), "describe: needs %zu bytes, buffer has 8",
		 strlen("file:\"\"") + strlen(p) + 1);
	cr_assert_str_eq(refstor_last_error(), want);
	refstor_close(ro);
	refstor_close(rw);
}

T_TEST(error, direct_refusals_name_the_alignment)
{
	const char *p = t_path("img");
	char data[8192];
	t_fill(data, sizeof(data), 6);
	t_write_file(p, data, sizeof(data));
	refstor *s = t_open(p, true, true);
	size_t ra = refstor_req_align(s), ma = refstor_mem_align(s);
	if (ra < 2)
		cr_skip_test("the host filesystem needs no alignment for direct I/O");
	char want[256];
	t_assert_err(refstor_write_zeroes(s, 1, ra), -EINVAL);
	snprintf(want, sizeof(want),
		 "write_zeroes: offset 1 and length %zu must be multiples of req_align %zu for "
		 "direct I/O",
		 ra, ra);
	cr_assert_str_eq(refstor_last_error(), want);
	char *buf = t_aligned(4096, 2 * 4096);
	struct iovec v[2] = {{buf, ra}, {buf + ra, ra / 2}};
	t_assert_err(refstor_writev(s, v, 2, 0), -EINVAL);
	snprintf(want, sizeof(want),
		 "must be aligned to mem_align %zu with a length that is a "
		 "multiple of req_align %zu for direct I/O",
		 ma, ra);
	t_assert_msg_has(want);
	t_assert_msg_has("writev: iovec 1 (buffer ");
	refstor_close(s);
}

T_TEST(error, create_keeps_the_resize_reason_after_its_own_context)
{
	/* A file-size limit makes the initial resize fail with EFBIG. */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &lim), 0);
	lim.rlim_cur = 1 << 20;
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	const char *p = t_path("img");
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p}, .size = 4 << 20};
	t_assert_err(refstor_create(&o, &s), -EFBIG);
	char want[512];
	snprintf(want, sizeof(want),
		 "create %s (4194304 bytes, none): resize to 4194304 (none): %s", p,
		 strerror(EFBIG));
	cr_assert_str_eq(refstor_last_error(), want);
	o.prealloc = (enum refstor_prealloc)42;
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	snprintf(want, sizeof(want), "create %s: unknown preallocation mode 42", p);
	cr_assert_str_eq(refstor_last_error(), want);
}

T_TEST(error, remembered_unsupported_discard_says_it_was_learnt_earlier)
{
	/* The flag ramfs sets after its first EOPNOTSUPP (ZERO-UNSUP-2 counts
	 * that no fallocate follows), set here by hand: the message of a call
	 * it refused must say where the answer came from. */
	refstor *s = t_create(t_path("img"), 1 << 20, REFSTOR_PREALLOC_NONE);
	atomic_store(&s->discard_unsupported, true);
	t_assert_err_msg(refstor_write_zeroes(s, 4096, 8192), -ENOTSUP,
			 "write_zeroes at offset 4096 (8192 bytes): discard is not supported by "
			 "this storage (learnt earlier)");
	t_assert_ok(refstor_discard(s, 4096, 8192)); /* a hint: nothing done is fine */
	refstor_close(s);
}
