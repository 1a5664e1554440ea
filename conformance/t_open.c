/* SPDX-License-Identifier: MIT */
/* OPEN, CREATE, FROMFD, DESC, PATH: making and naming handles. */
#include "suite.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

RS_CLAUSE_TEST(open, null_and_empty_paths_are_einval, "OPEN-PATH-1")
{
	refstor *s = (refstor *)0x1;
	struct refstor_open_opts o = {0};
	T_ERR(I->open(&o, &s), EINVAL);
	cr_assert_null(s, "a failed open left a handle in *out; on %s", rs_where());
	o.path = "";
	T_ERR(I->open(&o, &s), EINVAL);
	T_ERR(I->open(NULL, &s), EINVAL);
	o.path = "/tmp";
	T_ERR(I->open(&o, NULL), EINVAL);
	if (I->create) {
		struct refstor_create_opts c = {0};
		T_ERR(I->create(&c, &s), EINVAL);
		T_ERR(I->create(NULL, &s), EINVAL);
	}
}

RS_CLAUSE_TEST(open, missing_file_and_directory, "OPEN-ERRNO-1")
{
	const char *p = t_file("missing");
	refstor *s;
	T_ERR(t_try_open(p, false, &s), ENOENT);
	cr_assert(strstr(t_msg(), "missing"), "the message must name the path: \"%s\"; on %s",
		  t_msg(), rs_where());
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	T_ERR(t_try_open(dir, false, &s), EISDIR);
}

static void open_and_close_all_ways(const char *path)
{
	refstor *s;
	for (int w = 0; w < 2; w++) {
		int r = t_try_open(path, w, &s);
		cr_assert_eq(r, 0, "open %s (%s): %d \"%s\"; on %s", path, w ? "rw" : "ro", r,
			     t_msg(), rs_where());
		I->close(s);
	}
}

RS_CLAUSE_TEST(open, opening_never_changes_a_file, "OPEN-NOMOD-1")
{
	struct f_snap before;
	/* Empty. */
	const char *p = t_file("empty");
	f_make(p, 0, 1, NULL);
	f_snap(p, &before);
	open_and_close_all_ways(p);
	t_assert_unchanged(p, &before, "empty file after opening");
	/* Shorter than any direct-I/O alignment. */
	p = t_file("short");
	f_make(p, 100, 2, NULL);
	f_snap(p, &before);
	open_and_close_all_ways(p);
	t_assert_unchanged(p, &before, "100-byte file after opening");
	/* Sparse: a hole, then data. */
	p = t_file("sparse");
	f_make(p, 0, 3, NULL);
	char *d = t_alloc(0, 4096);
	t_pattern(d, 4096, 3);
	cr_assert_eq(truncate(p, MiB), 0);
	f_write(p, d, 4096, MiB);
	f_snap(p, &before);
	open_and_close_all_ways(p);
	t_assert_unchanged(p, &before, "sparse file after opening");
}

RS_CLAUSE_TEST(open, size_is_the_length, "OPEN-SIZE-1")
{
	uint64_t len = rs_conf()->direct ? 3 * 4096 : 12345;
	const char *p = t_target(len, 4, NULL);
	refstor *s = t_open(p, false);
	T_EQ(I->size(s), f_size(p), "size after open");
	I->close(s);
}

RS_CLAUSE_TEST(open, filename_is_the_path, "OPEN-NAME-1")
{
	require_fn(filename);
	const char *p = t_target(4096, 5, NULL);
	refstor *s = t_open(p, false);
	cr_assert(I->filename(s) && !strcmp(I->filename(s), p),
		  "filename: expected \"%s\", got \"%s\"; on %s", p,
		  I->filename(s) ? I->filename(s) : "(null)", rs_where());
	I->close(s);
}

RS_CLAUSE_TEST(open, read_only_handle_refuses_changes, "OPEN-RO-1")
{
	const char *p = t_target(MiB, 6, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s = t_open(p, false);
	size_t u = t_unit(s);
	char *b = t_alloc(0, 2 * u);
	struct iovec v = {b, u};
	T_ERR(I->writev(s, &v, 1, 0), EBADF);
	if (I->write)
		T_ERR(I->write(s, b, u, u), EBADF);
	if (I->write_zeroes)
		T_ERR(I->write_zeroes(s, 0, u), EBADF);
	if (I->discard)
		T_ERR(I->discard(s, 0, 2 * u), EBADF);
	if (I->write_allocated_zeroes)
		T_ERR(I->write_allocated_zeroes(s, 0, u), EBADF);
	if (I->resize)
		T_ERR(I->resize(s, u, REFSTOR_PREALLOC_NONE), EBADF);
	T_OK(t_read(s, b, u, 0));
	I->close(s);
	t_assert_unchanged(p, &before, "file after refused changes");
}

RS_CLAUSE_TEST(open, direct_where_the_filesystem_cannot, "OPEN-DIRECT-1")
{
	const char *p = t_file("img");
	f_make(p, 4096, 7, NULL);
	int fd = open(p, O_RDONLY | O_DIRECT);
	if (fd >= 0) {
		close(fd);
		cr_skip_test("%s has direct I/O", rs_conf()->backend);
	}
	struct f_snap before;
	f_snap(p, &before);
	refstor *s;
	I->close(t_open_mode(p, true, false)); /* buffered still opens */
	struct refstor_open_opts o = {.path = p, .writable = true, .direct = true};
	T_ERR(I->open(&o, &s), EINVAL);
	cr_assert(strcasestr(t_msg(), "direct"),
		  "the message must say direct I/O is the problem: \"%s\"; on %s", t_msg(),
		  rs_where());
	t_assert_unchanged(p, &before, "file after a refused direct open");
}

RS_CLAUSE_TEST(create, exclusive_unless_overwrite, "CREATE-EXCL-1")
{
	require_fn(create);
	const char *p = t_file("img");
	f_make(p, 5000, 8, NULL);
	struct f_snap before;
	f_snap(p, &before);
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p, .direct = rs_conf()->direct}};
	T_ERR(I->create(&o, &s), EEXIST);
	t_assert_unchanged(p, &before, "existing file after create without overwrite");
	o.overwrite = true;
	T_OK(I->create(&o, &s));
	T_EQ(f_size(p), 0, "length after create with overwrite");
	T_EQ(I->size(s), 0, "size after create with overwrite");
	I->close(s);
}

RS_CLAUSE_TEST(create, size_in_every_mode, "CREATE-SIZE-1")
{
	require_fn(create);
	const char *names[] = {"none", "zero", "allocate", "write_data"};
	bool can_allocate = backend_can_fallocate();
	for (int m = 0; m < 4; m++) {
		if (m == REFSTOR_PREALLOC_ALLOCATE && !can_allocate)
			continue;
		const char *p = t_file(names[m]);
		refstor *s = t_create(p, 2 * MiB, (enum refstor_prealloc)m);
		T_EQ(I->size(s), 2 * MiB, names[m]);
		T_EQ(f_size(p), 2 * MiB, names[m]);
		char *b = t_alloc(0, MiB);
		memset(b, 0xff, MiB);
		T_OK(t_read(s, b, MiB, MiB));
		t_assert_zero(b, MiB, MiB, names[m]);
		t_pattern(b, 4096, 9);
		T_OK(t_write(s, b, 4096, 0)); /* created handles are writable */
		I->close(s);
	}
}

RS_CLAUSE_TEST(create, failed_initial_resize_removes_the_file, "CREATE-UNDO-1")
{
	require_fn(create);
	/* A file-size limit makes the initial resize fail on every filesystem. */
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit lim = {MiB, MiB};
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);
	const char *p = t_file("img");
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p, .direct = rs_conf()->direct},
					.size = 4 * MiB,
					.prealloc = REFSTOR_PREALLOC_NONE};
	T_ERR(I->create(&o, &s), EFBIG);
	cr_assert(!f_exists(p), "a create whose resize failed left %s behind; on %s", p,
		  rs_where());
	if (!backend_can_fallocate()) {
		o.prealloc = REFSTOR_PREALLOC_ALLOCATE;
		o.size = 4096;
		T_ERR(I->create(&o, &s), ENOTSUP);
		cr_assert(!f_exists(p), "a create whose ALLOCATE failed left %s behind; on %s", p,
			  rs_where());
	}
}

RS_CLAUSE_TEST(fromfd, adopts_the_descriptor, "FROMFD-1")
{
	require_fn(from_fd);
	const char *p = t_file("img");
	f_make(p, 8192, 10, NULL);
	refstor *s;
	int fd = open(p, O_RDONLY | (rs_conf()->direct ? O_DIRECT : 0));
	T_OK(I->from_fd(fd, &s));
	if (I->filename)
		cr_assert_null(I->filename(s), "from_fd: expected no filename, got \"%s\"; on %s",
			       I->filename(s), rs_where());
	T_EQ(I->size(s), 8192, "size of an adopted fd");
	char *b = t_alloc(0, 4096);
	T_ERR(t_write(s, b, 4096, 0), EBADF);
	if (I->req_align) {
		/* The fd's O_DIRECT decides: same alignment as an open in that mode. */
		refstor *o = t_open(p, false);
		T_EQ(I->req_align(s), I->req_align(o), "req_align of an adopted fd");
		I->close(o);
	}
	I->close(s);
	cr_assert_eq(fcntl(fd, F_GETFD), -1, "close must close the adopted descriptor; on %s",
		     rs_where());
	fd = open(p, O_RDWR | (rs_conf()->direct ? O_DIRECT : 0));
	T_OK(I->from_fd(fd, &s));
	T_OK(t_write(s, b, 4096, 8192));
	T_EQ(f_size(p), 12288, "length after a write through an adopted fd");
	I->close(s);
}

RS_CLAUSE_TEST(fromfd, failure_leaves_the_descriptor_open, "FROMFD-2")
{
	require_fn(from_fd);
	refstor *s;
	T_ERR(I->from_fd(-1, &s), EBADF);
	char dir[1024];
	snprintf(dir, sizeof(dir), "%s", t_file("x"));
	*strrchr(dir, '/') = '\0';
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	T_ERR(I->from_fd(fd, &s), EISDIR);
	cr_assert_neq(fcntl(fd, F_GETFD), -1, "a failed from_fd closed the caller's fd; on %s",
		      rs_where());
	close(fd);
}

RS_CLAUSE_TEST(desc, quotes_like_rust_debug, "DESC-1")
{
	require_fn(describe);
	char d[2048], want[2048];
	if (rs_conf()->is_dev) {
		refstor *s = t_open(t_dev(), false);
		snprintf(want, sizeof(want), "file:\"%s\"", t_dev());
		T_OK(I->describe(s, d, sizeof(d)));
		cr_assert_str_eq(d, want, "describe: expected %s, got %s; on %s", want, d,
				 rs_where());
		I->close(s);
		return;
	}
	const char *p = t_file("a \"b\"\\c\td");
	f_make(p, 0, 11, NULL);
	refstor *s = t_open(p, false);
	char esc[1024];
	size_t n = 0;
	for (const char *c = p; *c; c++) {
		if (*c == '"' || *c == '\\')
			esc[n++] = '\\', esc[n++] = *c;
		else if (*c == '\t')
			esc[n++] = '\\', esc[n++] = 't';
		else
			esc[n++] = *c;
	}
	esc[n] = '\0';
	snprintf(want, sizeof(want), "file:\"%s\"", esc);
	T_OK(I->describe(s, d, sizeof(d)));
	cr_assert_str_eq(d, want, "describe: expected %s, got %s; on %s", want, d, rs_where());
	I->close(s);
	if (I->from_fd) {
		T_OK(I->from_fd(open(p, O_RDONLY), &s));
		T_OK(I->describe(s, d, sizeof(d)));
		cr_assert_str_eq(d, "file:<unknown path>",
				 "describe without a filename: got %s; on %s", d, rs_where());
		I->close(s);
	}
}

RS_CLAUSE_TEST(desc, small_buffer_is_erange, "DESC-2")
{
	require_fn(describe);
	const char *p = t_target(4096, 12, NULL);
	refstor *s = t_open(p, false);
	char d[8];
	memset(d, 'x', sizeof(d));
	T_ERR(I->describe(s, d, sizeof(d)), ERANGE);
	cr_assert(memchr(d, '\0', sizeof(d)), "the prefix must be NUL-terminated; on %s",
		  rs_where());
	cr_assert_eq(strncmp(d, "file:\"", strlen(d) < 6 ? strlen(d) : 6), 0,
		     "the prefix must start the description: \"%s\"; on %s", d, rs_where());
	I->close(s);
}

static void resolve_case(const char *base, const char *rel, const char *want)
{
	refstor *s = t_open(base, false);
	char *out = NULL;
	T_OK(I->resolve_relative_path(s, rel, &out));
	cr_assert(out && !strcmp(out, want), "resolve(%s, %s): expected %s, got %s; on %s", base,
		  rel, want, out ? out : "(null)", rs_where());
	free(out);
	I->close(s);
}

RS_CLAUSE_TEST(path, relative_joins_the_parent, "PATH-REL-1")
{
	require_fn(resolve_relative_path);
	const char *p = t_file("img");
	f_make(p, 0, 13, NULL);
	char dir[1024], want[1100];
	snprintf(dir, sizeof(dir), "%s", p);
	*strrchr(dir, '/') = '\0';
	snprintf(want, sizeof(want), "%s/base.qcow2", dir);
	resolve_case(p, "base.qcow2", want);
	resolve_case(p, "/abs/base", "/abs/base");
	snprintf(want, sizeof(want), "%s/../up", dir);
	resolve_case(p, "../up", want);
	/* Relative base names, resolved from the directory. */
	cr_assert_eq(chdir(dir), 0);
	cr_assert_eq(mkdir("sub", 0755), 0);
	f_make("sub/img", 0, 14, NULL);
	resolve_case("img", "b", "b");
	resolve_case("sub/img", "b", "sub/b");
	resolve_case("sub//img", "b", "sub/b");
	resolve_case("./img", "b", "./b");
	resolve_case("sub/./img", "b", "sub/b");
	resolve_case("sub/.//img", "b", "sub/b");
}

RS_CLAUSE_TEST(path, no_filename_no_relative, "PATH-REL-2")
{
	require_fn(resolve_relative_path);
	require_fn(from_fd);
	const char *p = t_file("img");
	f_make(p, 0, 15, NULL);
	refstor *s;
	T_OK(I->from_fd(open(p, O_RDONLY), &s));
	char *out = NULL;
	T_ERR(I->resolve_relative_path(s, "rel", &out), EINVAL);
	T_OK(I->resolve_relative_path(s, "/abs", &out));
	cr_assert(out && !strcmp(out, "/abs"), "absolute path: got %s; on %s", out ? out : "(null)",
		  rs_where());
	free(out);
	I->close(s);
}
