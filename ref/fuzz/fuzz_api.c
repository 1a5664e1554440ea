/* SPDX-License-Identifier: MIT */
/*
 * fuzz_api.c - refstor-fuzz: a libFuzzer target that drives every call of the
 * refstor API with hostile arguments and holds the results to docs/spec.md.
 *
 * THE INPUT is a little byte code: a sequence of operations (at most MAX_OPS),
 * each an opcode byte (index into ops[] modulo its length) followed by its
 * arguments.  Numbers are read through rd_u64(), whose first byte picks a
 * class (small, inside the model, next to the size, a special value around
 * INT64_MAX or SIZE_MAX, raw 64-bit, ...), so mutations reach the edges fast.
 * An input that runs out reads as zero bytes: every input is a program.
 *
 * THE MODEL holds what the contract says the file must be: its first ZONE
 * bytes, its length (st_size) and, per open handle, the logical size that
 * refstor_size() must report.  There is at most one writable handle (slot 0);
 * slots 1 and 2 hold read-only handles on the same file, so every change is
 * determined by the spec.  Writes, resizes and allocations that would reach
 * past ZONE ("far" ones) are done, checked on a sample, and undone with a
 * shrinking resize, so the file never holds more than a few MiB.
 *
 * CHECKED after every call (a violation prints a report and aborts, so
 * libFuzzer keeps the input): no crash and no undefined behaviour (ASan,
 * UBSan); a failing call returns a negative errno from the set the spec allows
 * for its arguments and leaves a fresh, non-empty refstor_last_error(); a
 * successful call returns exactly 0; bad input changes nothing; reads return
 * the model's bytes (zeroes past the file's end); refstor_size() of every
 * handle, st_size of the file, and the file's bytes as plain pread() sees them
 * match the model; describe(), resolve_relative_path(), filename() and the
 * alignment accessors say what DESC-*, PATH-REL-*, OPEN-NAME-1 and ALIGN-*
 * require.
 *
 * THE STORAGE is a private tmpfs, mounted once per process in a private mount
 * namespace (so nothing outlives a killed fuzzer) on "<this binary>.tmpfs"
 * next to the binary.  Without the privilege for that, a directory under
 * $TMPDIR is used instead, with a message.  What the backend can do (punch
 * hole, FALLOC_FL_ZERO_RANGE, fallocate(0), O_DIRECT) is probed with plain
 * syscalls at start-up, and the model expects refstor to do exactly that.
 *
 * REPRODUCE a crash with `refstor-fuzz CRASH-FILE`; REFSTOR_FUZZ_TRACE=1 prints
 * each decoded operation.
 */
#include "refstor.h"
#include "../../conformance/backend.h"
#include "../../conformance/names.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#ifndef IOV_MAX
#define IOV_MAX 1024
#endif

/*
 * Byte loops of the harness stay out of the coverage instrumentation: with
 * trace-cmp every iteration would call into libFuzzer, and they would cost
 * more than the library calls under test.  They decide nothing about
 * coverage anyway.
 */
#define NO_COVERAGE __attribute__((no_sanitize("coverage")))

enum {
	ZONE = 2 << 20,     /* the bytes of the file the model holds */
	IO_MAX = 256 << 10, /* the largest real read/write buffer */
	SAMPLE = 4096,      /* bytes read back around a far operation */
	MAX_OPS = 64,       /* per input: keeps iterations fast */
	NSLOTS = 3,         /* slot 0: the main handle; 1 and 2: read-only handles */
	SHORT_IOV = 16,     /* vectors up to this long get a buffer per entry */
	GUARD_LEN = 1 << 16,
	TMPFS_MB = 8, /* private tmpfs size: ENOSPC comes after a few MiB */
	NAME_MAX_IN = 300,
	WINDOW = 64, /* bytes checked on either side of a change */
};

/* Spellings of the main file's path: OPEN-NAME-1 and PATH-REL-1 must hold for
 * each exactly as spelt. */
enum { SPELL_PLAIN, SPELL_DOUBLE_SLASH, SPELL_DOT, SPELL_DOTDOT, NSPELL };

/*
 * The process-wide environment: the only global state.  libFuzzer calls
 * LLVMFuzzerTestOneInput with nothing but the input, and the mount namespace,
 * the tmpfs and the probe results belong to the process, so they are set up
 * once in LLVMFuzzerInitialize and only read afterwards.  Everything an input
 * changes lives in struct run, on LLVMFuzzerTestOneInput's stack.
 */
static struct {
	char dir[PATH_MAX];
	char spelling[NSPELL][PATH_MAX + 32];
	char subdir[PATH_MAX + 8];      /* a directory, for EISDIR */
	char missing[PATH_MAX + 32];    /* a path that never exists */
	char missing_in[PATH_MAX + 32]; /* a path in a directory that never exists */
	char fifo[PATH_MAX + 8];        /* neither a regular file nor a device */
	bool own_tmpfs;                 /* size-limited: far allocations are safe */
	bool remove_dir;                /* fallback directory: removed at exit */
	bool can_punch, can_zero_range, can_falloc, can_direct;
	char caps[256]; /* the probe's summary, for the start-up line */
	bool trace;
	uint8_t *guard; /* GUARD_LEN bytes of PROT_NONE: behind hostile lengths */
} env;

struct slot {
	refstor *h;       /* NULL: closed */
	uint64_t size;    /* what refstor_size() must say */
	bool writable;    /* open for writing (the fd's access mode) */
	bool readable;    /* open for reading (false for an adopted O_WRONLY fd) */
	bool direct;      /* O_DIRECT */
	size_t req_align; /* as reported when opened */
	size_t mem_align;
	const char *filename; /* what filename() must return: an env.spelling, NULL */
};

/* One input's run: the decoder, the model and the handles. */
struct run {
	const uint8_t *in; /* the input not decoded yet */
	size_t left;
	uint8_t *bytes; /* the file's first ZONE bytes; zero from len on */
	uint64_t len;   /* the file's length (st_size) */
	struct slot slot[NSLOTS];
	int raw_fd; /* plain O_RDONLY fd: READ-DATA-1 compares with pread */
	int opno;
	uint64_t rng;
	char what[640];     /* the operation being checked, for reports */
	char sentinel[256]; /* the message armed before each call */
};

/* ------------------------------------------------------------------------ */
/* Reports */

static const char *ename(int e)
{
	return e > 0 ? rs_errno_name(e) : "?";
}

__attribute__((noreturn, format(printf, 2, 3))) static void violated(struct run *r, const char *fmt,
								     ...)
{
	va_list ap;
	fprintf(stderr,
		"\n==refstor-fuzz== INVARIANT VIOLATED at op #%d: %s\n==refstor-fuzz== ", r->opno,
		r->what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	const char *m = refstor_last_error();
	fprintf(stderr, "\n==refstor-fuzz== refstor_last_error(): \"%s\"\n", m ? m : "(NULL)");
	abort();
}

__attribute__((format(printf, 2, 3))) static void say(struct run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->what, sizeof(r->what), fmt, ap);
	va_end(ap);
	if (env.trace)
		fprintf(stderr, "refstor-fuzz: op #%d: %s\n", r->opno, r->what);
}

__attribute__((noreturn)) static void fatal(const char *what)
{
	fprintf(stderr, "refstor-fuzz: %s: %s\n", what, strerror(errno));
	abort();
}

/* ------------------------------------------------------------------------ */
/* Decoding */

static uint8_t rd8(struct run *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->in++;
}

static uint64_t rdn(struct run *r, int bytes)
{
	uint64_t v = 0;
	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)rd8(r) << (8 * i);
	return v;
}

static const uint64_t specials[] = {
    0,
    1,
    511,
    512,
    4095,
    4096,
    65536,
    IO_MAX,
    ZONE - 1,
    ZONE,
    (uint64_t)TMPFS_MB << 20,
    UINT32_MAX,
    (uint64_t)1 << 32,
    (uint64_t)1 << 44,
    (uint64_t)1 << 62,
    (uint64_t)INT64_MAX - 4096,
    (uint64_t)INT64_MAX - 1,
    (uint64_t)INT64_MAX,
    (uint64_t)INT64_MAX + 1,
    UINT64_MAX - 4095,
    UINT64_MAX - 1,
    UINT64_MAX,
};

/* An offset, length or size.  near: the value that matters now (the handle's
 * size, or the distance to it), for the class that lands next to it. */
static uint64_t rd_u64(struct run *r, uint64_t near)
{
	uint8_t c = rd8(r);
	uint64_t small = c >> 3; /* 0..31 */
	switch (c & 7) {
	case 0:
		return rd8(r);
	case 1:
		return rdn(r, 2);
	case 2:
		return rdn(r, 3) % (ZONE + 1);
	case 3: {
		int16_t d = (int16_t)rdn(r, 2);
		if (d < 0 && (uint64_t) - (int64_t)d > near)
			return 0;
		return near + (uint64_t)(int64_t)d;
	}
	case 4: /* wraps around on purpose: UINT64_MAX + 3 is small again */
		return specials[rd8(r) % (sizeof(specials) / sizeof(specials[0]))] + small - 16;
	case 5:
		return rdn(r, 8);
	case 6:
		return (uint64_t)rd8(r) * 4096 + small;
	default:
		return (uint64_t)INT64_MAX - rdn(r, 2);
	}
}

/* A preallocation mode: mostly valid, sometimes any int (RESIZE-BAD-1). */
static int rd_mode(struct run *r)
{
	static const int bad[] = {4, 5, 7, 255, 256, 1000, INT_MAX, -1, -2, INT_MIN};
	uint8_t v = rd8(r);
	return v < 224 ? v % 4 : bad[v % (sizeof(bad) / sizeof(bad[0]))];
}

static bool mode_valid(int mode)
{
	return mode >= REFSTOR_PREALLOC_NONE && mode <= REFSTOR_PREALLOC_WRITE_DATA;
}

/* Mostly the main handle (0): that is where the state is; 1 and 2 are the
 * read-only handles, 3 (NSLOTS) stands for a NULL handle. */
static int rd_slot(struct run *r)
{
	uint8_t v = rd8(r) % 8;
	return v < 5 ? 0 : v - 4;
}

static refstor *handle_of(struct run *r, int si)
{
	return si < NSLOTS ? r->slot[si].h : NULL;
}

NO_COVERAGE static uint64_t next_rand(struct run *r)
{
	/* xorshift64*: data for writes without spending input on it. */
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return r->rng * 0x2545F4914F6CDD1DULL;
}

NO_COVERAGE static void fill_rand(struct run *r, uint8_t *dst, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (uint8_t)next_rand(r);
}

static void seed_rand(struct run *r)
{
	r->rng = (rdn(r, 2) << 16 | (uint64_t)r->opno) * 0x9E3779B97F4A7C15ULL | 1;
}

/* ------------------------------------------------------------------------ */
/* Outcomes */

/* The errnos a failing call may return. */
struct errs {
	int e[4];
	int n;
};

static void errs_add(struct errs *s, int e)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return;
	if (s->n < 4)
		s->e[s->n++] = e;
}

static bool errs_has(const struct errs *s, int e)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return true;
	return false;
}

static const char *errs_str(const struct errs *s, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < s->n && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s-%s", i ? " or " : "", ename(s->e[i]));
	return buf;
}

/*
 * Leave a message that no call under test produces, right before the call:
 * a failing call that sets no message of its own is then seen (ERR-RET-1).
 * The flush(NULL) operation itself is armed with sync(NULL) instead.
 */
static void arm_with(struct run *r, bool use_sync)
{
	if (use_sync)
		refstor_sync(NULL);
	else
		refstor_flush(NULL);
	const char *m = refstor_last_error();
	snprintf(r->sentinel, sizeof(r->sentinel), "%s", m ? m : "");
}

static void arm(struct run *r)
{
	arm_with(r, false);
}

static void check_message(struct run *r, int rc)
{
	const char *m = refstor_last_error();
	if (!m || !*m)
		violated(r, "failed with %d (-%s) and left no message (ERR-RET-1)", rc, ename(-rc));
	if (!strcmp(m, r->sentinel))
		violated(r,
			 "failed with %d (-%s) but left the message of an earlier call "
			 "(ERR-RET-1)",
			 rc, ename(-rc));
}

static void check_errno_range(struct run *r, int rc)
{
	if (rc < -4095)
		violated(r, "returned %d: not a negative errno (ERR-RET-1)", rc);
}

/* The call must fail with one of es. */
static void expect_fail(struct run *r, int rc, const struct errs *es)
{
	char want[96];
	check_errno_range(r, rc);
	if (rc >= 0 || !errs_has(es, -rc))
		violated(r, "returned %d (%s), expected %s", rc, rc < 0 ? ename(-rc) : "success",
			 errs_str(es, want, sizeof(want)));
	check_message(r, rc);
}

static void expect_errno(struct run *r, int rc, int e)
{
	struct errs es = {{e}, 1};
	expect_fail(r, rc, &es);
}

static void expect_ok(struct run *r, int rc)
{
	check_errno_range(r, rc);
	if (rc != 0)
		violated(r, "returned %d (%s), expected 0", rc, rc < 0 ? ename(-rc) : "positive");
}

/* Success, or a failure with one of es (an outcome the backend decides). */
static void expect_ok_or(struct run *r, int rc, const struct errs *es)
{
	if (rc)
		expect_fail(r, rc, es);
}

/* ------------------------------------------------------------------------ */
/* The model */

/* The model's bytes [off, off + n) into dst: the file's, then zeroes. */
static void model_copy(const struct run *r, uint8_t *dst, uint64_t off, size_t n)
{
	uint64_t end = r->len < ZONE ? r->len : ZONE;
	size_t have = off >= end ? 0 : end - off < n ? (size_t)(end - off) : n;
	memcpy(dst, r->bytes + (have ? off : 0), have);
	memset(dst + have, 0, n - have);
}

NO_COVERAGE static void invert_copy(uint8_t *dst, const uint8_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = (uint8_t)~src[i];
}

/* The first index where a and b differ (they do). */
NO_COVERAGE static size_t first_diff(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* The file's length becomes len (<= ZONE): bytes from len on read as zeroes. */
static void model_set_len(struct run *r, uint64_t len)
{
	if (len > ZONE)
		violated(r, "model: length %" PRIu64 " beyond the zone", len);
	if (len < r->len)
		memset(r->bytes + len, 0, (size_t)(r->len - len));
	r->len = len;
}

static void model_zero(struct run *r, uint64_t from, uint64_t to)
{
	if (to > r->len)
		to = r->len;
	if (from < to)
		memset(r->bytes + from, 0, (size_t)(to - from));
}

/* Compare [lo, hi) of the file, as plain pread() sees it, with the model
 * (READ-DATA-1, WRITE-DATA-1): bytes below the length, nothing past it. */
static void verify_range(struct run *r, uint64_t lo, uint64_t hi)
{
	/* Sized to the range: big allocations are mmap'd and fault in anew. */
	size_t chunk = hi - lo < 64 << 10 ? (size_t)(hi - lo) : 64 << 10;
	if (!chunk)
		return;
	uint8_t *buf = malloc(chunk), *model = malloc(chunk);
	if (!buf || !model)
		fatal("malloc");
	for (uint64_t pos = lo; pos < hi;) {
		size_t n = hi - pos < chunk ? (size_t)(hi - pos) : chunk;
		ssize_t got = pread(r->raw_fd, buf, n, (off_t)pos);
		if (got < 0)
			fatal("pread of the image");
		uint64_t expect = pos >= r->len ? 0 : r->len - pos < n ? r->len - pos : n;
		if ((uint64_t)got != expect)
			violated(r,
				 "pread at %" PRIu64
				 " returned %zd bytes; the model's length %" PRIu64
				 " says %" PRIu64,
				 pos, got, r->len, expect);
		model_copy(r, model, pos, (size_t)got);
		if (memcmp(buf, model, (size_t)got)) {
			size_t i = first_diff(buf, model, (size_t)got);
			violated(r, "file byte at %" PRIu64 " is 0x%02x, the model says 0x%02x",
				 pos + i, buf[i], model[i]);
		}
		if (!got)
			break;
		pos += (uint64_t)got;
	}
	free(buf);
	free(model);
}

/* The edges of a change [lo, hi): where off-by-one errors show. */
static void verify_edges(struct run *r, uint64_t lo, uint64_t hi)
{
	uint64_t lim = ZONE + WINDOW;
	if (lo > lim)
		lo = lim;
	if (hi > lim)
		hi = lim;
	verify_range(r, lo > WINDOW ? lo - WINDOW : 0, lo + WINDOW);
	verify_range(r, hi > WINDOW ? hi - WINDOW : 0, hi + WINDOW);
}

/* After every operation: the sizes and the length. */
static void post_op(struct run *r)
{
	struct stat st;
	if (fstat(r->raw_fd, &st))
		violated(r, "fstat of the image: %s", strerror(errno));
	if ((uint64_t)st.st_size != r->len)
		violated(r, "the file's length is %" PRIu64 ", the model says %" PRIu64,
			 (uint64_t)st.st_size, r->len);
	for (int i = 0; i < NSLOTS; i++) {
		const struct slot *s = &r->slot[i];
		if (s->h && refstor_size(s->h) != s->size)
			violated(
			    r, "refstor_size() of slot %d is %" PRIu64 ", the model says %" PRIu64,
			    i, refstor_size(s->h), s->size);
	}
	const char *m = refstor_last_error();
	if (!m)
		violated(r, "refstor_last_error() returned NULL");
}

/* Read [off, off + n) of the file with plain pread into buf, zeroes past EOF. */
static void raw_read(struct run *r, void *buf, size_t n, uint64_t off)
{
	memset(buf, 0, n);
	size_t done = 0;
	while (done < n) {
		ssize_t got = pread(r->raw_fd, (char *)buf + done, n - done, (off_t)(off + done));
		if (got < 0)
			fatal("pread of the image");
		if (!got)
			break;
		done += (size_t)got;
	}
}

/* A far operation (one that grew the handle past the zone) is undone by a
 * shrinking resize back to old, which makes the length old too. */
static void restore_size(struct run *r, struct slot *s, uint64_t old)
{
	if (refstor_size(s->h) == old)
		return;
	char what[sizeof(r->what)];
	memcpy(what, r->what, sizeof(what));
	say(r, "%s; then resize(%" PRIu64 ", NONE) to undo it", what, old);
	arm(r);
	expect_ok(r, refstor_resize(s->h, old, REFSTOR_PREALLOC_NONE));
	s->size = old;
	model_set_len(r, old);
}

/* ------------------------------------------------------------------------ */
/* Buffers and vectors */

static void *buf_alloc(size_t len, size_t align)
{
	void *p;
	if (align < sizeof(void *))
		align = sizeof(void *);
	/* The exact length: ASan then sees any access past it. */
	if (posix_memalign(&p, align, len ? len : 1))
		fatal("posix_memalign");
	return p;
}

struct ioreq {
	struct iovec *iov; /* as passed: NULL to test a NULL array */
	int cnt;           /* as passed: may be negative */
	struct iovec *arr; /* the entries */
	int n;
	void **own;    /* a buffer per entry (short vectors) */
	uint8_t *slab; /* one buffer for all entries (long vectors) */
	bool bad_shape, null_base;
	unsigned __int128 sum;
};

static const size_t huge_lens[] = {
    (size_t)SSIZE_MAX, (size_t)SSIZE_MAX + 1, SIZE_MAX,           SIZE_MAX - 1,
    (size_t)1 << 62,   (size_t)1 << 40,       (size_t)IO_MAX + 1, (size_t)SSIZE_MAX - 1,
};

static void io_sum(struct ioreq *q)
{
	q->sum = 0;
	for (int i = 0; i < q->n; i++)
		q->sum += q->arr[i].iov_len;
}

static void io_entry_real(struct ioreq *q, int i, size_t len, size_t *budget, size_t align)
{
	if (len > *budget)
		len = *budget;
	*budget -= len;
	q->arr[i].iov_len = len;
	q->arr[i].iov_base = len ? (q->own[i] = buf_alloc(len, align)) : NULL;
}

/*
 * Decode a vector (or, !vector, the single buffer of read/write).  Entries:
 * zero-length with NULL or with an inaccessible base, real buffers, a NULL
 * base with a length (BAD-NULL-1), and huge lengths over PROT_NONE memory.
 * Counts: 0, short, around IOV_MAX and past 2 * IOV_MAX (READ-IOV-1),
 * negative, or a NULL array.
 */
static void io_build(struct run *r, struct ioreq *q, bool vector, size_t align, uint64_t near)
{
	memset(q, 0, sizeof(*q));
	size_t budget = IO_MAX;
	int n = 1;
	uint8_t shape = vector ? rd8(r) : 1;
	switch (shape % 8) {
	case 0:
		n = 0;
		break;
	case 5:
		n = IOV_MAX - 1 + rd8(r) % 3;
		break;
	case 6:
		n = 2 * IOV_MAX + 1 + rd8(r) % 4;
		break;
	case 7:
		n = 1 + rd8(r) % 4;
		q->bad_shape = true;
		break;
	default:
		if (vector)
			n = 1 + rd8(r) % SHORT_IOV;
	}
	q->n = n;
	q->arr = calloc((size_t)n + 1, sizeof(*q->arr));
	q->own = calloc((size_t)n + 1, sizeof(*q->own));
	if (!q->arr || !q->own)
		fatal("calloc");

	if (!vector) {
		uint8_t k = rd8(r);
		uint64_t len = rd_u64(r, near);
		if (k & 1) {
			q->arr[0].iov_len = (size_t)len;
			q->null_base = len != 0;
		} else if (len <= IO_MAX) {
			io_entry_real(q, 0, (size_t)len, &budget, align);
			if (!len && (k & 2))
				q->arr[0].iov_base = env.guard;
		} else {
			q->arr[0].iov_base = env.guard;
			q->arr[0].iov_len = (size_t)len;
		}
	} else if (n <= SHORT_IOV) {
		for (int i = 0; i < n; i++) {
			uint8_t e = rd8(r);
			switch (e % 8) {
			case 0: /* NULL, zero length: valid (READ-IOV-2) */
				break;
			case 1: /* inaccessible, zero length: valid too */
				q->arr[i].iov_base = env.guard;
				break;
			case 2:
			case 3:
				io_entry_real(q, i, rd8(r), &budget, align);
				break;
			case 4:
				io_entry_real(q, i, (size_t)rdn(r, 2), &budget, align);
				break;
			case 5:
				io_entry_real(q, i, (size_t)(rd8(r) % 80 + 1) * 4096 - (e >> 3),
					      &budget, align);
				break;
			case 6:
				q->arr[i].iov_len = 1 + rd8(r);
				q->null_base = true;
				break;
			default:
				q->arr[i].iov_base = env.guard;
				q->arr[i].iov_len = huge_lens[(e >> 3) % (sizeof(huge_lens) /
									  sizeof(huge_lens[0]))];
			}
		}
	} else {
		/* Long vectors: tiny entries in one slab, some empty, some NULL. */
		seed_rand(r);
		size_t total = 0;
		for (int i = 0; i < n; i++)
			total += q->arr[i].iov_len = next_rand(r) % 4;
		q->slab = buf_alloc(total, align);
		size_t pos = 0;
		for (int i = 0; i < n; i++) {
			bool null = !q->arr[i].iov_len && (next_rand(r) & 1);
			q->arr[i].iov_base = null ? NULL : q->slab + pos;
			pos += q->arr[i].iov_len;
		}
	}
	q->iov = q->arr;
	q->cnt = n;
	if (vector && shape % 8 == 0 && (shape & 8))
		q->iov = NULL; /* iovcnt 0 with a NULL array: valid */
	if (q->bad_shape) {
		uint8_t how = rd8(r) % 3;
		if (how == 0)
			q->cnt = -1 - (int)rd8(r);
		else if (how == 1)
			q->cnt = INT_MIN;
		else
			q->iov = NULL;
	}
	io_sum(q);
}

/* Does the contract make this call fail with EINVAL (BAD-NULL-1, BAD-RANGE-1)? */
static bool io_bad(const struct ioreq *q, uint64_t off)
{
	return q->bad_shape || q->null_base || q->sum > SSIZE_MAX || off > INT64_MAX ||
	       q->sum > (unsigned __int128)INT64_MAX - off;
}

/* A valid call must not get the PROT_NONE memory with a length: those entries
 * were only there to be rejected, so they become empty. */
static void io_defuse(struct ioreq *q)
{
	for (int i = 0; i < q->n; i++)
		if (q->arr[i].iov_base == env.guard)
			q->arr[i].iov_len = 0;
	io_sum(q);
}

/* BAD-ALIGN-1, the way the handle reported its alignments. */
static bool io_misaligned(const struct ioreq *q, uint64_t off, const struct slot *s)
{
	if (!s->direct)
		return false;
	if (off % s->req_align || (uint64_t)q->sum % s->req_align)
		return true;
	for (int i = 0; i < q->n; i++)
		if ((uintptr_t)q->arr[i].iov_base % s->mem_align ||
		    q->arr[i].iov_len % s->req_align)
			return true;
	return false;
}

static void io_free(struct ioreq *q)
{
	for (int i = 0; i < q->n; i++)
		free(q->own[i]);
	free(q->own);
	free(q->slab);
	free(q->arr);
}

/* ------------------------------------------------------------------------ */
/* Operations: I/O */

static void far_write(struct run *r, struct slot *s, uint64_t off, const uint8_t *flat,
		      uint64_t total, int rc)
{
	uint64_t old = s->size, end = off + total;
	if (rc) {
		/* A private tmpfs takes any offset up to INT64_MAX; elsewhere
		 * the filesystem's largest file size decides. */
		struct errs es = {{EFBIG, ENOSPC}, 2};
		if (env.own_tmpfs)
			expect_ok(r, rc);
		expect_fail(r, rc, &es);
	} else {
		if (refstor_size(s->h) != end)
			violated(r,
				 "size %" PRIu64 " after a write ending at %" PRIu64
				 " (WRITE-GROW-1)",
				 refstor_size(s->h), end);
		struct stat st = {0};
		if (fstat(r->raw_fd, &st) || (uint64_t)st.st_size != end)
			violated(r,
				 "length %" PRIu64 " after a write ending at %" PRIu64
				 " (WRITE-GROW-1)",
				 (uint64_t)st.st_size, end);
		size_t n = total < SAMPLE ? (size_t)total : SAMPLE;
		uint8_t *buf = malloc(n);
		if (!buf)
			fatal("malloc");
		raw_read(r, buf, n, end - n);
		if (memcmp(buf, flat + total - n, n))
			violated(
			    r, "the last %zu bytes of a far write do not read back (WRITE-DATA-1)",
			    n);
		free(buf);
	}
	restore_size(r, s, old);
}

static void op_io(struct run *r, bool write, bool vector)
{
	int si = rd_slot(r);
	struct slot *s = si < NSLOTS ? &r->slot[si] : NULL;
	refstor *h = handle_of(r, si);
	uint64_t size = h ? s->size : 0;
	uint64_t off = rd_u64(r, size);
	struct ioreq q;
	io_build(r, &q, vector, h && s->direct ? s->mem_align : 1, size > off ? size - off : 0);
	bool bad = io_bad(&q, off);
	if (!bad)
		io_defuse(&q);
	uint64_t total = bad ? 0 : (uint64_t)q.sum;
	/* The model holds ZONE bytes: a write that straddles it moves below. */
	if (write && total && off < ZONE && off + total > ZONE)
		off = ZONE - total;
	bool far = write && total && off >= ZONE;

	struct errs es = {{0}, 0};
	if (!h) {
		errs_add(&es, EINVAL);
	} else {
		if (write && !s->writable)
			errs_add(&es, EBADF);
		if (bad || io_misaligned(&q, off, s))
			errs_add(&es, EINVAL);
	}

	const char *name = vector ? (write ? "writev" : "readv") : (write ? "write" : "read");
	if (vector)
		say(r,
		    "%s(slot %d%s, iovcnt %d%s, offset %" PRIu64 "), %d entries, sum %" PRIu64 "%s",
		    name, si, h ? "" : " = NULL", q.cnt, q.iov ? "" : ", NULL array", off, q.n,
		    q.sum > UINT64_MAX ? UINT64_MAX : (uint64_t)q.sum,
		    q.sum > UINT64_MAX ? " (overflows)" : "");
	else
		say(r, "%s(slot %d%s, buf %s, len %zu, offset %" PRIu64 ")", name, si,
		    h ? "" : " = NULL",
		    !q.arr[0].iov_base               ? "NULL"
		    : q.arr[0].iov_base == env.guard ? "PROT_NONE"
						     : "heap",
		    q.arr[0].iov_len, off);

	/* Writes: data from the PRNG, also gathered flat for the model.  Reads:
	 * every byte the inverse of what the model expects, so a byte the call
	 * leaves alone cannot pass for a right one. */
	uint8_t *flat = malloc(total ? (size_t)total : 1);
	if (!flat)
		fatal("malloc");
	if (write) {
		seed_rand(r);
		fill_rand(r, flat, (size_t)total);
	} else {
		model_copy(r, flat, off, (size_t)total);
	}
	for (size_t i = 0, pos = 0; i < (size_t)q.n && total; pos += q.arr[i++].iov_len) {
		if (!q.arr[i].iov_len)
			continue; /* the base may be NULL */
		if (write)
			memcpy(q.arr[i].iov_base, flat + pos, q.arr[i].iov_len);
		else
			invert_copy(q.arr[i].iov_base, flat + pos, q.arr[i].iov_len);
	}

	arm(r);
	int rc;
	if (vector)
		rc = write ? refstor_writev(h, q.iov, q.cnt, off)
			   : refstor_readv(h, q.iov, q.cnt, off);
	else if (write)
		rc = refstor_write(h, q.arr[0].iov_base, q.arr[0].iov_len, off);
	else
		rc = refstor_read(h, q.arr[0].iov_base, q.arr[0].iov_len, off);

	if (es.n) {
		expect_fail(r, rc, &es);
	} else if (!write) {
		if (total && !s->readable) {
			expect_errno(r, rc, EBADF); /* an adopted O_WRONLY descriptor */
		} else {
			expect_ok(r, rc);
			for (size_t i = 0, pos = 0; i < (size_t)q.n; pos += q.arr[i++].iov_len) {
				const uint8_t *b = q.arr[i].iov_base;
				size_t n = q.arr[i].iov_len;
				if (!n || !memcmp(b, flat + pos, n))
					continue;
				size_t j = first_diff(b, flat + pos, n);
				violated(r,
					 "read byte at file offset %" PRIu64
					 " (entry %zu + %zu) is "
					 "0x%02x, the model says 0x%02x (READ-DATA-1, READ-EOF-*)",
					 off + pos + j, i, j, b[j], flat[pos + j]);
			}
		}
	} else if (far) {
		far_write(r, s, off, flat, total, rc);
	} else {
		expect_ok(r, rc);
		if (total) {
			memcpy(r->bytes + off, flat, (size_t)total);
			if (off + total > r->len)
				r->len = off + total;
			if (off + total > s->size)
				s->size = off + total;
			verify_edges(r, off, off + total);
		}
	}
	free(flat);
	io_free(&q);
}

static void op_read(struct run *r)
{
	op_io(r, false, false);
}

static void op_readv(struct run *r)
{
	op_io(r, false, true);
}

static void op_write(struct run *r)
{
	op_io(r, true, false);
}

static void op_writev(struct run *r)
{
	op_io(r, true, true);
}

enum zkind { Z_WRITE_ZEROES, Z_DISCARD, Z_ALLOCATED };

static void op_zero(struct run *r, enum zkind kind)
{
	static const char *const names[] = {"write_zeroes", "discard", "write_allocated_zeroes"};
	int si = rd_slot(r);
	struct slot *s = si < NSLOTS ? &r->slot[si] : NULL;
	refstor *h = handle_of(r, si);
	uint64_t size = h ? s->size : 0;
	uint64_t off = rd_u64(r, size);
	uint64_t len = rd_u64(r, size > off ? size - off : 0);
	bool bad = off > INT64_MAX || len > INT64_MAX - off;
	/* Zeroes that stay allocated cost real space where the backend has
	 * them: keep those inside the zone. */
	if (kind == Z_ALLOCATED && env.can_zero_range && !bad && len && off + len > ZONE) {
		off %= ZONE;
		if (len > ZONE - off)
			len = ZONE - off;
	}
	uint64_t end = off + len;

	struct errs es = {{0}, 0};
	if (!h) {
		errs_add(&es, EINVAL);
	} else {
		if (!s->writable)
			errs_add(&es, EBADF);
		if (bad || (s->direct && (off % s->req_align || len % s->req_align)))
			errs_add(&es, EINVAL);
	}
	say(r,
	    "%s(slot %d%s, offset %" PRIu64 ", length %" PRIu64 "), size %" PRIu64
	    ", length of the file %" PRIu64,
	    names[kind], si, h ? "" : " = NULL", off, len, size, r->len);
	arm(r);
	int rc = kind == Z_WRITE_ZEROES ? refstor_write_zeroes(h, off, len)
		 : kind == Z_DISCARD    ? refstor_discard(h, off, len)
					: refstor_write_allocated_zeroes(h, off, len);
	if (es.n) {
		expect_fail(r, rc, &es);
		return;
	}
	if (!len) {
		expect_ok(r, rc); /* ZERO-PAST-1, zero-length */
		return;
	}
	if (kind == Z_ALLOCATED) {
		if (!env.can_zero_range) {
			expect_errno(r, rc, ENOTSUP); /* ALLOC-ZERO-1 */
			return;
		}
		expect_ok(r, rc);
		model_zero(r, off, end);
		if (end > r->len)
			r->len = end; /* ALLOC-GROW-1 */
		if (end > s->size)
			s->size = end;
	} else if (end < size) {
		/* Inside: a punched hole (ZERO-MID-1, ZERO-DISCARD-1, ZERO-UNSUP-1). */
		if (!env.can_punch && kind == Z_WRITE_ZEROES) {
			expect_errno(r, rc, ENOTSUP);
			return;
		}
		expect_ok(r, rc);
		if (env.can_punch)
			model_zero(r, off, end);
	} else if (off >= size) {
		expect_ok(r, rc); /* ZERO-PAST-1 */
	} else {
		/* Reaches the size: discard-by-truncate to the offset, the
		 * handle's size stays (ZERO-TRUNC-1, ZERO-TRUNC-2). */
		expect_ok(r, rc);
		model_set_len(r, off);
	}
	verify_edges(r, off, end);
}

static void op_write_zeroes(struct run *r)
{
	op_zero(r, Z_WRITE_ZEROES);
}

static void op_discard(struct run *r)
{
	op_zero(r, Z_DISCARD);
}

static void op_allocated_zeroes(struct run *r)
{
	op_zero(r, Z_ALLOCATED);
}

/* A resize past the zone: check it on a sample, then undo it. */
static void far_resize(struct run *r, struct slot *s, uint64_t nsz, int mode, int rc)
{
	uint64_t old = s->size;
	struct errs es = {{0}, 0};
	if (mode == REFSTOR_PREALLOC_ALLOCATE && !env.can_falloc) {
		expect_errno(r, rc, ENOTSUP); /* RESIZE-GROW-1 */
		return;
	}
	if (mode == REFSTOR_PREALLOC_ALLOCATE || mode == REFSTOR_PREALLOC_WRITE_DATA)
		errs_add(&es, ENOSPC); /* ENOSPC-3: the tmpfs is small on purpose */
	if (!env.own_tmpfs)
		errs_add(&es, EFBIG); /* beyond the filesystem's largest file */
	expect_ok_or(r, rc, &es);
	if (rc)
		return; /* changes nothing: post_op checks size and length */
	struct stat st = {0};
	if (refstor_size(s->h) != nsz || fstat(r->raw_fd, &st) || (uint64_t)st.st_size != nsz)
		violated(r,
			 "after resize to %" PRIu64 ": size %" PRIu64 ", length %" PRIu64
			 " (RESIZE-GROW-1)",
			 nsz, refstor_size(s->h), (uint64_t)st.st_size);
	/* The added range [old, nsz) reads as zeroes: sample its two ends
	 * (what lies below old is the model's, checked by verify_range). */
	size_t n = nsz - old < SAMPLE ? (size_t)(nsz - old) : SAMPLE;
	uint8_t *buf = malloc(n), *zero = calloc(1, n);
	if (!buf || !zero)
		fatal("malloc");
	for (int end = 0; end < 2; end++) {
		uint64_t at = end ? nsz - n : old;
		raw_read(r, buf, n, at);
		if (memcmp(buf, zero, n))
			violated(r,
				 "[%" PRIu64 ", %" PRIu64 ") of the grown range does not read "
				 "as zeroes (RESIZE-GROW-1)",
				 at, at + n);
	}
	free(buf);
	free(zero);
	restore_size(r, s, old);
}

static void op_resize(struct run *r)
{
	int si = rd_slot(r);
	struct slot *s = si < NSLOTS ? &r->slot[si] : NULL;
	refstor *h = handle_of(r, si);
	uint64_t size = h ? s->size : 0;
	uint64_t nsz = rd_u64(r, size);
	int mode = rd_mode(r);
	/* Allocating far past the zone is safe only on the small private tmpfs. */
	if (!env.own_tmpfs && nsz > ZONE && nsz <= INT64_MAX &&
	    (mode == REFSTOR_PREALLOC_ALLOCATE || mode == REFSTOR_PREALLOC_WRITE_DATA))
		nsz %= ZONE + 1;

	struct errs es = {{0}, 0};
	if (!h) {
		errs_add(&es, EINVAL);
	} else {
		if (!s->writable)
			errs_add(&es, EBADF);
		if (!mode_valid(mode) || nsz > INT64_MAX)
			errs_add(&es, EINVAL); /* RESIZE-BAD-1 */
	}
	say(r, "resize(slot %d%s, %" PRIu64 ", mode %d %s), size %" PRIu64, si, h ? "" : " = NULL",
	    nsz, mode, refstor_prealloc_name((enum refstor_prealloc)mode), size);
	arm(r);
	int rc = refstor_resize(h, nsz, (enum refstor_prealloc)mode);
	if (es.n) {
		expect_fail(r, rc, &es);
	} else if (nsz == size) {
		expect_ok(r, rc); /* RESIZE-SHRINK-1: changes nothing */
	} else if (nsz > ZONE) {
		far_resize(r, s, nsz, mode, rc);
	} else if (mode == REFSTOR_PREALLOC_ALLOCATE && nsz > size && !env.can_falloc) {
		expect_errno(r, rc, ENOTSUP);
	} else {
		expect_ok(r, rc);
		model_set_len(r, nsz);
		s->size = nsz;
		verify_edges(r, size < nsz ? size : nsz, nsz);
	}
}

static void op_sync(struct run *r)
{
	static const char *const names[] = {"flush", "sync", "invalidate_cache"};
	int si = rd_slot(r);
	refstor *h = handle_of(r, si);
	int which = rd8(r) % 3;
	say(r, "%s(slot %d%s)", names[which], si, h ? "" : " = NULL");
	arm_with(r, which == 0);
	int rc = which == 0   ? refstor_flush(h)
		 : which == 1 ? refstor_sync(h)
			      : refstor_invalidate_cache(h);
	if (h)
		expect_ok(r, rc); /* SYNC-1 */
	else
		expect_errno(r, rc, EINVAL); /* BAD-NULL-1 */
}

/* ------------------------------------------------------------------------ */
/* Operations: naming */

/* DESC-1: file:"<path>" quoted as Rust's Debug quotes strings. */
static char *describe_expected(const char *filename)
{
	if (!filename)
		return strdup("file:<unknown path>");
	char *d = malloc(strlen(filename) * 6 + 16), *p = d;
	if (!d)
		fatal("malloc");
	p += sprintf(p, "file:\"");
	for (const unsigned char *c = (const unsigned char *)filename; *c; c++) {
		switch (*c) {
		case '"':
			p += sprintf(p, "\\\"");
			break;
		case '\\':
			p += sprintf(p, "\\\\");
			break;
		case '\n':
			p += sprintf(p, "\\n");
			break;
		case '\r':
			p += sprintf(p, "\\r");
			break;
		case '\t':
			p += sprintf(p, "\\t");
			break;
		default:
			if (*c < 0x20 || *c == 0x7f)
				p += sprintf(p, "\\u{%x}", *c);
			else
				*p++ = (char)*c;
		}
	}
	strcpy(p, "\"");
	return d;
}

/* describe() into a buffer of a decoded size (DESC-1, DESC-2). */
static void check_describe(struct run *r, refstor *h, const char *filename, uint8_t k, uint8_t v)
{
	char *want = h ? describe_expected(filename) : strdup("?");
	if (!want)
		fatal("strdup");
	size_t need = strlen(want) + 1, len;
	bool null = false;
	switch (k % 8) {
	case 0:
		null = true;
		len = 0;
		break;
	case 1:
		null = true;
		len = 1 + v;
		break;
	case 2:
		len = need;
		break;
	case 3:
		len = need - 1;
		break;
	case 4:
		len = need + v % 4;
		break;
	case 5:
		len = 1;
		break;
	case 6:
		len = v % need;
		break;
	default:
		len = ((size_t)v << 4 | k >> 4) % (need + 16);
	}
	char *buf = null ? NULL : malloc(len ? len : 1);
	if (buf)
		memset(buf, 'Z', len ? len : 1);
	char what[sizeof(r->what)];
	memcpy(what, r->what, sizeof(what));
	say(r, "%s; describe(buf %s, len %zu), needs %zu", what, null ? "NULL" : "heap", len, need);
	arm(r);
	int rc = refstor_describe(h, buf, len);
	if (!h || (null && len)) {
		expect_errno(r, rc, EINVAL);
	} else if (len >= need) {
		expect_ok(r, rc);
		if (!memchr(buf, '\0', len))
			violated(r, "describe() returned 0 and left no NUL (DESC-1)");
		if (strcmp(buf, want))
			violated(r, "describe() wrote '%s', expected '%s' (DESC-1)", buf, want);
	} else {
		expect_errno(r, rc, ERANGE); /* DESC-2 */
		if (buf && !len && buf[0] != 'Z')
			violated(r, "describe() wrote into a buffer of 0 bytes (DESC-2)");
		if (len) {
			char *nul = memchr(buf, '\0', len);
			if (!nul)
				violated(r, "describe() left no NUL in a %zu-byte buffer (DESC-2)",
					 len);
			if (strncmp(buf, want, (size_t)(nul - buf)))
				violated(r, "describe() left '%s', not a prefix of '%s' (DESC-2)",
					 buf, want);
		}
	}
	free(buf);
	free(want);
}

static void op_describe(struct run *r)
{
	int si = rd_slot(r);
	refstor *h = handle_of(r, si);
	uint8_t k = rd8(r), v = rd8(r);
	say(r, "slot %d%s", si, h ? "" : " = NULL");
	check_describe(r, h, h ? r->slot[si].filename : NULL, k, v);
}

/*
 * Rust's Path::parent() of f, as the length of its prefix; -1 for none.  On
 * Unix: a leading '/' is the root, a leading "." of a relative path is kept;
 * empty and "." components at the end do not count (Components::as_path trims
 * them), and the last component goes with the separator before it.
 */
static ptrdiff_t rust_parent(const char *f)
{
	size_t n = strlen(f);
	bool root = n && f[0] == '/';
	bool curdir = !root && n && f[0] == '.' && (n == 1 || f[1] == '/');
	size_t start = root || curdir ? 1 : 0, len = n;
	for (int pass = 0; pass < 2; pass++) {
		/* trim_right: drop empty and "." components at the end */
		while (len > start) {
			size_t i = len;
			while (i > start && f[i - 1] != '/')
				i--;
			bool skip = len == i || (len - i == 1 && f[i] == '.');
			if (!skip)
				break;
			len = i > start ? i - 1 : i;
		}
		if (pass == 1)
			break;
		if (len == start) /* only the root or "." is left: "/" has no parent */
			return root ? -1 : curdir ? 0 : -1;
		/* next_back: the last component and the separator before it */
		size_t i = len;
		while (i > start && f[i - 1] != '/')
			i--;
		len = i > start ? i - 1 : i;
	}
	return (ptrdiff_t)len;
}

/* PATH-REL-1: rel joined to the parent of filename as Path::join does. */
static char *join_expected(const char *filename, const char *rel)
{
	ptrdiff_t plen = rust_parent(filename);
	if (plen < 0)
		return NULL;
	bool sep = plen > 0 && filename[plen - 1] != '/';
	char *out = malloc((size_t)plen + strlen(rel) + 2);
	if (!out)
		fatal("malloc");
	sprintf(out, "%.*s%s%s", (int)plen, filename, sep ? "/" : "", rel);
	return out;
}

static void check_resolve(struct run *r, refstor *h, const char *filename, const char *rel,
			  bool null_out)
{
	char *out = NULL;
	arm(r);
	int rc = refstor_resolve_relative_path(h, rel, null_out ? NULL : &out);
	if (!h || !rel || null_out) {
		/* BAD-NULL-1 for the handle; the library's answer for the rest
		 * (no clause names them). */
		expect_errno(r, rc, EINVAL);
		return;
	}
	if (rel[0] == '/') {
		expect_ok(r, rc);
		if (!out || strcmp(out, rel))
			violated(r, "resolved an absolute path to '%s' (PATH-REL-1)",
				 out ? out : "(NULL)");
		free(out);
		return;
	}
	char *want = filename ? join_expected(filename, rel) : NULL;
	if (!want) {
		expect_errno(r, rc, EINVAL); /* PATH-REL-2 */
		return;
	}
	expect_ok(r, rc);
	if (!out || strcmp(out, want))
		violated(r, "resolved '%s' against '%s' to '%s', expected '%s' (PATH-REL-1)", rel,
			 filename, out ? out : "(NULL)", want);
	free(out);
	free(want);
}

static void op_resolve(struct run *r)
{
	int si = rd_slot(r);
	refstor *h = handle_of(r, si);
	uint8_t k = rd8(r);
	char rel[40];
	size_t n = rd8(r) % 32, o = 0;
	if (k % 8 == 2)
		rel[o++] = '/';
	for (size_t i = 0; i < n; i++) {
		uint8_t c = rd8(r);
		rel[o++] = c ? (char)c : '.';
	}
	rel[o] = '\0';
	bool null_rel = k % 8 == 0, null_out = k % 8 == 1;
	say(r, "resolve_relative_path(slot %d%s, %s%s%s%s)", si, h ? "" : " = NULL",
	    null_rel ? "NULL" : "'", null_rel ? "" : rel, null_rel ? "" : "'",
	    null_out ? ", out NULL" : "");
	check_resolve(r, h, h ? r->slot[si].filename : NULL, null_rel ? NULL : rel, null_out);
}

static bool pow2(size_t v)
{
	return v && !(v & (v - 1));
}

/* What the accessors must say about an open handle (OPEN-SIZE-1,
 * OPEN-NAME-1, ALIGN-BUF-1, ALIGN-SAFE-2, ALIGN-ZERO-1). */
static void check_accessors(struct run *r, const struct slot *s)
{
	refstor *h = s->h;
	if (refstor_size(h) != s->size)
		violated(r, "refstor_size() %" PRIu64 ", the model says %" PRIu64, refstor_size(h),
			 s->size);
	const char *f = refstor_filename(h);
	if ((f == NULL) != (s->filename == NULL) || (f && strcmp(f, s->filename)))
		violated(r, "refstor_filename() is '%s', expected '%s' (OPEN-NAME-1)",
			 f ? f : "(NULL)", s->filename ? s->filename : "(NULL)");
	size_t req = refstor_req_align(h), mem = refstor_mem_align(h);
	size_t za = refstor_zero_align(h), da = refstor_discard_align(h);
	if (!s->direct && (req != 1 || mem != 1))
		violated(r, "buffered handle with req_align %zu, mem_align %zu (ALIGN-BUF-1)", req,
			 mem);
	if (!req || !mem)
		violated(r, "req_align %zu, mem_align %zu: zero", req, mem);
	if (!pow2(za) || !pow2(da) || za < req || da < req)
		violated(r, "zero_align %zu, discard_align %zu, req_align %zu (ALIGN-ZERO-1)", za,
			 da, req);
	if (req != s->req_align || mem != s->mem_align)
		violated(r, "alignments changed from %zu/%zu to %zu/%zu", s->req_align,
			 s->mem_align, req, mem);
#ifdef STATX_DIOALIGN
	struct statx stx;
	if (s->direct && !statx(r->raw_fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align &&
	    (req < stx.stx_dio_offset_align || mem < stx.stx_dio_mem_align))
		violated(r, "req_align %zu, mem_align %zu below statx's %u/%u (ALIGN-SAFE-2)", req,
			 mem, stx.stx_dio_offset_align, stx.stx_dio_mem_align);
#endif
}

static void op_accessors(struct run *r)
{
	int si = rd_slot(r);
	refstor *h = handle_of(r, si);
	say(r, "accessors(slot %d%s)", si, h ? "" : " = NULL");
	if (h) {
		check_accessors(r, &r->slot[si]);
	} else if (refstor_size(h) || refstor_filename(h) || refstor_req_align(h) ||
		   refstor_mem_align(h) || refstor_zero_align(h) || refstor_discard_align(h)) {
		violated(r, "an accessor of a NULL handle returned non-zero (BAD-NULL-1)");
	}
	char v[32];
	snprintf(v, sizeof(v), "%d.%d.%d", REFSTOR_VERSION_MAJOR, REFSTOR_VERSION_MINOR,
		 REFSTOR_VERSION_PATCH);
	if (!refstor_version() || strcmp(refstor_version(), v))
		violated(r, "refstor_version() is '%s', the header says %s",
			 refstor_version() ? refstor_version() : "(NULL)", v);
}

/* BAD-NULL-1: every int call with a NULL handle fails with EINVAL, whatever
 * the other arguments; the accessors return 0; close does nothing. */
static void op_null(struct run *r)
{
	uint8_t which = rd8(r) % 14;
	uint64_t a = rd_u64(r, 0), b = rd_u64(r, 0);
	int mode = rd_mode(r);
	uint8_t byte = 0;
	struct iovec iov = {&byte, 1};
	char buf[16];
	char *out = NULL;
	say(r, "NULL handle: call %d (%" PRIu64 ", %" PRIu64 ", mode %d)", which, a, b, mode);
	arm_with(r, which == 7);
	int rc;
	switch (which) {
	case 0:
		rc = refstor_readv(NULL, (a & 1) ? NULL : &iov, (int)b, a);
		break;
	case 1:
		rc = refstor_writev(NULL, (a & 1) ? NULL : &iov, (int)b, a);
		break;
	case 2:
		rc = refstor_read(NULL, &byte, (size_t)(b % 2), a);
		break;
	case 3:
		rc = refstor_write(NULL, &byte, (size_t)(b % 2), a);
		break;
	case 4:
		rc = refstor_write_zeroes(NULL, a, b);
		break;
	case 5:
		rc = refstor_write_allocated_zeroes(NULL, a, b);
		break;
	case 6:
		rc = refstor_discard(NULL, a, b);
		break;
	case 7:
		rc = refstor_flush(NULL);
		break;
	case 8:
		rc = refstor_sync(NULL);
		break;
	case 9:
		rc = refstor_invalidate_cache(NULL);
		break;
	case 10:
		rc = refstor_resize(NULL, a, (enum refstor_prealloc)mode);
		break;
	case 11:
		rc = refstor_describe(NULL, (a & 1) ? NULL : buf, (size_t)(b % sizeof(buf)));
		break;
	case 12:
		rc = refstor_resolve_relative_path(NULL, (a & 1) ? NULL : "x",
						   (b & 1) ? NULL : &out);
		free(out);
		break;
	default:
		refstor_close(NULL);
		return;
	}
	expect_errno(r, rc, EINVAL);
}

/* ------------------------------------------------------------------------ */
/* Operations: opening and closing */

static void slot_close(struct slot *s)
{
	refstor_close(s->h);
	memset(s, 0, sizeof(*s));
}

/* A handle just opened on the main file: record it and check what it says. */
static void slot_opened(struct run *r, struct slot *s, refstor *h, const char *filename,
			bool writable, bool readable, bool direct)
{
	*s = (struct slot){
	    .h = h,
	    .size = r->len, /* OPEN-SIZE-1, ZERO-TRUNC-3 */
	    .writable = writable,
	    .readable = readable,
	    .direct = direct,
	    .req_align = refstor_req_align(h),
	    .mem_align = refstor_mem_align(h),
	    .filename = filename,
	};
	check_accessors(r, s);
}

/* refstor_open() of the main file; OPEN-DIRECT-1 where direct I/O is missing. */
static void open_main(struct run *r, struct slot *s, int spell, bool writable, bool direct,
		      bool relaxed)
{
	const char *path = env.spelling[spell];
	struct refstor_open_opts o = {
	    .path = path, .writable = writable, .direct = direct, .relaxed_sync = relaxed};
	refstor *h = NULL;
	arm(r);
	int rc = refstor_open(&o, &h);
	if (direct && !env.can_direct) {
		expect_errno(r, rc, EINVAL);
		if (!strstr(refstor_last_error(), "direct"))
			violated(
			    r,
			    "the message does not say direct I/O is the problem (OPEN-DIRECT-1)");
		if (h)
			violated(r, "a failed open left a handle (OPEN-DIRECT-1)");
		return;
	}
	expect_ok(r, rc);
	if (!h)
		violated(r, "open returned 0 and no handle");
	slot_opened(r, s, h, path, writable, true, direct);
}

/* refstor_from_fd() of the main file opened with flags (FROMFD-1). */
static void adopt_main(struct run *r, struct slot *s, int flags, bool direct)
{
	int fd = open(env.spelling[SPELL_PLAIN], flags | O_CLOEXEC);
	if (fd < 0)
		fatal("open of the image");
	if (direct && env.can_direct) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0 || fcntl(fd, F_SETFL, fl | O_DIRECT))
			fatal("fcntl O_DIRECT");
	} else {
		direct = false;
	}
	refstor *h = NULL;
	arm(r);
	int rc = refstor_from_fd(fd, &h);
	expect_ok(r, rc);
	if (!h)
		violated(r, "from_fd returned 0 and no handle");
	int acc = flags & O_ACCMODE;
	slot_opened(r, s, h, NULL, acc != O_RDONLY, acc != O_WRONLY, direct);
}

/* create() over the main file (slot 0 is closed): CREATE-*, RESIZE-BAD-1. */
static void create_main(struct run *r, struct slot *s)
{
	int spell = rd8(r) % NSPELL;
	uint8_t flags = rd8(r);
	uint64_t size = rd_u64(r, r->len);
	int mode = rd_mode(r);
	bool overwrite = !(flags & 1), direct = flags & 2;
	/* Sizes: inside the zone, past INT64_MAX (EINVAL), or an ALLOCATE the
	 * private tmpfs cannot hold (ENOSPC at once, nothing allocated). */
	bool nospace = env.own_tmpfs && mode == REFSTOR_PREALLOC_ALLOCATE && env.can_falloc &&
		       size >= (uint64_t)(TMPFS_MB + 1) << 20 && size <= INT64_MAX;
	if (size <= INT64_MAX && !nospace)
		size %= ZONE + 1;
	struct refstor_create_opts o = {
	    .open = {.path = env.spelling[spell], .direct = direct, .relaxed_sync = flags & 4},
	    .size = size,
	    .prealloc = (enum refstor_prealloc)mode,
	    .overwrite = overwrite,
	};
	say(r, "create('%s', size %" PRIu64 ", mode %d %s, overwrite %d, direct %d)",
	    env.spelling[spell], size, mode, refstor_prealloc_name((enum refstor_prealloc)mode),
	    overwrite, direct);
	refstor *h = NULL;
	arm(r);
	int rc = refstor_create(&o, &h);
	if (!mode_valid(mode) || size > INT64_MAX) {
		expect_errno(r, rc, EINVAL); /* before anything: unchanged */
	} else if (!overwrite) {
		expect_errno(r, rc, EEXIST); /* CREATE-EXCL-1: unchanged */
	} else if (direct && !env.can_direct) {
		expect_errno(r, rc, EINVAL);
		model_set_len(r, 0); /* truncated first, then refused */
	} else if (nospace || (size && mode == REFSTOR_PREALLOC_ALLOCATE && !env.can_falloc)) {
		/* CREATE-UNDO-1: the file existed, so it stays, truncated. */
		expect_errno(r, rc, nospace ? ENOSPC : ENOTSUP);
		model_set_len(r, 0);
	} else {
		expect_ok(r, rc);
		if (!h)
			violated(r, "create returned 0 and no handle");
		model_set_len(r, 0); /* CREATE-EXCL-1, CREATE-SIZE-1 */
		r->len = size;
		slot_opened(r, s, h, env.spelling[spell], true, true, direct);
		verify_range(r, 0, size < SAMPLE ? size + 1 : SAMPLE);
		return;
	}
	if (h)
		violated(r, "a failed create left a handle");
}

/* Slot 0: close the main handle, then open it again one of several ways. */
static void op_main(struct run *r)
{
	struct slot *s = &r->slot[0];
	uint8_t k = rd8(r);
	slot_close(s);
	switch (k % 8) {
	case 0:
	case 1:
	case 2: {
		int spell = rd8(r) % NSPELL;
		say(r, "reopen main: open('%s', writable %d, direct %d)", env.spelling[spell],
		    !(k & 8), !!(k & 16));
		open_main(r, s, spell, !(k & 8), k & 16, k & 32);
		break;
	}
	case 3:
		say(r, "reopen main: from_fd(O_RDWR, direct %d)", !!(k & 16));
		adopt_main(r, s, O_RDWR, k & 16);
		break;
	case 4:
		say(r, "reopen main: from_fd(O_RDONLY, direct %d)", !!(k & 16));
		adopt_main(r, s, O_RDONLY, k & 16);
		break;
	case 5:
		say(r, "reopen main: from_fd(O_WRONLY, direct %d)", !!(k & 16));
		adopt_main(r, s, O_WRONLY, k & 16);
		break;
	case 6:
		create_main(r, s);
		break;
	default:
		say(r, "close main");
	}
}

/* Slots 1 and 2: read-only handles on the same file (OPEN-RO-1). */
static void op_ro(struct run *r)
{
	int si = 1 + rd8(r) % 2;
	uint8_t k = rd8(r);
	struct slot *s = &r->slot[si];
	slot_close(s);
	switch (k % 4) {
	case 0:
		say(r, "close slot %d", si);
		break;
	case 1:
	case 2: {
		int spell = (k >> 2) % NSPELL;
		say(r, "slot %d: open('%s', read-only, direct %d)", si, env.spelling[spell],
		    !!(k & 16));
		open_main(r, s, spell, false, k & 16, false);
		break;
	}
	default:
		say(r, "slot %d: from_fd(O_RDONLY, direct %d)", si, !!(k & 16));
		adopt_main(r, s, O_RDONLY, k & 16);
	}
}

static bool exists(const char *path)
{
	struct stat st = {0};
	return !lstat(path, &st);
}

/*
 * create() of a scratch file with a fuzzer-chosen name (control characters,
 * quotes, backslashes: DESC-1's quoting), size and mode; then what a new
 * handle must say, and the file removed again.  A failed create must leave no
 * file behind (CREATE-UNDO-1).
 */
static void op_create(struct run *r)
{
	char name[NAME_MAX_IN + 8], path[PATH_MAX + NAME_MAX_IN + 16];
	uint8_t nl = rd8(r);
	size_t n = nl >= 250 ? 200 + rd8(r) % (NAME_MAX_IN - 200) : nl % 40;
	strcpy(name, "x-");
	for (size_t i = 0; i < n; i++) {
		uint8_t c = rd8(r);
		name[2 + i] = c == '/' || c == '\0' ? (char)('a' + i % 26) : (char)c;
	}
	name[2 + n] = '\0';
	snprintf(path, sizeof(path), "%s/%s", env.dir, name);
	uint8_t flags = rd8(r);
	int mode = rd_mode(r);
	uint64_t size = rd_u64(r, 0);
	bool nospace = env.own_tmpfs && mode == REFSTOR_PREALLOC_ALLOCATE && env.can_falloc &&
		       size >= (uint64_t)(TMPFS_MB + 1) << 20 && size <= INT64_MAX;
	if (size <= INT64_MAX && !nospace)
		size %= (1 << 20) + 1;
	bool direct = flags & 2;
	struct refstor_create_opts o = {
	    .open = {.path = path, .direct = direct, .relaxed_sync = flags & 4},
	    .size = size,
	    .prealloc = (enum refstor_prealloc)mode,
	    .overwrite = flags & 1,
	};
	say(r,
	    "create(scratch name of %zu bytes, size %" PRIu64 ", mode %d %s, overwrite %d, "
	    "direct %d)",
	    2 + n, size, mode, refstor_prealloc_name((enum refstor_prealloc)mode), flags & 1,
	    direct);
	refstor *h = NULL;
	arm(r);
	int rc = refstor_create(&o, &h);
	if (!mode_valid(mode) || size > INT64_MAX)
		expect_errno(r, rc, EINVAL);
	else if (2 + n > NAME_MAX)
		expect_errno(r, rc, ENAMETOOLONG);
	else if (direct && !env.can_direct)
		expect_errno(r, rc, EINVAL);
	else if (nospace || (size && mode == REFSTOR_PREALLOC_ALLOCATE && !env.can_falloc))
		expect_errno(r, rc, nospace ? ENOSPC : ENOTSUP);
	else
		expect_ok(r, rc);
	if (rc) {
		if (h)
			violated(r, "a failed create left a handle");
		if (exists(path))
			violated(r, "a failed create left the file behind (CREATE-UNDO-1)");
		return;
	}
	struct stat st;
	if (!h || stat(path, &st) || (uint64_t)st.st_size != size || refstor_size(h) != size)
		violated(r,
			 "created a file of %" PRIu64 " bytes: handle %p, size %" PRIu64
			 ", length %" PRIu64 " (CREATE-SIZE-1)",
			 size, (void *)h, refstor_size(h), (uint64_t)st.st_size);
	struct slot s = {.h = h,
			 .size = size,
			 .writable = true,
			 .readable = true,
			 .direct = direct,
			 .req_align = refstor_req_align(h),
			 .mem_align = refstor_mem_align(h),
			 .filename = path};
	/* check_accessors compares alignments statx reports for r->raw_fd,
	 * the same filesystem. */
	check_accessors(r, &s);
	size_t an = size < SAMPLE ? (size_t)size : SAMPLE;
	if (an && !(direct && s.req_align > 1)) {
		uint8_t *buf = buf_alloc(an, s.mem_align), *zero = calloc(1, an);
		if (!zero)
			fatal("calloc");
		memset(buf, 0xa5, an);
		arm(r);
		expect_ok(r, refstor_read(h, buf, an, size - an));
		if (memcmp(buf, zero, an))
			violated(r, "a created file does not read as zeroes (CREATE-SIZE-1)");
		free(buf);
		free(zero);
	}
	uint8_t dk = rd8(r), dv = rd8(r); /* in this order: arguments are unsequenced */
	check_describe(r, h, path, dk, dv);
	char rel[8];
	snprintf(rel, sizeof(rel), "s%u", rd8(r));
	check_resolve(r, h, path, rel, false);
	refstor_close(h);
	if (unlink(path))
		violated(r, "removing the created file: %s", strerror(errno));
}

/* The error paths of open, create and from_fd (OPEN-*, CREATE-*, FROMFD-2,
 * ERR-NOTSUP-1).  None of them may leave a handle or change the image. */
static void op_badopen(struct run *r)
{
	static char sentinel_byte;
	refstor *const untouched = (refstor *)(void *)&sentinel_byte;
	refstor *h = untouched;
	uint8_t k = rd8(r), f = rd8(r);
	struct refstor_open_opts o = {.writable = f & 1, .direct = f & 2};
	struct refstor_create_opts c = {.open = o, .overwrite = f & 4, .prealloc = f % 4};
	const char *need = NULL; /* what the message must name */
	int rc, want = EINVAL, fd = -1;
	switch (k % 18) {
	case 0:
		say(r, "open(NULL opts)");
		arm(r);
		rc = refstor_open(NULL, &h);
		break;
	case 1:
		o.path = env.spelling[SPELL_PLAIN];
		say(r, "open(NULL out)");
		arm(r);
		rc = refstor_open(&o, NULL);
		break;
	case 2:
	case 3:
		o.path = k % 18 == 2 ? NULL : "";
		say(r, "open(path %s)", o.path ? "\"\"" : "NULL");
		need = "filename required"; /* OPEN-PATH-1 */
		arm(r);
		rc = refstor_open(&o, &h);
		break;
	case 4:
		o.path = need = env.missing;
		want = ENOENT; /* OPEN-ERRNO-1 */
		say(r, "open(missing, writable %d, direct %d)", o.writable, o.direct);
		arm(r);
		rc = refstor_open(&o, &h);
		break;
	case 5:
		o.path = need = env.subdir;
		want = EISDIR; /* OPEN-ERRNO-1 */
		say(r, "open(directory, writable %d, direct %d)", o.writable, o.direct);
		arm(r);
		rc = refstor_open(&o, &h);
		break;
	case 6:
		say(r, "create(NULL opts)");
		arm(r);
		rc = refstor_create(NULL, &h);
		break;
	case 7:
		c.open.path = env.missing;
		say(r, "create(NULL out)");
		arm(r);
		rc = refstor_create(&c, NULL);
		break;
	case 8:
		c.open.path = f & 8 ? NULL : "";
		need = "filename required";
		say(r, "create(path %s)", c.open.path ? "\"\"" : "NULL");
		arm(r);
		rc = refstor_create(&c, &h);
		break;
	case 9:
		c.open.path = env.spelling[f % NSPELL];
		c.overwrite = false;
		c.size = f & 16 ? 4096 : 0;
		want = EEXIST; /* CREATE-EXCL-1 */
		say(r, "create(the image, no overwrite, direct %d)", c.open.direct);
		arm(r);
		rc = refstor_create(&c, &h);
		break;
	case 10:
		c.open.path = env.subdir;
		want = c.overwrite ? EISDIR : EEXIST;
		say(r, "create(directory, overwrite %d)", c.overwrite);
		arm(r);
		rc = refstor_create(&c, &h);
		break;
	case 11: {
		/* FROMFD-2: negative, or a number that is no open descriptor. */
		fd = f & 1 ? -1 - (int)(f >> 1) : f & 2 ? INT_MIN : 900 + f;
		if (fd >= 0 && fcntl(fd, F_GETFD) >= 0)
			fd = -1;
		want = EBADF;
		say(r, "from_fd(%d)", fd);
		arm(r);
		rc = refstor_from_fd(fd, &h);
		fd = -1;
		break;
	}
	case 12:
		fd = open(env.spelling[SPELL_PLAIN], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			fatal("open of the image");
		say(r, "from_fd(fd, NULL out)");
		arm(r);
		rc = refstor_from_fd(fd, NULL);
		break;
	case 13:
		fd = open(env.subdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			fatal("open of the directory");
		want = EISDIR; /* FROMFD-2 */
		say(r, "from_fd(directory)");
		arm(r);
		rc = refstor_from_fd(fd, &h);
		break;
	case 14: {
		struct stat st;
		if (stat("/dev/null", &st) || !S_ISCHR(st.st_mode))
			return;
		o.path = "/dev/null";
		o.direct = false;
		want = ENOTSUP; /* ERR-NOTSUP-1 */
		say(r, "open(/dev/null, writable %d)", o.writable);
		arm(r);
		rc = refstor_open(&o, &h);
		break;
	}
	case 15:
		c.open.path = env.missing_in;
		c.open.direct = false;
		want = ENOENT;
		say(r, "create(in a missing directory)");
		arm(r);
		rc = refstor_create(&c, &h);
		break;
	case 16: {
		/* Read-only too: refused before open(2) could wait for a writer
		 * (OPEN-TYPE-1), so a hang here is libFuzzer's -timeout. */
		o.path = need = env.fifo;
		want = EINVAL; /* not a regular file or device (OPEN-TYPE-1) */
		say(r, "open(FIFO, writable %d, direct %d)", o.writable, o.direct);
		arm(r);
		rc = refstor_open(&o, &h);
		break;
	}
	default: {
		int p[2];
		if (pipe2(p, O_CLOEXEC))
			fatal("pipe2");
		close(p[1]);
		fd = p[0];
		say(r, "from_fd(pipe)");
		arm(r);
		rc = refstor_from_fd(fd, &h);
	}
	}
	expect_errno(r, rc, want);
	if (need && !strstr(refstor_last_error(), need))
		violated(r, "the message does not name '%s' (OPEN-PATH-1, OPEN-ERRNO-1)", need);
	if (h != untouched && h != NULL) {
		refstor_close(h);
		violated(r, "a failed open left a handle (OPEN-PATH-1)");
	}
	if (fd >= 0) {
		/* FROMFD-2: the caller still owns the descriptor. */
		if (fcntl(fd, F_GETFD) < 0)
			violated(r, "a failed from_fd closed the caller's descriptor (FROMFD-2)");
		close(fd);
	}
	struct stat st;
	if (stat(env.subdir, &st) || !S_ISDIR(st.st_mode) || exists(env.missing) ||
	    exists(env.missing_in))
		violated(r, "a failed open or create changed the directory");
}

static void op_verify(struct run *r)
{
	say(r, "verify the whole file");
	verify_range(r, 0, r->len + 1);
}

static const struct {
	void (*fn)(struct run *r);
} ops[] = {
    {op_read},
    {op_readv},
    {op_write},
    {op_writev},
    {op_write_zeroes},
    {op_discard},
    {op_allocated_zeroes},
    {op_resize},
    {op_sync},
    {op_describe},
    {op_resolve},
    {op_accessors},
    {op_null},
    {op_main},
    {op_ro},
    {op_create},
    {op_badopen},
    {op_verify},
};

/* ------------------------------------------------------------------------ */
/* Set-up and the entry points */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void remove_fallback_dir(void)
{
	if (env.remove_dir)
		nftw(env.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* A tmpfs of our own on "<binary>.tmpfs", in a mount namespace of our own
 * whose mounts do not propagate: it disappears with the process, however
 * the process ends.  Returns why not, or NULL. */
static const char *private_tmpfs(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 16);
	if (n <= 0)
		return "cannot read /proc/self/exe";
	exe[n] = '\0';
	snprintf(env.dir, sizeof(env.dir), "%s.tmpfs", exe);
	if (unshare(CLONE_NEWNS))
		return errno == EPERM ? "no privilege for a mount namespace (needs root)"
				      : "unshare(CLONE_NEWNS) failed";
	/* Without this a mount below a shared "/" would show on the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return "cannot make / private in the new namespace";
	/* The mount point stays, empty, next to the binary in the build tree. */
	if (mkdir(env.dir, 0700) && errno != EEXIST)
		return "cannot make the mount point";
	char opts[64];
	snprintf(opts, sizeof(opts), "size=%dm,mode=0700", TMPFS_MB);
	if (mount("refstor-fuzz", env.dir, "tmpfs", MS_NOSUID | MS_NODEV, opts))
		return "cannot mount tmpfs";
	return NULL;
}

static bool unsupported(int e)
{
	return e == EOPNOTSUPP || e == ENOTSUP || e == ENODEV || e == ENXIO || e == ENOTTY;
}

/* What the backend can do, asked of the kernel (conformance/backend.h; docs/spec.md:
 * a clause that depends on the kernel is checked against the kernel itself).  A
 * "no" for another reason than "unsupported" is a broken environment. */
static void probe_backend(void)
{
	struct rs_backend b;
	if (rs_backend_probe(&b, env.dir, RS_PROBE_ALL)) {
		fprintf(stderr, "refstor-fuzz: probing %s: %s\n", env.dir, b.why);
		abort();
	}
	const struct rs_cap *caps[] = {&b.punch, &b.zero_range, &b.allocate};
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!caps[i]->ok && !unsupported(caps[i]->err)) {
			fprintf(stderr, "refstor-fuzz: %s\n", caps[i]->why);
			abort();
		}
	env.can_punch = b.punch.ok;
	env.can_zero_range = b.zero_range.ok;
	env.can_falloc = b.allocate.ok;
	env.can_direct = b.direct.ok;
	rs_backend_summary(&b, RS_PROBE_ALL, env.caps, sizeof(env.caps));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	env.trace = getenv("REFSTOR_FUZZ_TRACE") && *getenv("REFSTOR_FUZZ_TRACE") != '0';
	const char *why = private_tmpfs();
	env.own_tmpfs = !why;
	if (why) {
		const char *tmp = getenv("TMPDIR");
		snprintf(env.dir, sizeof(env.dir), "%s/refstor-fuzz.XXXXXX",
			 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(env.dir))
			fatal("mkdtemp");
		env.remove_dir = true;
		atexit(remove_fallback_dir);
		fprintf(stderr,
			"refstor-fuzz: %s: no private tmpfs; using %s instead (removed at exit, "
			"left behind if killed; allocations past %d MiB are not tried)\n",
			why, env.dir, ZONE >> 20);
	}
	static const char *const fmt[NSPELL] = {"%s/main.img", "%s//main.img", "%s/./main.img",
						"%s/d/../main.img"};
	for (int i = 0; i < NSPELL; i++)
		snprintf(env.spelling[i], sizeof(env.spelling[i]), fmt[i], env.dir);
	snprintf(env.subdir, sizeof(env.subdir), "%s/d", env.dir);
	snprintf(env.missing, sizeof(env.missing), "%s/no-such-file", env.dir);
	snprintf(env.missing_in, sizeof(env.missing_in), "%s/no-such-dir/img", env.dir);
	snprintf(env.fifo, sizeof(env.fifo), "%s/fifo", env.dir);
	if (mkdir(env.subdir, 0700) && errno != EEXIST)
		fatal("mkdir");
	if (mkfifo(env.fifo, 0600) && errno != EEXIST)
		fatal("mkfifo");
	probe_backend();
	env.guard = mmap(NULL, GUARD_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (env.guard == MAP_FAILED)
		fatal("mmap");
	fprintf(stderr, "refstor-fuzz: %s %s: %s\n", env.own_tmpfs ? "private tmpfs" : "directory",
		env.dir, env.caps);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r = {.in = data, .left = size, .raw_fd = -1};
	/* Straight from the kernel: zeroed, and no allocator quarantine. */
	r.bytes = mmap(NULL, ZONE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r.bytes == MAP_FAILED)
		fatal("mmap");
	int fd = open(env.spelling[SPELL_PLAIN], O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		fatal("creating the image");
	close(fd);
	r.raw_fd = open(env.spelling[SPELL_PLAIN], O_RDONLY | O_CLOEXEC);
	if (r.raw_fd < 0)
		fatal("opening the image");
	say(&r, "open the empty image");
	open_main(&r, &r.slot[0], SPELL_PLAIN, true, false, false);

	while (r.left && r.opno < MAX_OPS) {
		r.opno++;
		ops[rd8(&r) % (sizeof(ops) / sizeof(ops[0]))].fn(&r);
		post_op(&r);
	}

	r.opno++;
	say(&r, "end of input: verify the whole file, close every handle");
	verify_range(&r, 0, r.len + 1);
	for (int i = 0; i < NSLOTS; i++)
		slot_close(&r.slot[i]);
	close(r.raw_fd);
	munmap(r.bytes, ZONE);
	return 0;
}
