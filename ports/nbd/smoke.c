/* SPDX-License-Identifier: MIT */
/*
 * smoke.c - one peer end to end, without the suite:
 *   refstor-nbd-smoke PEER.so DIR [PROGRAM]
 * creates DIR/nbd-smoke-<pid>.img through the peer, writes, reads back, reads
 * past the end, zeroes, discards, resizes (or is refused: nbdkit), closes,
 * and checks the file with plain pread; then that nothing is left behind: no
 * descriptor more than before, no child process (waitpid gives ECHILD).
 * With PROGRAM, also that a process killed with a handle open takes its
 * server with it (PR_SET_PDEATHSIG): no PROGRAM process outlives it.
 * Prints the time of one open+close.  Exit 0 when every check holds, 77
 * (skipped) when PROGRAM, the peer's server, is not on PATH.
 */
#include "refstor.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* The peer's functions, bound by name as the suite binds them. */
struct peer {
	int (*create)(const struct refstor_create_opts *, refstor **);
	int (*open)(const struct refstor_open_opts *, refstor **);
	void (*close)(refstor *);
	int (*read)(refstor *, void *, size_t, uint64_t);
	int (*write)(refstor *, const void *, size_t, uint64_t);
	int (*write_zeroes)(refstor *, uint64_t, uint64_t);
	int (*discard)(refstor *, uint64_t, uint64_t);
	int (*resize)(refstor *, uint64_t, enum refstor_prealloc);
	int (*sync)(refstor *);
	uint64_t (*size)(const refstor *);
	uint64_t (*limits)(void);
	const char *(*last_error)(void);
};

/* In main: counts into its local failures. */
#define CHECK(cond, ...)                                                                \
	do {                                                                            \
		if (!(cond)) {                                                          \
			failures++;                                                     \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			fprintf(stderr, __VA_ARGS__);                                   \
			fputc('\n', stderr);                                            \
		}                                                                       \
	} while (0)

static void *sym(void *lib, const char *name)
{
	void *f = dlsym(lib, name);
	if (!f) {
		fprintf(stderr, "smoke: %s: %s\n", name, dlerror());
		exit(2);
	}
	return f;
}

/* The descriptors open now, as a bit set of the first 1024. */
static void fds(unsigned char set[128])
{
	memset(set, 0, 128);
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != dirfd(d) && fd < 1024)
			set[fd / 8] |= (unsigned char)(1 << (fd % 8));
	}
	closedir(d);
}

static bool on_path(const char *program)
{
	const char *path = getenv("PATH");
	char buf[4096];
	for (const char *p = path ? path : ""; *p;) {
		size_t n = strcspn(p, ":");
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, program);
		if (!access(buf, X_OK))
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

/* Live (not zombie) processes whose name is program's, as the kernel keeps
 * it (15 characters). */
static int live_servers(const char *program)
{
	char comm[16];
	snprintf(comm, sizeof(comm), "%s", program);
	DIR *d = opendir("/proc");
	int n = 0;
	for (struct dirent *e; d && (e = readdir(d));) {
		char path[300], line[128], state = 0, name[64] = "";
		snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(line, sizeof(line), f) &&
		    sscanf(line, "%*d (%63[^)]) %c", name, &state) == 2)
			n += !strcmp(name, comm) && state != 'Z';
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

/* A child opens path through the peer and is killed, handle open: within
 * 3 s no more servers may be alive than before.  True when none outlives it. */
static bool server_dies_with_its_client(const struct peer *p, const char *path, const char *program)
{
	int before = live_servers(program);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		refstor *s;
		struct refstor_open_opts o = {.path = path, .writable = true};
		if (p->open(&o, &s))
			_exit(3);
		raise(SIGKILL);
		_exit(4);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (!WIFSIGNALED(st)) {
		fprintf(stderr, "smoke: the child did not get to its open (status %d)\n", st);
		return false;
	}
	for (int i = 0; i < 300; i++) {
		if (live_servers(program) <= before)
			return true;
		usleep(10000);
	}
	return false;
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool all(const unsigned char *b, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (b[i] != v)
			return false;
	return true;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: %s PEER.so DIR [PROGRAM]\n", argv[0]);
		return 2;
	}
	if (argc == 4 && !on_path(argv[3])) {
		printf("smoke: %s is not on PATH: skipped\n", argv[3]);
		return 77;
	}
	int failures = 0;
	void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "smoke: %s\n", dlerror());
		return 2;
	}
	struct peer p = {
	    .create = sym(lib, "refstor_create"),
	    .open = sym(lib, "refstor_open"),
	    .close = sym(lib, "refstor_close"),
	    .read = sym(lib, "refstor_read"),
	    .write = sym(lib, "refstor_write"),
	    .write_zeroes = sym(lib, "refstor_write_zeroes"),
	    .discard = sym(lib, "refstor_discard"),
	    .resize = sym(lib, "refstor_resize"),
	    .sync = sym(lib, "refstor_sync"),
	    .size = sym(lib, "refstor_size"),
	    .limits = sym(lib, "refstor_limits"),
	    .last_error = sym(lib, "refstor_last_error"),
	};
	bool resizes = !(p.limits() & REFSTOR_LIMIT_NO_RESIZE);
	char path[4096];
	snprintf(path, sizeof(path), "%s/nbd-smoke-%d.img", argv[2], (int)getpid());
	unlink(path);
	unsigned char before[128], after[128];
	fds(before);

	enum { MiB = 1 << 20, U = 4096 };
	refstor *s;
	struct refstor_create_opts c = {.open.path = path, .size = MiB};
	int r = p.create(&c, &s);
	CHECK(r == 0, "create: %d %s", r, p.last_error());
	if (r)
		return 1;
	CHECK(p.size(s) == MiB, "size after create: %llu", (unsigned long long)p.size(s));
	p.close(s);

	double t0 = now();
	struct refstor_open_opts o = {.path = path, .writable = true};
	r = p.open(&o, &s);
	double t_open = now() - t0;
	CHECK(r == 0, "open: %d %s", r, p.last_error());
	if (r)
		return 1;
	static unsigned char buf[4 * U], back[4 * U];
	memset(buf, 0xa5, sizeof(buf));
	CHECK(p.write(s, buf, sizeof(buf), 0) == 0, "write: %s", p.last_error());
	CHECK(p.read(s, back, sizeof(back), 0) == 0 && !memcmp(buf, back, sizeof(buf)),
	      "read back: %s", p.last_error());
	memset(back, 0xff, sizeof(back));
	CHECK(p.read(s, back, sizeof(back), MiB - U) == 0 && all(back, sizeof(back), 0),
	      "read across the end: %s", p.last_error());
	r = p.write(s, buf, U, MiB);
	CHECK(r == -ENOSPC, "write past the end: %d, expected -ENOSPC", r);
	r = p.write_zeroes(s, U, U);
	CHECK(r == 0 || r == -ENOTSUP, "write_zeroes: %d %s", r, p.last_error());
	bool zeroed = r == 0;
	CHECK(p.discard(s, 2 * U, U) == 0, "discard: %s", p.last_error());
	CHECK(p.sync(s) == 0, "sync: %s", p.last_error());
	r = p.resize(s, 2 * MiB, REFSTOR_PREALLOC_NONE);
	if (resizes)
		CHECK(r == 0 && p.size(s) == 2 * MiB, "resize: %d %s, size %llu", r, p.last_error(),
		      (unsigned long long)p.size(s));
	else
		CHECK(r == -ENOTSUP, "resize: %d, expected -ENOTSUP", r);
	if (resizes)
		CHECK(p.write(s, buf, U, MiB) == 0, "write into the grown part: %s",
		      p.last_error());
	t0 = now();
	p.close(s);
	double t_close = now() - t0;

	/* The bytes on the file, as plain pread sees them. */
	int fd = open(path, O_RDONLY);
	struct stat st;
	CHECK(fd >= 0 && !fstat(fd, &st), "open %s: %s", path, strerror(errno));
	CHECK(st.st_size == (resizes ? 2 * MiB : MiB), "length %lld", (long long)st.st_size);
	CHECK(pread(fd, back, sizeof(back), 0) == (ssize_t)sizeof(back), "pread");
	CHECK(all(back, U, 0xa5), "bytes 0..4095 not as written");
	CHECK(all(back + U, U, zeroed ? 0 : 0xa5), "write_zeroes' range");
	CHECK(all(back + 3 * U, U, 0xa5), "bytes after the discarded range");
	if (resizes)
		CHECK(pread(fd, back, U, MiB) == U && all(back, U, 0xa5), "grown part");
	close(fd);

	/* Failures have the kernel's errno. */
	struct refstor_open_opts bad = {.path = "/nonexistent/refstor-nbd-smoke"};
	CHECK(p.open(&bad, &s) == -ENOENT, "open of a missing path: %s", p.last_error());
	bad.path = argv[2];
	CHECK(p.open(&bad, &s) == -EISDIR, "open of a directory: %s", p.last_error());

	/* A client that dies with a handle open takes its server along. */
	if (argc == 4)
		CHECK(server_dies_with_its_client(&p, path, argv[3]),
		      "a %s outlived its client, killed with a handle open", argv[3]);

	/* Nothing left behind. */
	fds(after);
	for (int i = 0; i < 1024; i++)
		CHECK(!(after[i / 8] & (1 << (i % 8))) || (before[i / 8] & (1 << (i % 8))),
		      "fd %d left open", i);
	errno = 0;
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "a child process is left");
	unlink(path);
	printf("%s: open %.3f s, close %.3f s; %s\n", argv[1], t_open, t_close,
	       failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
