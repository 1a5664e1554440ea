/* SPDX-License-Identifier: MIT */
/*
 * refstor-bench threads: N threads doing random fixed-size reads or writes
 * through ONE handle of the implementation (--via refstor), or through ONE
 * file descriptor with pread/pwrite (--via raw), for a while; prints the
 * throughput.  The two differ only in the library between the threads and
 * the syscall, so their ratio is what sharing a handle costs (docs/
 * performance.md).  Writes stay inside the file: no length changes.
 */
#include "bench.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { MAX_THREADS = 256 };

struct run {
	bool via_refstor, write;
	int fd;     /* --via raw */
	refstor *s; /* --via refstor */
	const struct rs_impl *impl;
	uint64_t blocks; /* offsets are random multiples of bs below blocks * bs */
	size_t bs;
	atomic_bool stop; /* written once, by the main thread */
	pthread_barrier_t start;
};

/* One per thread, on cache lines of its own: the counting must not be what
 * the threads share. */
struct worker {
	_Alignas(64) struct run *run;
	uint64_t rng;
	unsigned long ops;
	char *buf;
	char error[256];
};

static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static void *work(void *arg)
{
	struct worker *w = arg;
	struct run *r = w->run;
	pthread_barrier_wait(&r->start);
	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		uint64_t off = next(&w->rng) % r->blocks * r->bs;
		int e = 0;
		if (r->via_refstor) {
			e = r->write ? r->impl->write(r->s, w->buf, r->bs, off)
				     : r->impl->read(r->s, w->buf, r->bs, off);
			if (e) {
				snprintf(w->error, sizeof(w->error), "%s at %llu: %s",
					 r->write ? "refstor_write" : "refstor_read",
					 (unsigned long long)off, r->impl->last_error());
				break;
			}
		} else {
			ssize_t n = r->write ? pwrite(r->fd, w->buf, r->bs, (off_t)off)
					     : pread(r->fd, w->buf, r->bs, (off_t)off);
			if (n != (ssize_t)r->bs) {
				snprintf(w->error, sizeof(w->error), "%s at %llu: %s",
					 r->write ? "pwrite" : "pread", (unsigned long long)off,
					 n < 0 ? strerror(errno) : "short transfer");
				break;
			}
		}
		w->ops++;
	}
	return NULL;
}

/* The target holds data over [0, size): reads must read data, not holes.
 * Untimed. */
static int lay_out(const char *path, uint64_t size)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return bench_fail("%s: %s", path, strerror(errno));
	struct stat st;
	int r = 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size < size)
		r = bench_fill(fd, size, path);
	close(fd);
	return r;
}

int bench_threads(const struct bench_opts *o, int argc, char **argv)
{
	const char *via = NULL, *op = NULL;
	long threads = 1;
	double seconds = 1;
	uint64_t size = 256 << 20, bs = 4096;
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--via") && v)
			via = argv[++i];
		else if (!strcmp(argv[i], "--op") && v)
			op = argv[++i];
		else if (!strcmp(argv[i], "--threads") && v)
			threads = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seconds") && v)
			seconds = strtod(argv[++i], NULL);
		else if (!strcmp(argv[i], "--size") && v) {
			if (!bench_parse_size(argv[++i], &size))
				return bench_fail("--size: not a size: %s", argv[i]);
		} else if (!strcmp(argv[i], "--bs") && v) {
			if (!bench_parse_size(argv[++i], &bs))
				return bench_fail("--bs: not a size: %s", argv[i]);
		} else
			return bench_fail("threads: unknown or incomplete option %s", argv[i]);
	}
	if (!via || (strcmp(via, "raw") && strcmp(via, "refstor")))
		return bench_fail("threads: --via raw|refstor is required");
	if (!op || (strcmp(op, "read") && strcmp(op, "write")))
		return bench_fail("threads: --op read|write is required");
	if (threads < 1 || threads > MAX_THREADS)
		return bench_fail("threads: --threads must be 1..%d", MAX_THREADS);
	if (!(seconds > 0))
		return bench_fail("threads: --seconds must be positive");
	if (bs == 0 || bs % 512 || size < bs)
		return bench_fail(
		    "threads: --bs must be a multiple of 512, and --size at least --bs");
	int r = lay_out(o->target, size);
	if (r)
		return r;

	struct run run = {.via_refstor = !strcmp(via, "refstor"),
			  .write = !strcmp(op, "write"),
			  .fd = -1,
			  .blocks = size / bs,
			  .bs = bs};
	char err[1024];
	struct rs_impl *impl = NULL;
	if (run.via_refstor) {
		impl = rs_impl_load(o->impl_path, err, sizeof(err));
		if (!impl)
			return bench_fail("%s", err);
		if (!impl->read || !impl->write) {
			rs_impl_unload(impl);
			return bench_fail("%s lacks refstor_read or refstor_write", o->impl_path);
		}
		struct refstor_open_opts oo = {
		    .path = o->target, .writable = true, .direct = o->direct};
		if (impl->open(&oo, &run.s)) {
			bench_fail("opening %s: %s", o->target, impl->last_error());
			rs_impl_unload(impl);
			return 2;
		}
		run.impl = impl;
	} else {
		run.fd = open(o->target, O_RDWR | (o->direct ? O_DIRECT : 0));
		if (run.fd < 0)
			return bench_fail("%s: %s", o->target, strerror(errno));
	}

	struct worker *w = aligned_alloc(64, sizeof(*w) * (size_t)threads);
	if (w) /* before anything can fail and reach out: */
		memset(w, 0, sizeof(*w) * (size_t)threads);
	pthread_t *t = calloc((size_t)threads, sizeof(*t));
	int started = 0;
	r = 2;
	if (!w || !t) {
		bench_fail("out of memory");
		goto out;
	}
	pthread_barrier_init(&run.start, NULL, (unsigned)threads + 1);
	for (long i = 0; i < threads; i++) {
		w[i] =
		    (struct worker){.run = &run, .rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1)};
		if (posix_memalign((void **)&w[i].buf, 4096, bs)) {
			bench_fail("out of memory");
			goto out;
		}
		memset(w[i].buf, (int)(i + 1), bs);
	}
	for (long i = 0; i < threads; i++) {
		if (pthread_create(&t[i], NULL, work, &w[i])) {
			/* The barrier waits for all: the run cannot start. */
			bench_fail("pthread_create failed after %d threads", started);
			_exit(2);
		}
		started++;
	}
	pthread_barrier_wait(&run.start);
	double t0 = bench_now();
	struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
	atomic_store(&run.stop, true);
	unsigned long ops = 0;
	const char *error = NULL;
	for (long i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		ops += w[i].ops;
		if (w[i].error[0] && !error)
			error = w[i].error;
	}
	double elapsed = bench_now() - t0;
	printf("{\"bench\": \"threads\", \"via\": \"%s\", \"op\": \"%s\", \"threads\": %ld, "
	       "\"bs\": %llu, \"size\": %llu, \"direct\": %s, \"impl\": ",
	       via, op, threads, (unsigned long long)bs, (unsigned long long)size,
	       o->direct ? "true" : "false");
	bench_json_string(stdout, run.via_refstor ? o->impl_path : NULL);
	printf(", \"seconds\": %.6f, \"ops\": %lu, \"iops\": %.1f, \"error\": ", elapsed, ops,
	       (double)ops / elapsed);
	bench_json_string(stdout, error);
	printf("}\n");
	r = error ? 1 : 0;
	pthread_barrier_destroy(&run.start);
out:
	if (w)
		for (long i = 0; i < threads; i++)
			free(w[i].buf);
	free(w);
	free(t);
	if (run.s)
		impl->close(run.s);
	if (run.fd >= 0)
		close(run.fd);
	if (impl)
		rs_impl_unload(impl);
	return r;
}
