/* SPDX-License-Identifier: MIT */
/*
 * refstor-bench zeroing: the time one zeroing or preallocating call takes
 * over LENGTH bytes, and its sync, on a target laid out for it (untimed):
 *
 *   write-zero-data   refstor_write of zero buffers (1 MiB each): the baseline
 *   write_zeroes      refstor_write_zeroes    } over [0, LENGTH) of a file
 *   discard           refstor_discard         } holding data over [0, LENGTH
 *   allocated_zeroes  refstor_write_allocated_zeroes } + 1 MiB), so that the
 *                                               range never reaches its end
 *   resize-none, resize-zero, resize-allocate, resize-write_data
 *                     refstor_resize of an empty file to LENGTH in that mode
 *
 * A block device is laid out over [0, LENGTH) and has no resize.  What is
 * allocated before and after comes from fstat on a descriptor of our own,
 * not from the implementation.
 */
#include "backend.h"
#include "bench.h"

#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CHUNK = 1 << 20, TAIL = 1 << 20 };

/* What the timed part does. */
enum zeroing_call { WRITE_ZERO_DATA, WRITE_ZEROES, DISCARD, ALLOCATED_ZEROES, RESIZE };

static const struct {
	const char *name;
	enum zeroing_call call;
	enum refstor_prealloc mode; /* RESIZE's */
} ops[] = {
    {"write-zero-data", WRITE_ZERO_DATA, 0},
    {"write_zeroes", WRITE_ZEROES, 0},
    {"discard", DISCARD, 0},
    {"allocated_zeroes", ALLOCATED_ZEROES, 0},
    {"resize-none", RESIZE, REFSTOR_PREALLOC_NONE},
    {"resize-zero", RESIZE, REFSTOR_PREALLOC_ZERO},
    {"resize-allocate", RESIZE, REFSTOR_PREALLOC_ALLOCATE},
    {"resize-write_data", RESIZE, REFSTOR_PREALLOC_WRITE_DATA},
};
enum { NOPS = sizeof(ops) / sizeof(ops[0]) };

/* Bytes allocated to path, or -1 (a device: not a question with an answer). */
static long long allocated(const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return -1;
	return (long long)st.st_blocks * 512;
}

/* Data over [0, end) (and nothing after it, for a file), synced. */
static int lay_out(const char *path, uint64_t end, bool dev)
{
	int fd = open(path, O_RDWR | O_CREAT, 0644);
	if (fd < 0)
		return bench_fail("%s: %s", path, strerror(errno));
	int r = 0;
	if (!dev && ftruncate(fd, 0))
		r = bench_fail("truncating %s: %s", path, strerror(errno));
	if (!r)
		r = bench_fill(fd, end, path);
	if (!r && fsync(fd))
		r = bench_fail("fsync %s: %s", path, strerror(errno));
	/* Out of the page cache too: a disk image's data is on its disk, and
	 * zeroing cached data costs freeing the cache (tmpfs has nothing else). */
	if (!r)
		posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
	close(fd);
	return r;
}

int bench_zeroing(const struct bench_opts *o, int argc, char **argv)
{
	const char *op = NULL;
	uint64_t length = 0;
	for (int i = 0; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(argv[i], "--op") && v)
			op = argv[++i];
		else if (!strcmp(argv[i], "--length") && v) {
			if (!bench_parse_size(argv[++i], &length))
				return bench_fail("--length: not a size: %s", argv[i]);
		} else
			return bench_fail("zeroing: unknown or incomplete option %s", argv[i]);
	}
	size_t k = 0;
	while (op && k < NOPS && strcmp(ops[k].name, op))
		k++;
	if (!op || k == NOPS) {
		fputs("refstor-bench: zeroing: --op", stderr);
		for (size_t i = 0; i < NOPS; i++)
			fprintf(stderr, "%c%s", i ? '|' : ' ', ops[i].name);
		fputc('\n', stderr);
		return 2;
	}
	bool resize = ops[k].call == RESIZE;
	if (!length || length % 4096)
		return bench_fail("zeroing: --length must be a positive multiple of 4096");
	struct stat tst;
	bool dev = stat(o->target, &tst) == 0 && S_ISBLK(tst.st_mode);
	if (dev && resize)
		return bench_fail("zeroing: %s: a block device has no resize", op);
	/* What the kernel offers there, from the suite's one probe: the
	 * drivers judge write_zeroes's goal only where holes can be punched. */
	struct rs_backend b;
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", o->target);
	const char *where = dev ? o->target : dirname(dir);
	if (rs_backend_probe(&b, where, RS_PROBE_FALLOC))
		return bench_fail("probing %s: %s", where, b.why);
	int r = lay_out(o->target, resize ? 0 : length + TAIL, dev);
	if (r)
		return r;
	char err[1024];
	struct rs_impl *impl = rs_impl_load(o->impl_path, err, sizeof(err));
	if (!impl)
		return bench_fail("%s", err);
	refstor *s = NULL;
	struct refstor_open_opts oo = {.path = o->target, .writable = true, .direct = o->direct};
	if (impl->open(&oo, &s)) {
		bench_fail("opening %s: %s", o->target, impl->last_error());
		rs_impl_unload(impl);
		return 2;
	}
	long long before = allocated(o->target);
	const char *error = NULL;
	char msg[1024];
	/* The baseline's zero buffer is made before the clock starts. */
	char *zero = NULL;
	if (ops[k].call == WRITE_ZERO_DATA && posix_memalign((void **)&zero, 4096, CHUNK) == 0)
		memset(zero, 0, CHUNK);
	double t0 = bench_now();
	int e = -ENOSYS; /* the implementation lacks the function */
	switch (ops[k].call) {
	case WRITE_ZERO_DATA:
		if (!zero) {
			e = -ENOMEM;
			break;
		}
		if (!impl->write)
			break;
		e = 0;
		for (uint64_t off = 0; off < length && !e; off += CHUNK) {
			size_t n = length - off < CHUNK ? (size_t)(length - off) : CHUNK;
			e = impl->write(s, zero, n, off);
		}
		break;
	case WRITE_ZEROES:
		if (impl->write_zeroes)
			e = impl->write_zeroes(s, 0, length);
		break;
	case DISCARD:
		if (impl->discard)
			e = impl->discard(s, 0, length);
		break;
	case ALLOCATED_ZEROES:
		if (impl->write_allocated_zeroes)
			e = impl->write_allocated_zeroes(s, 0, length);
		break;
	case RESIZE:
		if (impl->resize)
			e = impl->resize(s, length, ops[k].mode);
		break;
	}
	/* The call alone, and with the sync that makes it durable: where the
	 * time goes (a journal commit, a flush through a loop device). */
	double call = bench_now() - t0;
	if (!e && impl->sync)
		e = impl->sync(s);
	double seconds = bench_now() - t0;
	if (e) {
		snprintf(msg, sizeof(msg), "%s",
			 e == -ENOSYS   ? "the implementation lacks the function"
			 : e == -ENOMEM ? "out of memory"
					: impl->last_error());
		error = msg;
	}
	long long after = allocated(o->target);
	printf("{\"bench\": \"zeroing\", \"op\": \"%s\", \"length\": %llu, \"device\": %s, "
	       "\"impl\": ",
	       op, (unsigned long long)length, dev ? "true" : "false");
	bench_json_string(stdout, o->impl_path);
	printf(", \"punch\": %s, \"zero_range\": %s, \"allocate\": %s",
	       b.punch.ok ? "true" : "false", b.zero_range.ok ? "true" : "false",
	       b.allocate.ok ? "true" : "false");
	printf(", \"call_seconds\": %.6f, \"seconds\": %.6f, \"errno\": %d, \"error\": ", call,
	       seconds, e < 0 ? -e : 0);
	bench_json_string(stdout, error);
	if (before < 0)
		printf(", \"allocated_before\": null, \"allocated_after\": null}\n");
	else
		printf(", \"allocated_before\": %lld, \"allocated_after\": %lld}\n", before, after);
	free(zero);
	impl->close(s);
	rs_impl_unload(impl);
	return e ? 1 : 0;
}
