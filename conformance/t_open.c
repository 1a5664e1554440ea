/* SPDX-License-Identifier: MIT */
/* OPEN, CREATE, FROMFD, DESC, PATH: making and naming handles. */
#include "faults/faults.h"
#include "suite.h"
#include "names.h"
#include "sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

RS_CLAUSE_TEST_ONCE(open, null_and_empty_paths_are_refused, "OPEN-PATH-1")
{
	require_fn(create);
	refstor *s = (refstor *)0x1;
	struct refstor_open_opts o = {0};
	T_ERR(impl->open(&o, &s), EINVAL);
	cr_expect_null(s, "a failed open left a handle in *out; on %s", rs_where());
	T_ERR(impl->open(NULL, &s), EINVAL);
	o.path = "/tmp";
	T_ERR(impl->open(&o, NULL), EINVAL);
	/* The original passes "" to open(2) and gets ENOENT: either will do. */
	o.path = "";
	s = (refstor *)0x1;
	T_ERR2(impl->open(&o, &s), EINVAL, ENOENT);
	cr_expect_null(s, "a failed open of \"\" left a handle in *out; on %s", rs_where());
	o.path = NULL;
	s = (refstor *)0x1;
	T_ERR(impl->open(&o, &s), EINVAL);
	cr_expect(strcasestr(t_msg(), "filename required"),
		  "open without a path: the message must say \"filename required\", not \"%s\"; "
		  "on %s",
		  t_msg(), rs_where());
	struct refstor_create_opts c = {0};
	s = (refstor *)0x1;
	T_ERR(impl->create(&c, &s), EINVAL);
	cr_expect_null(s, "a failed create left a handle in *out; on %s", rs_where());
	T_ERR(impl->create(NULL, &s), EINVAL);
	c.open.path = "";
	s = (refstor *)0x1;
	T_ERR2(impl->create(&c, &s), EINVAL, ENOENT);
	cr_expect_null(s, "a failed create of \"\" left a handle in *out; on %s", rs_where());
}

RS_CLAUSE_TEST(open, missing_file_and_directory, "OPEN-ERRNO-1")
{
	const char *p = t_file("missing");
	refstor *s;
	T_ERR(t_try_open(p, false, &s), ENOENT);
	cr_expect(strstr(t_msg(), "missing"), "the message must name the path: \"%s\"; on %s",
		  t_msg(), rs_where());
	/* The original opens it; refusing it is the FIX, whose errno is the
	 * implementation's choice between these two (as for from_fd). */
	T_ERR2(t_try_open(t_here(), false, &s), EISDIR, EINVAL);
}

/* Empty, shorter than any direct-I/O alignment, sparse (a hole first): the
 * files whose probing goes wrong.  Made with plain syscalls in t_file()s. */
static const char *file_of_kind(int kind)
{
	static const char *const names[] = {"empty", "short", "sparse"};
	const char *p = t_file(names[kind]);
	if (kind == 2)
		f_make_sparse(p, 3);
	else
		f_make(p, kind == 1 ? 100 : 0, (unsigned)kind + 1, NULL);
	return p;
}

RS_CLAUSE_TEST(open, opening_never_changes_a_file, "OPEN-NOMOD-1")
{
	static const char *const what[] = {
	    "empty file after opening", "100-byte file after opening", "sparse file after opening"};
	for (int kind = 0; kind < 3; kind++) {
		const char *p = file_of_kind(kind);
		struct f_snap before = f_snap(p);
		for (int w = 0; w < 2; w++)
			impl->close(t_open(p, w));
		t_assert_unchanged(p, &before, what[kind]);
	}
}

/* Opening makes no write-class call (write, pwrite*, fallocate, ftruncate)
 * on the file: counted where the implementation calls libc. */
static void assert_open_writes_nothing(const char *path, const char *what)
{
	cr_assert_eq(rs_fault_watch(path), 0, "watching %s", path);
	for (int w = 0; w < 2; w++) {
		rs_fault_count_reset();
		refstor *s = t_open(path, w);
		unsigned long n = rs_fault_count(RS_CALL_WRITE) +
				  rs_fault_count(RS_CALL_FALLOCATE) +
				  rs_fault_count(RS_CALL_FTRUNCATE);
		cr_expect_eq(n, 0,
			     "%s: opening it %s made %lu write-class call(s) on it (write %lu, "
			     "fallocate %lu, ftruncate %lu): opening must not write; on %s",
			     what, w ? "read-write" : "read-only", n, rs_fault_count(RS_CALL_WRITE),
			     rs_fault_count(RS_CALL_FALLOCATE), rs_fault_count(RS_CALL_FTRUNCATE),
			     rs_where());
		if (!w) {
			impl->close(s);
			continue;
		}
		/* Is the implementation visible to the interposer at all?  Its
		 * own write says so; if not, the count above proves nothing. */
		size_t u = t_unit(s);
		char *b = t_alloc(0, u);
		f_read(path, b, u, 0);
		rs_fault_count_reset();
		T_OK(t_write(s, b, u, 0));
		unsigned long seen = rs_fault_count(RS_CALL_WRITE);
		impl->close(s);
		if (!seen)
			cr_skip_test("%s's writes make no libc call the interposer can see: it "
				     "cannot count what opening writes",
				     rs_conf()->impl);
	}
}

RS_CLAUSE_TEST(open, opening_makes_no_write_call, "OPEN-NOMOD-3")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	if (rs_conf()->is_dev) {
		t_target(MiB, 20, NULL);
		assert_open_writes_nothing(t_dev(), "the device");
		return;
	}
	static const char *const what[] = {"an empty file", "a 100-byte file", "a sparse file"};
	for (int kind = 0; kind < 3; kind++)
		assert_open_writes_nothing(file_of_kind(kind), what[kind]);
}

/* The O_DIRECT flag of every descriptor the process holds on path's file
 * (or device), from /proc/self/fdinfo: how many there are, how many direct. */
static void direct_fds(const char *path, int *total, int *direct)
{
	struct stat want;
	cr_assert_eq(stat(path, &want), 0, "stat %s", path);
	bool dev = S_ISBLK(want.st_mode);
	*total = *direct = 0;
	DIR *d = opendir("/proc/self/fd");
	cr_assert(d, "opendir /proc/self/fd");
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);
		struct stat st;
		if (e->d_name[0] == '.' || fd == dirfd(d) || fstat(fd, &st))
			continue;
		if (dev ? !S_ISBLK(st.st_mode) || st.st_rdev != want.st_rdev
			: st.st_dev != want.st_dev || st.st_ino != want.st_ino)
			continue;
		char info[64], line[256];
		snprintf(info, sizeof(info), "/proc/self/fdinfo/%d", fd);
		FILE *f = fopen(info, "r");
		unsigned flags = 0;
		while (f && fgets(line, sizeof(line), f))
			if (sscanf(line, "flags: %o", &flags) == 1)
				break;
		if (f)
			fclose(f);
		(*total)++;
		*direct += (flags & O_DIRECT) != 0;
	}
	closedir(d);
}

RS_CLAUSE_TEST(open, direct_means_o_direct, "OPEN-DIRECT-2")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	const char *p = t_target(MiB, 21, NULL);
	bool direct = rs_conf()->direct;
	for (int w = 0; w < 2; w++) {
		refstor *s = t_open(p, w);
		int total, ndirect;
		direct_fds(p, &total, &ndirect);
		cr_expect_gt(total, 0, "the %s handle holds no descriptor on %s; on %s",
			     w ? "read-write" : "read-only", p, rs_where());
		cr_expect_eq(ndirect, direct ? total : 0,
			     "a %s %s handle: %d of its %d descriptor(s) on the file have O_DIRECT "
			     "(expected %s); on %s",
			     direct ? "direct" : "buffered", w ? "read-write" : "read-only",
			     ndirect, total, direct ? "all" : "none", rs_where());
		impl->close(s);
	}
}

RS_CLAUSE_TEST(open, size_is_the_length, "OPEN-SIZE-1")
{
	uint64_t len = rs_conf()->direct ? 3 * 4096 : 12345;
	const char *p = t_target(len, 4, NULL);
	refstor *s = t_open(p, false);
	T_EQ(impl->size(s), f_size(p), "size after open");
	impl->close(s);
}

RS_CLAUSE_TEST(open, filename_is_the_path, "OPEN-NAME-1")
{
	require_fn(filename);
	const char *p = t_target(4096, 5, NULL);
	refstor *s = t_open(p, false);
	const char *name = impl->filename(s);
	cr_expect(name && !strcmp(name, p), "filename: expected \"%s\", got \"%s\"; on %s", p,
		  name ? name : "(null)", rs_where());
	impl->close(s);
}

RS_CLAUSE_TEST(open, read_only_handle_refuses_changes, "OPEN-RO-1")
{
	require_fn(write);
	require_fn(write_zeroes);
	require_fn(discard);
	require_fn(write_allocated_zeroes);
	require_fn(resize);
	const char *p = t_target(MiB, 6, NULL);
	refstor *s = t_open(p, false);
	/* After open: what opening does is OPEN-NOMOD's to judge. */
	struct f_snap before = f_snap(p);
	size_t u = t_unit(s);
	char *b = t_alloc(0, 2 * u);
	struct iovec v = {b, u};
	/* Which errno is the implementation's choice: the kernel itself says
	 * EBADF for a write, EINVAL for ftruncate on a read-only descriptor. */
	T_ERR_IN(impl->writev(s, &v, 1, 0), EBADF, EINVAL, EPERM, EROFS);
	T_ERR_IN(impl->write(s, b, u, u), EBADF, EINVAL, EPERM, EROFS);
	T_ERR_IN(impl->write_zeroes(s, 0, u), EBADF, EINVAL, EPERM, EROFS);
	T_ERR_IN(impl->discard(s, 0, 2 * u), EBADF, EINVAL, EPERM, EROFS);
	T_ERR_IN(impl->write_allocated_zeroes(s, 0, u), EBADF, EINVAL, EPERM, EROFS);
	if (!rs_conf()->is_dev)
		T_ERR_IN(impl->resize(s, u, REFSTOR_PREALLOC_NONE), EBADF, EINVAL, EPERM, EROFS);
	T_OK(t_read(s, b, u, 0));
	impl->close(s);
	t_assert_unchanged(p, &before, "file after refused changes");
}

RS_CLAUSE_TEST(open, direct_where_the_filesystem_cannot, "OPEN-DIRECT-1")
{
	require_no_direct_io();
	const char *p = t_made("img", 4096, 7, NULL);
	struct f_snap before = f_snap(p);
	refstor *s;
	impl->close(t_open_mode(p, true, false)); /* buffered still opens */
	struct refstor_open_opts o = {.path = p, .writable = true, .direct = true};
	T_ERR(impl->open(&o, &s), EINVAL);
	cr_expect(strcasestr(t_msg(), "direct"),
		  "the message must say direct I/O is the problem: \"%s\"; on %s", t_msg(),
		  rs_where());
	t_assert_unchanged(p, &before, "file after a refused direct open");
}

/* create with direct where the filesystem has none: refused before anything
 * happens to an existing file (the kernel refuses O_DIRECT before O_TRUNC
 * empties it), and a file the call made is gone again. */
RS_CLAUSE_TEST(create, direct_where_the_filesystem_cannot, "OPEN-DIRECT-1")
{
	require_no_direct_io();
	require_fn(create);
	const char *p = t_made("img", 4096, 7, NULL), *fresh = t_file("fresh");
	struct f_snap before = f_snap(p);
	refstor *s = NULL;
	struct refstor_create_opts o = {.open = {.path = p, .writable = true, .direct = true},
					.overwrite = true};
	T_ERR(impl->create(&o, &s), EINVAL);
	t_assert_unchanged(p, &before, "existing file after a refused direct create(overwrite)");
	o.open.path = fresh;
	o.overwrite = false;
	T_ERR(impl->create(&o, &s), EINVAL);
	cr_expect(!f_exists(fresh), "%s exists after a refused direct create made it; on %s", fresh,
		  rs_where());
}

/* Opening survives what makes a probe write fail: a file-size limit whose
 * signal is not ignored must not kill the process, and the handle's
 * alignments stay true (buffered: 1; direct: checked with plain O_DIRECT I/O). */
RS_CLAUSE_TEST(open, probing_survives_a_file_size_limit, "OPEN-PROBE-1")
{
	require_unlimited(REFSTOR_LIMIT_OUT_OF_PROCESS);
	require_fn(req_align);
	require_fn(mem_align);
	const char *p = t_made("img", 64 * 1024, 8, NULL);
	const char *e = t_made("empty", 0, 8, NULL);
	/* SIGXFSZ keeps its default action: a probe that writes past the limit
	 * kills the test, which is then a FAIL with the signal. */
	signal(SIGXFSZ, SIG_DFL);
	sigset_t xfsz;
	sigemptyset(&xfsz);
	sigaddset(&xfsz, SIGXFSZ);
	pthread_sigmask(SIG_UNBLOCK, &xfsz, NULL);
	t_limit_file_size(0);
	t_assert_opens_with_true_alignments(p, e, "under RLIMIT_FSIZE 0");
}

/* OPEN-TYPE-1: a call on a FIFO or a socket is made in a child process, which
 * reports what it returned through a pipe: an implementation that blocks
 * fails the test after TYPE_WAIT_S instead of hanging the suite. */
enum { TYPE_WAIT_S = 5 };

enum type_how { TYPE_OPEN_RO, TYPE_OPEN_RW, TYPE_CREATE, TYPE_CREATE_OVERWRITE };
static const char *const type_call_name[] = {"refstor_open (read-only)",
					     "refstor_open (read-write)", "refstor_create",
					     "refstor_create (overwrite)"};

struct type_result {
	int r;
	bool fresh; /* the message is not the one t_sentinel() left */
	char msg[256];
};

/* In the child: no Criterion assertion here, only the call. */
static void type_call(enum type_how how, const char *path, struct type_result *res)
{
	bool direct = rs_conf()->direct;
	refstor *s = NULL;
	t_sentinel();
	char before[256];
	snprintf(before, sizeof(before), "%s", t_msg());
	if (how == TYPE_OPEN_RO || how == TYPE_OPEN_RW) {
		struct refstor_open_opts o = {
		    .path = path, .writable = how == TYPE_OPEN_RW, .direct = direct};
		res->r = impl->open(&o, &s);
	} else {
		struct refstor_create_opts c = {.open = {.path = path, .direct = direct},
						.overwrite = how == TYPE_CREATE_OVERWRITE};
		res->r = impl->create(&c, &s);
	}
	snprintf(res->msg, sizeof(res->msg), "%s", t_msg());
	res->fresh = strcmp(res->msg, before) != 0;
	if (!res->r && s)
		impl->close(s);
}

/* The call must return within TYPE_WAIT_S, fail with a negative errno and a
 * message of its own, and leave the file what it was. */
static void assert_refused_at_once(enum type_how how, const char *path, const char *kind)
{
	struct stat before, after;
	cr_assert_eq(lstat(path, &before), 0, "lstat %s", path);
	int p[2];
	cr_assert_eq(pipe2(p, O_CLOEXEC), 0, "pipe2: %s", strerror(errno));
	pid_t pid = fork();
	cr_assert_geq(pid, 0, "fork: %s", strerror(errno));
	if (!pid) {
		/* A test process killed meanwhile (--timeout) takes this one
		 * with it, blocked or not. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(p[0]);
		struct type_result res = {0};
		type_call(how, path, &res);
		_exit(write(p[1], &res, sizeof(res)) == (ssize_t)sizeof(res) ? 0 : 1);
	}
	close(p[1]);
	struct pollfd pfd = {.fd = p[0], .events = POLLIN};
	int ready;
	do
		ready = poll(&pfd, 1, TYPE_WAIT_S * 1000);
	while (ready < 0 && errno == EINTR);
	struct type_result res;
	bool got = ready > 0 && read(p[0], &res, sizeof(res)) == (ssize_t)sizeof(res);
	if (!got)
		kill(pid, SIGKILL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	close(p[0]);
	const char *call = type_call_name[how];
	if (!got) {
		if (ready == 0)
			cr_expect(0,
				  "%s on %s did not return within %d s: it blocks (a read-only "
				  "open(2) of a FIFO without O_NONBLOCK waits for a writer, for "
				  "ever); on %s",
				  call, kind, TYPE_WAIT_S, rs_where());
		else
			cr_expect(0, "%s on %s ended the process (status 0x%x); on %s", call, kind,
				  (unsigned)status, rs_where());
	} else {
		char expr[128];
		snprintf(expr, sizeof(expr), "%s on %s", call, kind);
		t_check_err_msg(expr, res.r, NULL, 0, "any errno", res.msg, res.fresh);
	}
	cr_expect(!lstat(path, &after) && after.st_ino == before.st_ino &&
		      after.st_mode == before.st_mode,
		  "%s on %s: %s is no longer the same %s; on %s", call, kind, path, kind,
		  rs_where());
}

/* A FIFO nobody has open, and a UNIX socket bound (and listening) in the
 * test directory: calls how and then how2 are refused at once on each. */
static void assert_fifo_and_socket_refused(enum type_how how, enum type_how how2)
{
	const char *fifo = t_file("fifo");
	const char *sock = t_file("sock");
	cr_assert_eq(mkfifo(fifo, 0600), 0, "mkfifo %s: %s", fifo, strerror(errno));
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	cr_assert_geq(fd, 0, "socket: %s", strerror(errno));
	/* sun_path is short: bind the name from inside the directory. */
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", strrchr(sock, '/') + 1);
	int cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cr_assert_geq(cwd, 0, "open .: %s", strerror(errno));
	cr_assert_eq(chdir(t_here()), 0, "chdir %s: %s", t_here(), strerror(errno));
	int r = bind(fd, (struct sockaddr *)&a, sizeof(a));
	int e = errno;
	cr_assert_eq(fchdir(cwd), 0, "fchdir: %s", strerror(errno));
	close(cwd);
	cr_assert_eq(r, 0, "bind %s: %s", sock, strerror(e));
	cr_assert_eq(listen(fd, 1), 0, "listen %s: %s", sock, strerror(errno));
	assert_refused_at_once(how, fifo, "a FIFO");
	assert_refused_at_once(how2, fifo, "a FIFO");
	assert_refused_at_once(how, sock, "a UNIX socket");
	assert_refused_at_once(how2, sock, "a UNIX socket");
	close(fd);
}

RS_CLAUSE_TEST(open, fifo_and_socket_are_refused_at_once, "OPEN-TYPE-1")
{
	assert_fifo_and_socket_refused(TYPE_OPEN_RO, TYPE_OPEN_RW);
}

RS_CLAUSE_TEST(create, on_a_fifo_or_socket_is_refused_at_once, "OPEN-TYPE-1")
{
	require_fn(create);
	assert_fifo_and_socket_refused(TYPE_CREATE_OVERWRITE, TYPE_CREATE);
}

/* A path of len bytes under a directory that does not exist, in components
 * of 200 bytes (short of NAME_MAX): opening it fails with ENOENT. */
static const char *long_missing_path(size_t len)
{
	char *p = t_alloc(1, len + 1);
	size_t n = (size_t)snprintf(p, len + 1, "/nonexistent/refstor-long-path");
	while (n < len) {
		p[n++] = '/';
		for (size_t i = 0; i < 200 && n < len; i++)
			p[n++] = (char)('a' + i % 26);
	}
	p[len] = '\0';
	return p;
}

RS_CLAUSE_TEST_ONCE(open, long_path_message_keeps_the_reason, "ERR-MSG-LONG-1")
{
	/* Longer than a 1 KiB message buffer, short of PATH_MAX. */
	static const size_t lens[] = {3000, 4000};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct refstor_open_opts o = {.path = long_missing_path(lens[i])};
		refstor *s = NULL;
		t_sentinel();
		int r = impl->open(&o, &s);
		char expr[64];
		snprintf(expr, sizeof(expr), "open(a %zu-byte path that does not exist)", lens[i]);
		t_check_err(expr, r, NULL, 0, "any errno");
		if (r >= 0) {
			impl->close(s);
			continue;
		}
		const char *why = strerror(-r);
		cr_expect(strstr(t_msg(), why),
			  "%s failed with %d, but the message (%zu bytes) lost the errno's text "
			  "\"%s\": it ends \"%s\"; on %s",
			  expr, r, strlen(t_msg()), why,
			  t_msg() + (strlen(t_msg()) > 80 ? strlen(t_msg()) - 80 : 0), rs_where());
	}
}

RS_CLAUSE_TEST(create, exclusive_unless_overwrite, "CREATE-EXCL-1")
{
	require_fn(create);
	const char *p = t_made("img", 5000, 8, NULL);
	struct f_snap before = f_snap(p);
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p, .direct = rs_conf()->direct}};
	T_ERR(impl->create(&o, &s), EEXIST);
	t_assert_unchanged(p, &before, "existing file after create without overwrite");
	o.overwrite = true;
	T_OK(impl->create(&o, &s));
	T_EQ(f_size(p), 0, "length after create with overwrite");
	T_EQ(impl->size(s), 0, "size after create with overwrite");
	impl->close(s);
}

RS_CLAUSE_TEST(create, size_in_every_mode, "CREATE-SIZE-1")
{
	require_fn(create);
	bool can_allocate = backend_can_fallocate();
	for (int m = 0; m < REFSTOR_PREALLOC_MODES; m++) {
		const char *name = refstor_prealloc_name(m);
		if (m == REFSTOR_PREALLOC_ALLOCATE && !can_allocate)
			continue;
		const char *p = t_file(name);
		/* Not asked for writable: a created handle is writable anyway. */
		struct refstor_create_opts o = {.open = {.path = p, .direct = rs_conf()->direct},
						.size = 2 * MiB,
						.prealloc = (enum refstor_prealloc)m};
		refstor *s = NULL;
		T_OK(impl->create(&o, &s));
		T_EQ(impl->size(s), 2 * MiB, name);
		T_EQ(f_size(p), 2 * MiB, name);
		char *b = t_alloc(0, MiB);
		memset(b, 0xff, MiB);
		T_OK(t_read(s, b, MiB, MiB));
		t_assert_zero(b, MiB, MiB, name);
		t_pattern(b, 4096, 9);
		T_OK(t_write(s, b, 4096, 0)); /* created handles are writable */
		impl->close(s);
	}
}

RS_CLAUSE_TEST(create, failed_initial_resize_removes_the_file, "CREATE-UNDO-1")
{
	require_fn(create);
	/* A file-size limit makes the initial resize fail on every filesystem. */
	signal(SIGXFSZ, SIG_IGN);
	t_limit_file_size(MiB);
	const char *p = t_file("img");
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p, .direct = rs_conf()->direct},
					.size = 4 * MiB,
					.prealloc = REFSTOR_PREALLOC_NONE};
	T_ERR(impl->create(&o, &s), EFBIG);
	cr_expect(!f_exists(p), "a create whose resize failed left %s behind; on %s", p,
		  rs_where());
	if (!backend_can_fallocate()) {
		o.prealloc = REFSTOR_PREALLOC_ALLOCATE;
		o.size = 4096;
		T_ERR(impl->create(&o, &s), ENOTSUP);
		cr_expect(!f_exists(p), "a create whose ALLOCATE failed left %s behind; on %s", p,
			  rs_where());
	}
}

RS_CLAUSE_TEST(fromfd, adopts_the_descriptor, "FROMFD-1")
{
	require_fn(from_fd);
	require_fn(filename);
	const char *p = t_made("img", 8192, 10, NULL);
	refstor *s;
	int fd = open(p, O_RDONLY | (rs_conf()->direct ? O_DIRECT : 0));
	T_OK(impl->from_fd(fd, &s));
	cr_expect_null(impl->filename(s), "from_fd: expected no filename, got \"%s\"; on %s",
		       impl->filename(s), rs_where());
	T_EQ(impl->size(s), 8192, "size of an adopted fd");
	char *b = t_alloc(0, 4096);
	T_ERR_IN(t_write(s, b, 4096, 0), EBADF, EINVAL, EPERM, EROFS);
	/* The fd's O_DIRECT decides: same alignment as an open in that mode. */
	refstor *o = t_open(p, false);
	T_EQ(t_req(s), t_req(o), "req_align of an adopted fd");
	impl->close(o);
	impl->close(s);
	cr_expect_eq(fcntl(fd, F_GETFD), -1, "close must close the adopted descriptor; on %s",
		     rs_where());
	/* Within the file: growth is WRITE-GROW-1's, and an implementation of
	 * fixed size (LIMITS) adopts descriptors too. */
	fd = open(p, O_RDWR | (rs_conf()->direct ? O_DIRECT : 0));
	T_OK(impl->from_fd(fd, &s));
	t_pattern(b, 4096, 11);
	T_OK(t_write(s, b, 4096, 4096));
	impl->close(s);
	char *got = t_alloc(0, 4096);
	f_read(p, got, 4096, 4096);
	t_assert_same(got, b, 4096, 4096, "data written through an adopted fd");
}

/* from_fd(fd) must fail and leave fd open, the same file, the caller's. */
static void assert_refused_and_kept(int fd, const char *what, const int *want, size_t nwant,
				    const char *names)
{
	struct stat before, after;
	cr_assert_eq(fstat(fd, &before), 0, "fstat %s", what);
	refstor *s = (refstor *)0x1;
	t_sentinel();
	int r = impl->from_fd(fd, &s);
	char expr[128];
	snprintf(expr, sizeof(expr), "from_fd(%s)", what);
	t_check_err(expr, r, want, nwant, names);
	if (!r)
		impl->close(s);
	cr_expect(fcntl(fd, F_GETFD) != -1 && !fstat(fd, &after) && after.st_ino == before.st_ino &&
		      after.st_dev == before.st_dev,
		  "a failed from_fd(%s) closed the caller's descriptor; on %s", what, rs_where());
	close(fd);
}

RS_CLAUSE_TEST(fromfd, failure_leaves_the_descriptor_open, "FROMFD-2")
{
	require_fn(from_fd);
	refstor *s;
	T_ERR(impl->from_fd(-1, &s), EBADF);
	static const int dir_errs[] = {EISDIR, EINVAL};
	assert_refused_and_kept(open(t_here(), O_RDONLY | O_DIRECTORY), "a directory", dir_errs, 2,
				"EISDIR, EINVAL");
	assert_refused_and_kept(open("/dev/null", O_RDWR), "/dev/null", NULL, 0, "any errno");
	int sv[2];
	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(sv[1]);
	assert_refused_and_kept(sv[0], "a socket", NULL, 0, "any errno");
	const char *fifo = t_file("fifo");
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	assert_refused_and_kept(open(fifo, O_RDWR | O_NONBLOCK), "a FIFO", NULL, 0, "any errno");
}

RS_CLAUSE_TEST(fromfd, append_descriptors_are_refused, "FROMFD-3")
{
	require_fn(from_fd);
	const char *p = t_made("img", 8192, 12, NULL);
	int direct = rs_conf()->direct ? O_DIRECT : 0;
	static const int einval[] = {EINVAL};
	assert_refused_and_kept(open(p, O_RDWR | O_APPEND | direct),
				"a writable descriptor opened with O_APPEND", einval, 1, "EINVAL");
	T_EQ(f_size(p), 8192, "length after from_fd refused an O_APPEND descriptor");
	/* O_PATH can do no I/O: refused, or adopted with reads and writes that
	 * fail. */
	int fd = open(p, O_PATH);
	refstor *s = NULL;
	if (impl->from_fd(fd, &s)) {
		close(fd);
		return;
	}
	char *b = t_alloc(0, 4096);
	T_FAILS(t_read(s, b, 4096, 0));
	T_FAILS(t_write(s, b, 4096, 0));
	impl->close(s);
	T_EQ(f_size(p), 8192, "length after writes through an O_PATH descriptor");
}

RS_CLAUSE_TEST_ONCE(desc, quotes_like_rust_debug, "DESC-1")
{
	require_fn(describe);
	require_fn(from_fd);
	char d[2048], want[2048];
	/* Every escape Rust's Debug makes in a path: quote, backslash, tab,
	 * newline, carriage return, and other control characters as \u{x}. */
	const char *p = t_made("a \"b\"\\c\td\ne\rf\001g\037h", 0, 11, NULL);
	refstor *s = t_open(p, false);
	char esc[1024];
	size_t n = 0;
	for (const char *c = p; *c; c++) {
		if (*c == '"' || *c == '\\')
			esc[n++] = '\\', esc[n++] = *c;
		else if (*c == '\t')
			esc[n++] = '\\', esc[n++] = 't';
		else if (*c == '\n')
			esc[n++] = '\\', esc[n++] = 'n';
		else if (*c == '\r')
			esc[n++] = '\\', esc[n++] = 'r';
		else if ((unsigned char)*c < 0x20)
			n += (size_t)sprintf(esc + n, "\\u{%x}", (unsigned)*c);
		else
			esc[n++] = *c;
	}
	esc[n] = '\0';
	snprintf(want, sizeof(want), "file:\"%s\"", esc);
	T_OK(impl->describe(s, d, sizeof(d)));
	cr_expect_str_eq(d, want, "describe: expected %s, got %s; on %s", want, d, rs_where());
	impl->close(s);
	T_OK(impl->from_fd(open(p, O_RDONLY), &s));
	T_OK(impl->describe(s, d, sizeof(d)));
	cr_expect_str_eq(d, "file:<unknown path>", "describe without a filename: got %s; on %s", d,
			 rs_where());
	impl->close(s);
}

RS_CLAUSE_TEST_ONCE(desc, small_buffer_is_erange, "DESC-2")
{
	require_fn(describe);
	const char *p = t_target(4096, 12, NULL);
	refstor *s = t_open(p, false);
	/* Exactly the description and its NUL fit; one byte less does not. */
	char full[2048];
	T_OK(impl->describe(s, full, sizeof(full)));
	size_t need = strlen(full) + 1;
	char *fit = t_alloc(1, need);
	T_OK(impl->describe(s, fit, need));
	cr_expect_str_eq(fit, full, "describe into exactly %zu bytes: got %s; on %s", need, fit,
			 rs_where());
	T_ERR(impl->describe(s, fit, need - 1), ERANGE);
	char d[8];
	memset(d, 'x', sizeof(d));
	T_ERR(impl->describe(s, d, sizeof(d)), ERANGE);
	cr_expect(memchr(d, '\0', sizeof(d)), "the prefix must be NUL-terminated; on %s",
		  rs_where());
	cr_expect_eq(strncmp(d, "file:\"", strlen(d) < 6 ? strlen(d) : 6), 0,
		     "the prefix must start the description: \"%s\"; on %s", d, rs_where());
	impl->close(s);
}

static void resolve_case(const char *base, const char *rel, const char *want)
{
	refstor *s = t_open(base, false);
	char *out = NULL;
	T_OK(impl->resolve_relative_path(s, rel, &out));
	cr_expect(out && !strcmp(out, want), "resolve(%s, %s): expected %s, got %s; on %s", base,
		  rel, want, out ? out : "(null)", rs_where());
	free(out);
	impl->close(s);
}

RS_CLAUSE_TEST_ONCE(path, relative_joins_the_parent, "PATH-REL-1")
{
	require_fn(resolve_relative_path);
	const char *p = t_made("img", 0, 13, NULL), *dir = t_here();
	char want[1100];
	snprintf(want, sizeof(want), "%s/base.qcow2", dir);
	resolve_case(p, "base.qcow2", want);
	resolve_case(p, "/abs/base", "/abs/base");
	snprintf(want, sizeof(want), "%s/../up", dir);
	resolve_case(p, "../up", want);
	/* Relative base names, resolved from the directory. */
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(mkdir(t_file("sub"), 0755), 0);
	f_make(t_file("sub/img"), 0, 14, NULL);
	resolve_case("img", "b", "b");
	resolve_case("sub/img", "b", "sub/b");
	resolve_case("sub//img", "b", "sub/b");
	resolve_case("./img", "b", "./b");
	resolve_case("sub/./img", "b", "sub/b");
	resolve_case("sub/.//img", "b", "sub/b");
}

RS_CLAUSE_TEST_ONCE(path, no_filename_no_relative, "PATH-REL-2")
{
	require_fn(resolve_relative_path);
	require_fn(from_fd);
	const char *p = t_made("img", 0, 15, NULL);
	refstor *s;
	T_OK(impl->from_fd(open(p, O_RDONLY), &s));
	char *out = NULL;
	T_ERR(impl->resolve_relative_path(s, "rel", &out), EINVAL);
	T_OK(impl->resolve_relative_path(s, "/abs", &out));
	cr_expect(out && !strcmp(out, "/abs"), "absolute path: got %s; on %s", out ? out : "(null)",
		  rs_where());
	free(out);
	impl->close(s);
}
