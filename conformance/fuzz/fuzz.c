/* SPDX-License-Identifier: MIT */
/*
 * fuzz.c - refstor-fuzz: a libFuzzer front end for any implementation of
 * the ABI (docs/fuzz.md).  It only decodes: an input is a sequence of ops,
 * each an opcode byte and its arguments (an input that runs out reads as zero
 * bytes, so every input is a program), decoded into refstor-fsx's ops, which
 * fsx's executor runs on the implementation (REFSTOR_FUZZ_IMPL, else the
 * reference this binary was built with) and judges by conformance/model.h.
 * What only the fuzzer makes: NULL and overflowing arguments, iovecs that are
 * NULL, unmapped or one byte off, invalid modes, extra read-only handles,
 * describe and resolve_relative_path.  A mismatch prints the ops, writes
 * them as an fsx log that refstor-fsx --replay runs, and aborts, so
 * libFuzzer keeps the input.  The image lives in REFSTOR_FUZZ_TARGET (a
 * directory, or a block device: its first CAP bytes), opened O_DIRECT with
 * REFSTOR_FUZZ_DIRECT=1.  Valid ranges stay below CAP, where the model
 * tracks bytes; hostile ones end past INT64_MAX.
 */
#include "../calls.h"
#include "../fsx/fsx.h"
#include "../names.h"
#include "../watch.h"

#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

enum { CAP = 128 << 10, MAX_OPS = 48, BIG_IOV = 1025, SLOTS = MODEL_HANDLES };

/* The opcode byte's meaning, in the order the checked-in corpus was written
 * for (the model's kinds, then naming and recreate; create and remove, which
 * recreate does, read as size). */
static const enum fsx_kind opcodes[] = {
    OP_READ,       OP_WRITE, OP_ZEROES, OP_DISCARD, OP_ALLOC, OP_RESIZE, OP_FLUSH,  OP_SYNC,
    OP_INVALIDATE, OP_SIZE,  OP_REOPEN, OP_CLOSE,   OP_SIZE,  OP_SIZE,   OP_NAMING, OP_RECREATE};

static struct {
	struct fsx_conf c;
	struct fsx_seq seq; /* the current input's ops, for reports */
	double t0;          /* when fuzzing began, for "found after" */
	struct rs_watch watch;
} g;

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	return in->n ? (in->n--, *in->p++) : 0;
}

static uint64_t u16(struct in *in)
{
	return u8(in) | (uint64_t)u8(in) << 8;
}

/* A number: small, aligned, near CAP, or hostile (near or past INT64_MAX). */
static uint64_t num(struct in *in)
{
	static const uint64_t bad[] = {INT64_MAX,  (uint64_t)INT64_MAX + 1,
				       UINT64_MAX, INT64_MAX - 1,
				       1ull << 62, UINT64_MAX - 4095};
	switch (u8(in) % 6) {
	case 0:
		return u8(in);
	case 1:
		return u16(in) % (CAP + 1);
	case 2:
		return u16(in) % (CAP / 512 + 1) * 512;
	case 3:
		return u16(in) % (CAP / 4096 + 1) * 4096;
	case 4:
		return CAP - u8(in) * 512;
	default:
		return bad[u8(in) % (sizeof(bad) / sizeof(bad[0]))];
	}
}

/* A range is inside [0, CAP], or its end passes INT64_MAX (refused: no
 * valid call may reach bytes the model does not track). */
static void fit(uint64_t *off, uint64_t *len)
{
	if (*off <= CAP && *len <= CAP - *off)
		return;
	if (*off <= CAP && *len <= CAP)
		*len = CAP - *off;
	else if (*off <= INT64_MAX && *len && *len <= INT64_MAX - *off)
		*len = INT64_MAX - *off + 1;
	else if (*off <= INT64_MAX && !*len)
		*off = (uint64_t)INT64_MAX + 1;
}

static int slot_of(struct in *in)
{
	uint8_t b = u8(in);
	return b < 200 ? 0 : b < 250 ? 1 + b % 3 : MODEL_NULL_HANDLE;
}

/* read, write: up to four iovecs of any length, NULL or misplaced; a long
 * vector of one-byte iovecs (what IOV_MAX splitting must keep in order); a
 * NULL array with a count; a negative count. */
static void decode_iov(struct in *in, struct fsx_op *op)
{
	uint8_t shape = u8(in);
	int n = shape % 8 == 7 ? BIG_IOV + u8(in) % 2 : shape % 5;
	if (shape == 0xff)
		n = -1 - u8(in);
	op->off = num(in);
	op->niov = n;
	op->seed = (uint32_t)u16(in);
	uint8_t misal = shape & 0x40 ? u8(in) : 0;
	if ((op->iov_null = shape == 0xfe || n <= 0))
		return;
	op->iov = calloc((size_t)n, sizeof(*op->iov));
	op->at = calloc((size_t)n, 1);
	uint64_t total = 0, real = 0; /* real: the bytes in buffers */
	for (int i = 0; i < n; i++) {
		uint8_t how = n > 4 ? 0 : u8(in);
		uint64_t len = n > 4 ? 1 : how == 0xff ? (uint64_t)INT64_MAX + 1 : num(in);
		if (len <= CAP && real + len > CAP)
			len = CAP - real;
		real += len <= CAP ? len : 0;
		op->iov[i] = len;
		op->at[i] = how == 0xfe               ? AT_NULL
			    : len > CAP               ? AT_GUARD
			    : i < 8 && misal >> i & 1 ? AT_PLUS1
						      : AT_ALIGNED;
		total = len > UINT64_MAX - total ? UINT64_MAX : total + len;
	}
	op->len = total;
	if (total > CAP && op->off <= INT64_MAX && total <= INT64_MAX - op->off)
		op->off = INT64_MAX - total + 1; /* a hostile length stays refused */
	else if (total <= CAP && op->off > CAP && op->off <= INT64_MAX && total)
		op->off = INT64_MAX - total + 1 + u8(in) % 2;
	else if (total <= CAP && op->off <= CAP && total > CAP - op->off)
		op->off = CAP - total;
}

static void decode(struct in *in, struct fsx_op *op)
{
	*op = (struct fsx_op){.kind = opcodes[u8(in) % (sizeof(opcodes) / sizeof(opcodes[0]))]};
	op->handle = slot_of(in);
	switch (op->kind) {
	case OP_READ:
	case OP_WRITE:
		decode_iov(in, op);
		break;
	case OP_ZEROES:
	case OP_DISCARD:
	case OP_ALLOC:
		op->off = num(in);
		op->len = num(in);
		fit(&op->off, &op->len);
		break;
	case OP_RESIZE:
	case OP_RECREATE:
		op->off = num(in);
		if (op->off > CAP && op->off <= INT64_MAX)
			op->off = CAP;
		op->mode = u8(in) % 6 - 1; /* -1 and 4: invalid modes */
		if (op->handle > 0 && (op->mode < 0 || op->mode >= REFSTOR_PREALLOC_MODES))
			op->mode = REFSTOR_PREALLOC_NONE;
		op->keep = !(u8(in) & 1);
		op->overwrite = op->keep && (u8(in) & 1);
		if (op->kind == OP_RESIZE)
			op->keep = op->overwrite = false;
		else
			op->handle = 0;
		break;
	case OP_REOPEN:
	case OP_CLOSE:
		op->handle = u8(in) % (SLOTS + 1);
		op->handle = op->handle == SLOTS ? MODEL_NULL_HANDLE : op->handle;
		break;
	case OP_NAMING:
		op->dlen = u8(in) % 80;
		for (size_t i = 0; i + 1 < sizeof(op->rel) && (op->rel[i] = (char)u8(in)); i++)
			;
		break;
	default:
		break;
	}
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* The ops on stderr and as an fsx log, then abort: libFuzzer keeps the
 * input. */
static _Noreturn void finding(const char *what)
{
	const char *dir = getenv("REFSTOR_FUZZ_OUT") ? getenv("REFSTOR_FUZZ_OUT") : ".";
	char path[4200];
	snprintf(path, sizeof(path), "%s/fuzz-%d.fsx.log", dir, (int)getpid());
	fprintf(stderr, "fuzz: MISMATCH after %.1f s, at op %zu on %s%s: %s\nfuzz: the ops:\n",
		now() - g.t0, g.seq.n, g.c.target, g.c.direct ? " (direct)" : "", what);
	FILE *o = fopen(path, "w");
	if (o)
		fsx_log_header(o, &g.c);
	for (size_t i = 0; i < g.seq.n; i++) {
		fsx_log_op(stderr, i + 1, &g.seq.ops[i]);
		if (o)
			fsx_log_op(o, i + 1, &g.seq.ops[i]);
	}
	if (o && !fclose(o))
		fprintf(stderr, "fuzz: reproducer: refstor-fsx --replay %s --impl %s --target %s\n",
			path, g.c.impl_path, g.c.target);
	abort();
}

/* The watchdog's verdict (watch.h): a hung call is a finding. */
static void hung(const char *call, double limit)
{
	char what[160];
	snprintf(what, sizeof(what), "HUNG: %s did not return within %.0f s", call, limit);
	finding(what);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[1024];
	const char *t = getenv("REFSTOR_FUZZ_TIMEOUT");
	struct fsx_conf *c = &g.c;
	c->impl_path = getenv("REFSTOR_FUZZ_IMPL") ? getenv("REFSTOR_FUZZ_IMPL") : REFSTOR_REF_SO;
	c->target = getenv("REFSTOR_FUZZ_TARGET") ? getenv("REFSTOR_FUZZ_TARGET")
		    : getenv("TMPDIR")            ? getenv("TMPDIR")
						  : "/tmp";
	c->direct = getenv("REFSTOR_FUZZ_DIRECT") && !strcmp(getenv("REFSTOR_FUZZ_DIRECT"), "1");
	c->backend = "fuzz";
	c->profile =
	    getenv("REFSTOR_FUZZ_PROFILE") && !strcmp(getenv("REFSTOR_FUZZ_PROFILE"), "keep-length")
		? REFSTOR_PROFILE_KEEP_LENGTH
		: REFSTOR_PROFILE_IMAGO;
	c->max_size = CAP;
	struct rs_impl *impl = rs_impl_load(c->impl_path, err, sizeof(err));
	if (!impl || fsx_conf_probe(c, err, sizeof(err)) || c->max_size < CAP) {
		fprintf(stderr, "fuzz: %s\n",
			c->max_size < CAP ? "the device is smaller than the fuzzer's range" : err);
		exit(2);
	}
	c->impl = rs_calls_wrap(impl, &g.watch, c->profile);
	char caps[512];
	rs_backend_summary(&c->be, RS_PROBE_ALL, caps, sizeof(caps));
	fprintf(stderr, "fuzz: %s on %s%s: %s\n", c->impl_path, c->target,
		c->direct ? " (direct)" : "", caps);
	g.t0 = now();
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed CI script takes the fuzzer along */
	if (rs_watchdog_start(&g.watch, t ? atof(t) : 20, hung))
		exit(2);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* As refstor-fsx starts: an empty sparse file, or the device's range
	 * zeroed, with a writable handle in slot 0. */
	struct fsx_run r;
	struct in in = {data, size};
	fsx_seq_free(&g.seq);
	if (fsx_start(&r, &g.c))
		finding(r.why);
	while (in.n && g.seq.n < MAX_OPS) {
		struct fsx_op op;
		decode(&in, &op);
		fsx_seq_push(&g.seq, &op);
		fsx_op_free(&op);
		if (fsx_step(&r, &g.seq.ops[g.seq.n - 1]))
			finding(r.why);
	}
	fsx_stop(&r);
	return 0;
}
