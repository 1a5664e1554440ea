/* SPDX-License-Identifier: MIT */
/* Opening, creating, adopting, naming and the error-message channel. */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

T_TEST(open, null_arguments_are_einval)
{
	refstor *s = (refstor *)0x1;
	struct refstor_open_opts o = {0};
	t_assert_err(refstor_open(NULL, &s), -EINVAL);
	t_assert_err(refstor_open(&o, NULL), -EINVAL);
	t_assert_err(refstor_open(&o, &s), -EINVAL);
	cr_assert_str_eq(refstor_last_error(), "open: filename required");
	cr_assert_null(s, "a failed open must not leave a handle in *out");
	o.path = "";
	t_assert_err(refstor_open(&o, &s), -EINVAL);
}

T_TEST(open, missing_file_is_enoent_with_path_in_message)
{
	refstor *s;
	struct refstor_open_opts o = {.path = t_path("nope")};
	t_assert_err(refstor_open(&o, &s), -ENOENT);
	cr_assert(strstr(refstor_last_error(), "nope"), "message names the file: %s",
		  refstor_last_error());
}

T_TEST(open, directory_is_eisdir)
{
	refstor *s;
	struct refstor_open_opts o = {.path = t_scratch()};
	t_assert_err(refstor_open(&o, &s), -EISDIR);
}

T_TEST(open, char_device_without_size_is_enotsup)
{
	refstor *s;
	struct refstor_open_opts o = {.path = "/dev/null"};
	t_assert_err(refstor_open(&o, &s), -ENOTSUP);
}

T_TEST(open, reports_size_filename_and_buffered_alignment)
{
	char data[3000];
	t_fill(data, sizeof(data), 1);
	const char *p = t_path("img");
	t_write_file(p, data, sizeof(data));
	refstor *s = t_open(p, false, false);
	cr_assert_eq(refstor_size(s), 3000);
	cr_assert_str_eq(refstor_filename(s), p);
	cr_assert_eq(refstor_req_align(s), 1);
	cr_assert_eq(refstor_mem_align(s), 1);
	cr_assert_geq(refstor_zero_align(s), 512, "zero_align is the fs granularity");
	cr_assert_eq(refstor_discard_align(s), refstor_zero_align(s));
	refstor_close(s);
}

static void assert_open_keeps_empty(bool direct)
{
	const char *p = t_path("empty");
	t_write_file(p, "", 0);
	refstor *s = t_open(p, true, direct);
	cr_assert_eq(refstor_size(s), 0);
	cr_assert_eq(t_file_size(p), 0, "opening (%s) must not extend an empty file",
		     direct ? "direct" : "buffered");
	refstor_close(s);
	cr_assert_eq(t_file_size(p), 0);
}

T_TEST(open, writable_empty_file_stays_empty_buffered)
{
	assert_open_keeps_empty(false);
}

T_TEST(open, writable_empty_file_stays_empty_direct)
{
	assert_open_keeps_empty(true);
}

T_TEST(open, direct_open_leaves_short_file_unchanged)
{
	char data[1000], back[1000];
	t_fill(data, sizeof(data), 2);
	const char *p = t_path("short");
	t_write_file(p, data, sizeof(data));
	struct stat before, after;
	cr_assert_eq(stat(p, &before), 0);
	refstor_close(t_open(p, true, true));
	cr_assert_eq(stat(p, &after), 0);
	cr_assert_eq(after.st_size, 1000, "size changed by opening: %lld",
		     (long long)after.st_size);
	cr_assert_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	cr_assert_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec, "opening wrote to the file");
	int fd = open(p, O_RDONLY);
	cr_assert_eq(read(fd, back, sizeof(back)), 1000);
	close(fd);
	cr_assert_arr_eq(data, back, sizeof(data));
}

T_TEST(open, direct_on_tmpfs_reports_byte_alignment)
{
	const char *dir = t_mount("tmpfs", "size=16m");
	const char *p = t_in(dir, "img");
	t_write_file(p, "", 0);
	refstor *s = t_open(p, true, true);
	/* tmpfs does direct I/O through the page cache: any alignment works. */
	cr_assert_eq(refstor_req_align(s), 1);
	cr_assert_eq(refstor_mem_align(s), 1);
	cr_assert_eq(t_file_size(p), 0);
	refstor_close(s);
}

T_TEST(open, direct_on_ramfs_is_refused_cleanly)
{
	const char *dir = t_mount("ramfs", NULL);
	const char *p = t_in(dir, "img");
	t_write_file(p, "abc", 3);
	refstor *s;
	struct refstor_open_opts o = {.path = p, .writable = true, .direct = true};
	t_assert_err(refstor_open(&o, &s), -EINVAL);
	cr_assert(strstr(refstor_last_error(), "direct"), "message: %s", refstor_last_error());
	cr_assert_eq(t_file_size(p), 3);
}

T_TEST(create, exclusive_unless_overwrite)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, 0, REFSTOR_PREALLOC_NONE);
	cr_assert_eq(refstor_size(s), 0);
	char data[100];
	t_fill(data, sizeof(data), 3);
	t_assert_ok(refstor_write(s, data, sizeof(data), 0));
	refstor_close(s);

	struct refstor_create_opts o = {.open = {.path = p}};
	t_assert_err(refstor_create(&o, &s), -EEXIST);
	cr_assert_eq(t_file_size(p), 100, "a refused create must not touch the file");

	o.overwrite = true;
	o.size = 4096;
	t_assert_ok(refstor_create(&o, &s));
	cr_assert_eq(refstor_size(s), 4096);
	cr_assert_eq(t_file_size(p), 4096);
	char back[100];
	t_assert_ok(refstor_read(s, back, sizeof(back), 0));
	cr_assert_eq(t_find_not(back, sizeof(back), 0), -1, "overwrite must truncate old data");
	refstor_close(s);
}

T_TEST(create, is_always_writable)
{
	refstor *s = t_create(t_path("img"), 0, REFSTOR_PREALLOC_NONE);
	t_assert_ok(refstor_write(s, "x", 1, 0));
	refstor_close(s);
}

T_TEST(create, each_prealloc_mode_gives_the_size)
{
	const enum refstor_prealloc modes[] = {REFSTOR_PREALLOC_NONE, REFSTOR_PREALLOC_ZERO,
					       REFSTOR_PREALLOC_ALLOCATE,
					       REFSTOR_PREALLOC_WRITE_DATA};
	for (int i = 0; i < 4; i++) {
		char name[16];
		snprintf(name, sizeof(name), "img%d", i);
		const char *p = t_path(name);
		refstor *s = t_create(p, 1 << 20, modes[i]);
		cr_assert_eq(refstor_size(s), 1 << 20, "mode %d", i);
		cr_assert_eq(t_file_size(p), 1 << 20, "mode %d", i);
		if (modes[i] >= REFSTOR_PREALLOC_ALLOCATE)
			cr_assert_geq(t_blocks(p), (1 << 20) / 512, "mode %d must allocate", i);
		refstor_close(s);
	}
}

T_TEST(create, bad_arguments)
{
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = NULL}};
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	t_assert_err(refstor_create(NULL, &s), -EINVAL);
	o.open.path = t_path("img");
	o.prealloc = (enum refstor_prealloc)42;
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	o.prealloc = REFSTOR_PREALLOC_NONE;
	o.size = UINT64_MAX;
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	cr_assert_eq(access(o.open.path, F_OK), -1, "a refused create must not leave a file");
}

T_TEST(create, failed_initial_resize_removes_the_new_file)
{
	const char *dir = t_mount("ramfs", NULL);
	const char *p = t_in(dir, "img");
	refstor *s;
	struct refstor_create_opts o = {
	    .open = {.path = p}, .size = 1 << 20, .prealloc = REFSTOR_PREALLOC_ALLOCATE};
	t_assert_err(refstor_create(&o, &s), -ENOTSUP);
	cr_assert(strstr(refstor_last_error(), "allocate"), "message: %s", refstor_last_error());
	cr_assert_eq(access(p, F_OK), -1, "the half-made file must be removed");
}

T_TEST(create, direct_on_ramfs_leaves_no_file)
{
	const char *dir = t_mount("ramfs", NULL);
	const char *p = t_in(dir, "img");
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p, .direct = true}};
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	cr_assert_eq(access(p, F_OK), -1, "a failed direct create must not leave a file");
}

T_TEST(from_fd, adopts_and_has_no_filename)
{
	const char *p = t_path("img");
	t_write_file(p, "hello", 5);
	int fd = open(p, O_RDWR);
	refstor *s;
	t_assert_ok(refstor_from_fd(fd, &s));
	cr_assert_null(refstor_filename(s));
	cr_assert_eq(refstor_size(s), 5);
	char d[64];
	t_assert_ok(refstor_describe(s, d, sizeof(d)));
	cr_assert_str_eq(d, "file:<unknown path>");
	char *out = (char *)0x1;
	t_assert_err(refstor_resolve_relative_path(s, "x", &out), -EINVAL);
	cr_assert_null(out);
	t_assert_ok(refstor_resolve_relative_path(s, "/abs/x", &out));
	cr_assert_str_eq(out, "/abs/x");
	free(out);
	t_assert_ok(refstor_write(s, "J", 1, 0));
	refstor_close(s);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "close must close the adopted fd");
}

T_TEST(from_fd, access_mode_and_direct_come_from_the_fd)
{
	const char *p = t_path("img");
	char blk[4096];
	t_fill(blk, sizeof(blk), 4);
	t_write_file(p, blk, sizeof(blk));
	refstor *s;
	t_assert_ok(refstor_from_fd(open(p, O_RDONLY), &s));
	t_assert_err(refstor_write(s, "x", 1, 0), -EBADF);
	refstor_close(s);

	t_assert_ok(refstor_from_fd(open(p, O_RDWR | O_DIRECT), &s));
	cr_assert_gt(refstor_req_align(s), 1, "an O_DIRECT fd makes a direct handle");
	t_assert_err(refstor_read(s, blk, 1, 0), -EINVAL);
	refstor_close(s);
	cr_assert_eq(t_file_size(p), 4096);
}

T_TEST(from_fd, failure_leaves_the_fd_with_the_caller)
{
	refstor *s;
	t_assert_err(refstor_from_fd(-1, &s), -EBADF);
	int dfd = open(t_scratch(), O_RDONLY | O_DIRECTORY);
	t_assert_err(refstor_from_fd(dfd, &s), -EISDIR);
	cr_assert_neq(fcntl(dfd, F_GETFD), -1, "the fd must still be open");
	close(dfd);
	t_assert_err(refstor_from_fd(0, NULL), -EINVAL);
}

T_TEST(describe, quotes_like_rust_debug)
{
	const char *p = t_path("a \"b\"\\c\n");
	t_write_file(p, "", 0);
	refstor *s = t_open(p, false, false);
	char d[512], want[512];
	snprintf(want, sizeof(want), "file:\"%s/a \\\"b\\\"\\\\c\\n\"", t_scratch());
	t_assert_ok(refstor_describe(s, d, sizeof(d)));
	cr_assert_str_eq(d, want);
	char tiny[8];
	t_assert_err(refstor_describe(s, tiny, sizeof(tiny)), -ERANGE);
	cr_assert_eq(strlen(tiny), 7, "truncated but terminated");
	cr_assert_eq(strncmp(tiny, "file:\"/", 7), 0);
	t_assert_err(refstor_describe(NULL, d, sizeof(d)), -EINVAL);
	t_assert_err(refstor_describe(s, NULL, 10), -EINVAL);
	refstor_close(s);
}

T_TEST(path, resolve_relative_path_like_rust_path_parent_join)
{
	struct {
		const char *sub; /* the base file, under scratch */
		const char *rel;
		const char *want_suffix;
	} cases[] = {
	    {"img", "base.qcow2", "/base.qcow2"},
	    {"d/img", "base", "/d/base"},
	    {"d/img", "../x", "/d/../x"},
	};
	cr_assert_eq(mkdir(t_path("d"), 0755), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *p = t_path(cases[i].sub);
		t_write_file(p, "", 0);
		refstor *s = t_open(p, false, false);
		char *out;
		t_assert_ok(refstor_resolve_relative_path(s, cases[i].rel, &out));
		char want[512];
		snprintf(want, sizeof(want), "%s%s", t_scratch(), cases[i].want_suffix);
		cr_assert_str_eq(out, want, "case %zu", i);
		free(out);
		t_assert_ok(refstor_resolve_relative_path(s, "/abs", &out));
		cr_assert_str_eq(out, "/abs");
		free(out);
		refstor_close(s);
	}
}

T_TEST(path, resolve_with_relative_and_odd_base_names)
{
	/* Relative base names: chdir into scratch so they open. */
	cr_assert_eq(chdir(t_scratch()), 0);
	cr_assert_eq(mkdir("sub", 0755), 0);
	t_write_file("img", "", 0);
	t_write_file("sub/img", "", 0);
	struct {
		const char *base, *rel, *want;
	} cases[] = {
	    {"img", "b", "b"},          /* Path("img").parent() == "" */
	    {"sub/img", "b", "sub/b"},  /* plain */
	    {"sub//img", "b", "sub/b"}, /* repeated separators collapse */
	    {"./img", "b", "./b"},
	    {"sub/./img", "b", "sub/b"}, /* Rust drops "." at the parent's end */
	    {"sub/././img", "b", "sub/b"},
	    {"sub/.//img", "b", "sub/b"},
	    {"./sub/../img", "b", "./sub/../b"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		refstor *s = t_open(cases[i].base, false, false);
		char *out;
		t_assert_ok(refstor_resolve_relative_path(s, cases[i].rel, &out));
		cr_assert_str_eq(out, cases[i].want, "base %s rel %s", cases[i].base, cases[i].rel);
		free(out);
		refstor_close(s);
	}
	refstor *s = t_open("img", false, false);
	char *out;
	t_assert_err(refstor_resolve_relative_path(s, NULL, &out), -EINVAL);
	t_assert_err(refstor_resolve_relative_path(s, "x", NULL), -EINVAL);
	t_assert_err(refstor_resolve_relative_path(NULL, "x", &out), -EINVAL);
	refstor_close(s);
}

T_TEST(handle, null_handle_accessors_are_safe)
{
	cr_assert_eq(refstor_size(NULL), 0);
	cr_assert_eq(refstor_req_align(NULL), 0);
	cr_assert_eq(refstor_mem_align(NULL), 0);
	cr_assert_eq(refstor_zero_align(NULL), 0);
	cr_assert_eq(refstor_discard_align(NULL), 0);
	cr_assert_null(refstor_filename(NULL));
	refstor_close(NULL);
	t_assert_err(refstor_flush(NULL), -EINVAL);
	t_assert_err(refstor_sync(NULL), -EINVAL);
	t_assert_err(refstor_invalidate_cache(NULL), -EINVAL);
	t_assert_err(refstor_read(NULL, NULL, 0, 0), -EINVAL);
	t_assert_err(refstor_write(NULL, NULL, 0, 0), -EINVAL);
	t_assert_err(refstor_write_zeroes(NULL, 0, 1), -EINVAL);
	t_assert_err(refstor_discard(NULL, 0, 1), -EINVAL);
	t_assert_err(refstor_write_allocated_zeroes(NULL, 0, 1), -EINVAL);
	t_assert_err(refstor_resize(NULL, 0, REFSTOR_PREALLOC_NONE), -EINVAL);
}

T_TEST(handle, version_matches_the_header)
{
	char want[32];
	snprintf(want, sizeof(want), "%d.%d.%d", REFSTOR_VERSION_MAJOR, REFSTOR_VERSION_MINOR,
		 REFSTOR_VERSION_PATCH);
	cr_assert_str_eq(refstor_version(), want);
}

static void *other_thread_message(void *arg)
{
	(void)arg;
	return (void *)refstor_last_error();
}

T_TEST(error, message_is_thread_local)
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

/* OPEN-TYPE-1: refused at once, by type, naming it; the file stays. */
static void assert_refused_as(const char *path, const char *type)
{
	refstor *s = (refstor *)0x1;
	for (int w = 0; w < 2; w++) {
		struct refstor_open_opts o = {.path = path, .writable = w};
		t_assert_err(refstor_open(&o, &s), -EINVAL);
		cr_assert_null(s);
		cr_assert(strstr(refstor_last_error(), path) && strstr(refstor_last_error(), type),
			  "the message names the path and \"%s\": %s", type, refstor_last_error());
	}
	struct refstor_create_opts c = {.open = {.path = path}, .overwrite = true};
	t_assert_err(refstor_create(&c, &s), -EINVAL);
	cr_assert(strstr(refstor_last_error(), type), "%s", refstor_last_error());
	c.overwrite = false;
	t_assert_err(refstor_create(&c, &s), -EEXIST);
}

T_TEST(open, fifo_and_socket_are_refused_at_once)
{
	const char *fifo = t_path("fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	assert_refused_as(fifo, "is a FIFO");
	struct stat st;
	cr_assert(!stat(fifo, &st) && S_ISFIFO(st.st_mode), "the FIFO is still there");

	const char *sock = t_path("sock");
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	cr_assert_lt(strlen(sock), sizeof(a.sun_path), "scratch path too long for a socket");
	strcpy(a.sun_path, sock);
	cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0, "bind: %s", strerror(errno));
	assert_refused_as(sock, "is a socket");
	close(fd);

	/* from_fd: the same refusal, and the descriptor stays the caller's. */
	int ffd = open(fifo, O_RDWR | O_NONBLOCK);
	refstor *s;
	t_assert_err(refstor_from_fd(ffd, &s), -EINVAL);
	cr_assert(strstr(refstor_last_error(), "is a FIFO"), "%s", refstor_last_error());
	cr_assert_neq(fcntl(ffd, F_GETFD), -1);
	close(ffd);
}

static int leased_fd;

static void *release_the_lease(void *arg)
{
	(void)arg;
	nanosleep(&(struct timespec){.tv_nsec = 200 * 1000 * 1000}, NULL);
	return (void *)(intptr_t)fcntl(leased_fd, F_SETLEASE, F_UNLCK);
}

/* A non-blocking open of a file under a lease fails with EWOULDBLOCK while
 * the lease is being broken: open waits for the break, as a blocking open(2)
 * would, instead of failing. */
T_TEST(open, waits_for_a_lease_break)
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

/* A message too long for the buffer gives up the middle of the path, never
 * the errno's text (ERR-MSG-LONG-1). */
T_TEST(error, long_path_keeps_the_errno_text)
{
	char p[4001];
	int n = snprintf(p, sizeof(p), "/nonexistent/refstor-long-path");
	for (; n < 4000; n++)
		p[n] = n % 200 ? 'x' : '/';
	p[4000] = '\0';
	struct refstor_open_opts o = {.path = p};
	refstor *s;
	t_assert_err(refstor_open(&o, &s), -ENOENT);
	const char *m = refstor_last_error();
	const char *tail = " (read-only): No such file or directory";
	cr_assert_eq(strlen(m), 1023, "the message fills the buffer: %zu bytes", strlen(m));
	cr_assert_eq(strncmp(m, "open /nonexistent/refstor-long-path", 35), 0, "%.80s", m);
	cr_assert_str_eq(m + strlen(m) - strlen(tail), tail);
	cr_assert(strstr(m, "x...x"), "the path's middle gives way: %s", m);

	/* create's message, with the resize's reason after the path. */
	struct refstor_create_opts c = {.open = {.path = p}, .overwrite = true, .size = 1};
	t_assert_err(refstor_create(&c, &s), -ENOENT);
	m = refstor_last_error();
	cr_assert_str_eq(m + strlen(m) - strlen(": No such file or directory"),
			 ": No such file or directory");
}

T_TEST(handle, sync_flush_invalidate_succeed)
{
	refstor *s = t_create(t_path("img"), 4096, REFSTOR_PREALLOC_NONE);
	t_assert_ok(refstor_write(s, "abc", 3, 10));
	t_assert_ok(refstor_flush(s));
	t_assert_ok(refstor_sync(s));
	t_assert_ok(refstor_invalidate_cache(s));
	refstor_close(s);
	refstor *ro = t_open(t_path("img"), false, false);
	t_assert_ok(refstor_sync(ro)); /* fsync works on read-only fds too */
	refstor_close(ro);
}
