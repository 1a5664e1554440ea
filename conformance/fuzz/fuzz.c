/* SPDX-License-Identifier: MIT */
/*
 * fuzz.c - refstor-fuzz: a libFuzzer front end on conformance/model.h, for
 * any implementation of the ABI (docs/fuzz.md).
 *
 * The input is a sequence of ops, each an opcode byte and its arguments; an
 * input that runs out reads as zero bytes, so every input is a program.  Each
 * op runs on the implementation (REFSTOR_FUZZ_IMPL, else the reference this
 * binary was built with) and on the model; the return value, the bytes read,
 * refstor_size() of every open handle and the image itself through raw
 * syscalls are held to it (judge.h, as refstor-fsx does).  A mismatch prints
 * the ops and aborts, so libFuzzer keeps the input; where every op maps onto
 * one of refstor-fsx's, an fsx log is written too.  The image lives in
 * REFSTOR_FUZZ_TARGET (a directory, or a block device: its first CAP bytes),
 * opened O_DIRECT with REFSTOR_FUZZ_DIRECT=1.  Valid ranges stay below CAP,
 * where the model tracks bytes; hostile ones end past INT64_MAX.
 */
#include "../backend.h"
#include "../calls.h"
#include "../fsx/fsx.h"
#include "../judge.h"
#include "../model.h"
#include "../names.h"

#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { CAP = 128 << 10, MAX_OPS = 48, POOL = 8192, BIG_IOV = 1025, SLOTS = MODEL_HANDLES };
enum { K_NAMING = MODEL_KINDS, K_RECREATE, K_OPS }; /* ops of the fuzzer's own */

/* One decoded op: the model's, plus what the front end needs to run it. */
struct fop {
	struct model_op m;
	int kind;      /* enum model_kind, K_NAMING or K_RECREATE */
	bool remove;   /* K_RECREATE: unlink first */
	uint32_t seed; /* write: the data (fsx_fill, as refstor-fsx's logs say) */
	uint8_t misal; /* read, write: iovecs whose base is one byte off */
	char rel[16];  /* K_NAMING: the relative path to resolve */
	uint8_t dlen;  /* K_NAMING: describe's buffer length */
};

static struct {
	const struct rs_impl *impl;
	const char *impl_path, *target;
	struct model_backend be;
	bool direct;
	char path[4096];
	uint8_t *buf, *data, *scratch, *guard;
	size_t buflen;
	double timeout, t0; /* t0: when fuzzing began, for "found after" */
	struct rs_watch watch;
	/* The current input, for reports (also from the watchdog). */
	struct fop ops[MAX_OPS];
	struct model_iov pool[POOL];
	uint8_t tag[POOL]; /* pool[i]'s buffer: 0 in g.buf, 1 NULL, 2 the guard */
	int nops, npool;
	refstor *s[SLOTS];
	struct model_state m;
	char why[4096], token[64];
	const char *clause; /* what the model took for the current op */
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

static void decode(struct in *in, struct fop *f)
{
	memset(f, 0, sizeof(*f));
	struct model_op *m = &f->m;
	f->kind = u8(in) % K_OPS;
	m->kind = f->kind < MODEL_KINDS ? (enum model_kind)f->kind : MODEL_SIZE;
	m->handle = slot_of(in);
	m->writable = m->handle == 0;
	m->direct = g.direct;
	switch (f->kind) {
	case MODEL_READ:
	case MODEL_WRITE: {
		uint8_t shape = u8(in);
		int n = shape % 8 == 7 ? BIG_IOV + u8(in) % 2 : shape % 5;
		if (shape == 0xff)
			n = -1 - u8(in); /* a negative iovcnt */
		m->off = num(in);
		m->iovcnt = n;
		f->seed = (uint32_t)u16(in);
		f->misal = shape & 0x40 ? u8(in) : 0;
		if (shape == 0xfe || n <= 0 || g.npool + n > POOL)
			break; /* shape 0xfe: a NULL array with a count */
		struct model_iov *iov = g.pool + g.npool;
		g.npool += n;
		m->iov = iov;
		uint64_t total = 0, real = 0; /* real: the bytes in buffers */
		for (int i = 0; i < n; i++) {
			uint8_t how = n > 4 ? 0 : u8(in);
			/* A long vector: one byte each (what IOV_MAX splitting
			 * must keep in order). */
			iov[i].len = n > 4         ? UINT64_C(1)
				     : how == 0xff ? (uint64_t)INT64_MAX + 1
						   : num(in);
			if (iov[i].len <= CAP && real + iov[i].len > CAP)
				iov[i].len = CAP - real;
			real += iov[i].len <= CAP ? iov[i].len : 0;
			/* NULL, or (behind a hostile length) no memory at all */
			g.tag[g.npool - n + i] = how == 0xfe ? 1 : iov[i].len > CAP ? 2 : 0;
			total = iov[i].len > UINT64_MAX - total ? UINT64_MAX : total + iov[i].len;
		}
		if (total > CAP && m->off <= INT64_MAX && total <= INT64_MAX - m->off)
			m->off = INT64_MAX - total + 1; /* a hostile length stays refused */
		else if (total <= CAP && m->off > CAP && m->off <= INT64_MAX && total)
			m->off = INT64_MAX - total + 1 + u8(in) % 2;
		else if (total <= CAP && m->off <= CAP && total > CAP - m->off)
			m->off = CAP - total;
		break;
	}
	case MODEL_WRITE_ZEROES:
	case MODEL_DISCARD:
	case MODEL_WRITE_ALLOCATED_ZEROES:
		m->off = num(in);
		m->len = num(in);
		fit(&m->off, &m->len);
		break;
	case MODEL_RESIZE:
	case K_RECREATE:
		m->off = num(in);
		if (m->off > CAP && m->off <= INT64_MAX)
			m->off = CAP;
		m->mode = u8(in) % 6 - 1; /* -1 and 4: invalid modes */
		if (m->handle > 0 && (m->mode < 0 || m->mode >= REFSTOR_PREALLOC_MODES))
			m->mode = REFSTOR_PREALLOC_NONE;
		f->remove = u8(in) & 1;
		m->overwrite = !f->remove && (u8(in) & 1);
		break;
	case MODEL_OPEN:
	case MODEL_CLOSE:
		m->handle = u8(in) % (SLOTS + 1);
		m->handle = m->handle == SLOTS ? MODEL_NULL_HANDLE : m->handle;
		m->writable = m->handle == 0;
		break;
	case MODEL_CREATE:
	case MODEL_REMOVE:
		f->kind = m->kind = MODEL_SIZE; /* K_RECREATE does these, keeping slots sane */
		break;
	case K_NAMING:
		f->dlen = u8(in) % 80;
		for (size_t i = 0; i + 1 < sizeof(f->rel) && (f->rel[i] = (char)u8(in)); i++)
			;
		break;
	default:
		break;
	}
}

static refstor *h_of(int slot)
{
	return slot >= 0 && slot < SLOTS ? g.s[slot] : NULL;
}

static void show_op(FILE *o, int i, const struct fop *f)
{
	const struct model_op *m = &f->m;
	const char *name = f->kind == K_NAMING     ? "naming"
			   : f->kind == K_RECREATE ? "recreate"
						   : model_kind_name(m->kind);
	fprintf(o, "  %d %s h=%d off=%" PRIu64 " len=%" PRIu64 " mode=%d", i + 1, name, m->handle,
		m->off, m->len, m->mode);
	if (m->kind == MODEL_READ || m->kind == MODEL_WRITE) {
		fprintf(o, " iovcnt=%d%s misal=%u seed=%u iov=", m->iovcnt, m->iov ? "" : "(NULL)",
			f->misal, f->seed);
		for (int k = 0; m->iov && k < m->iovcnt && k < 8; k++)
			fprintf(
			    o, "%s%" PRIu64 "%s", k ? "," : "", m->iov[k].len,
			    (const char *[]){"", "(NULL)", "(guard)"}[g.tag[m->iov - g.pool + k]]);
	}
	if (f->kind == K_RECREATE)
		fprintf(o, " remove=%d overwrite=%d", f->remove, m->overwrite);
	fputc('\n', o);
}

/* The ops as refstor-fsx's log, when each maps onto an fsx op or changes
 * nothing fsx would see (size, invalidate_cache, naming, read-only slots). */
static bool as_fsx(const struct fop *f, struct fsx_op *x)
{
	const struct model_op *m = &f->m;
	static const int kinds[MODEL_KINDS] = {[MODEL_READ] = OP_READ,
					       [MODEL_WRITE] = OP_WRITE,
					       [MODEL_WRITE_ZEROES] = OP_ZEROES,
					       [MODEL_DISCARD] = OP_DISCARD,
					       [MODEL_WRITE_ALLOCATED_ZEROES] = OP_ALLOC,
					       [MODEL_RESIZE] = OP_RESIZE,
					       [MODEL_FLUSH] = OP_FLUSH,
					       [MODEL_SYNC] = OP_SYNC,
					       [MODEL_OPEN] = OP_REOPEN,
					       [MODEL_SIZE] = -1,
					       [MODEL_INVALIDATE_CACHE] = -1,
					       [MODEL_CLOSE] = -2};
	*x = (struct fsx_op){.off = m->off, .len = m->len, .mode = m->mode, .seed = f->seed};
	if (f->kind == K_NAMING || (m->handle > 0 && m->kind != MODEL_OPEN))
		return x->kind = OP_KINDS, true; /* nothing fsx would see */
	if (f->kind == K_RECREATE) {
		x->kind = OP_RECREATE;
		return f->remove && m->mode >= 0 && m->mode < REFSTOR_PREALLOC_MODES;
	}
	if (m->handle < 0 || kinds[m->kind] == -2 || (m->kind == MODEL_OPEN && m->handle))
		return false; /* NULL handles, bare closes, extra handles: the crash file */
	x->kind = kinds[m->kind] < 0 ? OP_KINDS : (enum fsx_kind)kinds[m->kind];
	if (m->kind == MODEL_RESIZE && (m->mode < 0 || m->mode >= REFSTOR_PREALLOC_MODES))
		return false;
	if (m->kind != MODEL_READ && m->kind != MODEL_WRITE)
		return true;
	if (!m->iov || m->iovcnt <= 0 || (f->misal && g.direct))
		return false;
	x->niov = m->iovcnt;
	x->iov = calloc((size_t)m->iovcnt, sizeof(*x->iov));
	for (int k = 0; k < m->iovcnt; k++) {
		if (g.tag[m->iov - g.pool + k] || m->iov[k].len > CAP)
			return false;
		x->iov[k] = (uint32_t)m->iov[k].len;
		x->len += m->iov[k].len;
	}
	return true;
}

static void reproducer(void)
{
	struct fsx_conf c = {.impl_path = g.impl_path,
			     .target = g.target,
			     .backend = "fuzz",
			     .direct = g.direct,
			     .max_size = CAP};
	char path[4200];
	snprintf(path, sizeof(path), "%s/fuzz-%d.fsx.log",
		 getenv("REFSTOR_FUZZ_OUT") ? getenv("REFSTOR_FUZZ_OUT") : ".", (int)getpid());
	FILE *o = fopen(path, "w");
	if (!o)
		return;
	fsx_log_header(o, &c);
	size_t n = 0;
	bool ok = true;
	for (int i = 0; i < g.nops && ok; i++) {
		struct fsx_op x;
		ok = as_fsx(&g.ops[i], &x);
		if (ok && x.kind != OP_KINDS)
			fsx_log_op(o, ++n, &x);
		free(x.iov);
	}
	fclose(o);
	if (!ok) {
		unlink(path);
		fprintf(stderr, "fuzz: no fsx log (an op fsx has not); reproduce with the crash "
				"input\n");
	} else
		fprintf(stderr, "fuzz: reproducer: refstor-fsx --replay %s --impl %s\n", path,
			g.impl_path);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static _Noreturn void finding(const char *what)
{
	fprintf(stderr, "fuzz: MISMATCH after %.1f s, at op %d on %s%s: %s\nfuzz: the ops:\n",
		now() - g.t0, g.nops, g.target, g.direct ? " (direct)" : "", what);
	for (int i = 0; i < g.nops; i++)
		show_op(stderr, i, &g.ops[i]);
	reproducer();
	abort();
}

/* The watchdog's verdict (watch.h): a hung call is a finding. */
static void hung(const char *call, double limit)
{
	char what[160];
	snprintf(what, sizeof(what), "HUNG: %s did not return within %.0f s", call, limit);
	finding(what);
}

/* The storage against a state: every open handle's size, then the image. */
static int check(void *ctx, const struct model_state *m, char *why, size_t len)
{
	(void)ctx;
	for (int i = 0; i < SLOTS; i++)
		if (g.s[i] && m->h[i].open && g.impl->size(g.s[i]) != m->h[i].size) {
			snprintf(why, len,
				 "refstor_size() of handle %d is %" PRIu64
				 ", the model says %" PRIu64,
				 i, g.impl->size(g.s[i]), m->h[i].size);
			return -1;
		}
	struct judge_target t = {g.path, g.be.is_dev, CAP, g.scratch};
	return judge_physical(&t, m, why, len);
}

static const char *msg(void)
{
	const char *s = g.impl->last_error();
	return s ? s : "";
}

/* Judge ret, and keep the clause the model took: a later mismatch of the
 * storage names it. */
static void judge(const struct model_op *m, int ret, const char *what)
{
	struct model_expect ex;
	struct model_outcome took;
	model_expect(&g.m, m, &ex);
	if (judge_op(&g.m, m, &ex, ret, what, msg(), g.token, check, NULL, &took, g.why,
		     sizeof(g.why)))
		finding(g.why);
	g.clause = took.clause;
}

static void aligns(int slot)
{
	refstor *s = h_of(slot);
	if (s)
		model_set_aligns(&g.m, slot, g.impl->req_align ? g.impl->req_align(s) : 1,
				 g.impl->mem_align ? g.impl->mem_align(s) : 1,
				 g.impl->zero_align ? g.impl->zero_align(s) : 1,
				 g.impl->discard_align ? g.impl->discard_align(s) : 1);
}

static void close_slot(int slot)
{
	struct model_op m = {.kind = MODEL_CLOSE, .handle = slot};
	g.impl->close(h_of(slot));
	if (slot >= 0)
		g.s[slot] = NULL;
	judge(&m, 0, "close");
}

static void open_slot(struct model_op *m)
{
	if (m->handle >= 0 && g.s[m->handle])
		close_slot(m->handle);
	struct refstor_open_opts o = {.path = g.path, .writable = m->writable, .direct = g.direct};
	judge(m, g.impl->open(&o, m->handle >= 0 ? &g.s[m->handle] : NULL), "open");
	aligns(m->handle);
}

/* create as refstor-fsx does it (plain calls and an open without create). */
static int create(uint64_t size, int mode, bool overwrite)
{
	if (g.impl->create) {
		struct refstor_create_opts o = {
		    .open = {.path = g.path, .writable = true, .direct = g.direct},
		    .size = size,
		    .prealloc = (enum refstor_prealloc)mode,
		    .overwrite = overwrite};
		return g.impl->create(&o, &g.s[0]);
	}
	int fd = open(g.path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (size && ftruncate(fd, (off_t)size)))
		return -1;
	close(fd);
	struct refstor_open_opts o = {.path = g.path, .writable = true, .direct = g.direct};
	return g.impl->open(&o, &g.s[0]);
}

static void recreate(struct fop *f)
{
	for (int i = 0; i < SLOTS; i++)
		if (g.s[i] || g.m.h[i].open)
			close_slot(i);
	struct model_op m = f->m;
	m.handle = 0;
	m.writable = true;
	m.direct = g.direct;
	if (g.be.is_dev) {
		m.kind = MODEL_OPEN;
		open_slot(&m);
		return;
	}
	if (f->remove) {
		unlink(g.path);
		struct model_op rm = {.kind = MODEL_REMOVE};
		judge(&rm, 0, "remove");
	}
	m.kind = MODEL_CREATE;
	judge(&m, create(m.off, m.mode, m.overwrite), "create");
	if (!g.s[0] && f->remove && m.mode >= 0 && m.mode < REFSTOR_PREALLOC_MODES) {
		m.mode = REFSTOR_PREALLOC_NONE; /* refstor-fsx goes on with a sparse file */
		judge(&m, create(m.off, m.mode, false), "create");
	}
	aligns(0);
}

static void naming(struct fop *f)
{
	refstor *s = h_of(f->m.handle);
	char buf[80], *out = NULL;
	if (g.impl->describe)
		g.impl->describe(s, f->dlen ? buf : NULL, f->dlen);
	if (g.impl->resolve_relative_path && !g.impl->resolve_relative_path(s, f->rel, &out))
		free(out);
	if (g.impl->filename)
		g.impl->filename(s);
}

/* Lay the iovecs out in g.buf at the handle's mem_align (plus misal). */
static int io(struct fop *f)
{
	struct model_op *m = &f->m;
	static struct iovec iov[BIG_IOV + 1];
	refstor *s = h_of(m->handle);
	uint64_t mem = m->handle >= 0 && g.m.h[m->handle].open ? g.m.h[m->handle].mem_align : 1;
	size_t pos = 0, n = m->iov ? (size_t)m->iovcnt : 0;
	size_t real = 0;
	for (size_t i = 0; i < n; i++)
		real += g.tag[&m->iov[i] - g.pool] ? 0 : m->iov[i].len;
	fsx_fill(g.data, real, f->seed);
	m->data = g.data;
	for (size_t i = 0, done = 0; i < n; i++) {
		pos = (pos + mem - 1) / mem * mem + (i < 8 && (f->misal >> i & 1));
		struct model_iov *v = (struct model_iov *)&m->iov[i];
		uint8_t tag = g.tag[v - g.pool];
		uint8_t *at = tag == 2 ? g.guard : tag ? NULL : g.buf + pos;
		iov[i] = (struct iovec){at, v->len};
		v->base = (uint64_t)(uintptr_t)at;
		if (at && at != g.guard) {
			/* write: g.data is the bytes in file order; scatter them. */
			if (m->kind == MODEL_WRITE)
				memcpy(at, g.data + done, v->len);
			else /* what a missing zero-fill would leave */
				memset(at, 0xa5, v->len);
			done += v->len;
			pos += v->len;
		}
	}
	struct iovec *arg = m->iov ? iov : NULL;
	int ret = m->kind == MODEL_READ ? g.impl->readv(s, arg, m->iovcnt, m->off)
					: g.impl->writev(s, arg, m->iovcnt, m->off);
	judge(m, ret, m->kind == MODEL_READ ? "readv" : "writev");
	if (m->kind != MODEL_READ || ret) /* READ-DATA-1: a read that succeeded */
		return 0;
	uint8_t *want = g.data; /* the write's bytes are not needed any more */
	for (size_t i = 0, at = 0; i < n; at += iov[i].iov_len, i++) {
		model_bytes(&g.m, m->off + at, want, iov[i].iov_len);
		if (iov[i].iov_len && memcmp(iov[i].iov_base, want, iov[i].iov_len)) {
			size_t k = 0;
			while (((uint8_t *)iov[i].iov_base)[k] == want[k])
				k++;
			snprintf(g.why, sizeof(g.why),
				 "readv returned 0x%02x at offset %" PRIu64
				 ", the model expects 0x%02x (READ-DATA-1, READ-EOF-1)",
				 ((uint8_t *)iov[i].iov_base)[k], m->off + at + k, want[k]);
			finding(g.why);
		}
	}
	return 0;
}

static void step(struct fop *f)
{
	struct model_op *m = &f->m;
	refstor *s = h_of(m->handle);
	char what[64];
	int ret = 0;
	/* A known message before the op: a failure must leave its own (ERR-RET-1). */
	snprintf(g.token, sizeof(g.token), "fuzz-sentinel-%d", g.nops);
	char p[128];
	snprintf(p, sizeof(p), "/nonexistent/%s", g.token);
	struct refstor_open_opts so = {.path = p};
	refstor *junk = NULL;
	if (!g.impl->open(&so, &junk) && junk)
		g.impl->close(junk);
	switch (f->kind) {
	case MODEL_READ:
	case MODEL_WRITE:
		io(f);
		return;
	case MODEL_WRITE_ZEROES:
	case MODEL_DISCARD:
	case MODEL_WRITE_ALLOCATED_ZEROES: {
		int (*fn)(refstor *, uint64_t, uint64_t) =
		    f->kind == MODEL_DISCARD        ? g.impl->discard
		    : f->kind == MODEL_WRITE_ZEROES ? g.impl->write_zeroes
						    : g.impl->write_allocated_zeroes;
		if (!fn)
			return;
		ret = fn(s, m->off, m->len);
		break;
	}
	case MODEL_RESIZE:
		if (!g.impl->resize)
			return;
		ret = g.impl->resize(s, m->off, (enum refstor_prealloc)m->mode);
		break;
	case MODEL_FLUSH:
	case MODEL_SYNC:
	case MODEL_INVALIDATE_CACHE: {
		int (*fn)(refstor *) = f->kind == MODEL_FLUSH  ? g.impl->flush
				       : f->kind == MODEL_SYNC ? g.impl->sync
							       : g.impl->invalidate_cache;
		if (!fn)
			return;
		ret = fn(s);
		break;
	}
	case MODEL_SIZE: {
		struct model_expect ex;
		model_expect(&g.m, m, &ex);
		if (g.impl->size(s) != ex.value) {
			snprintf(g.why, sizeof(g.why),
				 "refstor_size() is %" PRIu64 ", the model says %" PRIu64 " (%s)",
				 g.impl->size(s), ex.value, ex.o[0].clause);
			finding(g.why);
		}
		return;
	}
	case MODEL_OPEN:
		open_slot(m);
		return;
	case MODEL_CLOSE:
		close_slot(m->handle);
		return;
	case K_RECREATE:
		recreate(f);
		return;
	case K_NAMING:
		naming(f);
		return;
	default:
		return;
	}
	snprintf(what, sizeof(what), "%s", model_kind_name(m->kind));
	judge(m, ret, what);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	char err[1024];
	const char *t = getenv("REFSTOR_FUZZ_TIMEOUT");
	g.impl_path = getenv("REFSTOR_FUZZ_IMPL") ? getenv("REFSTOR_FUZZ_IMPL") : REFSTOR_REF_SO;
	g.target = getenv("REFSTOR_FUZZ_TARGET") ? getenv("REFSTOR_FUZZ_TARGET")
		   : getenv("TMPDIR")            ? getenv("TMPDIR")
						 : "/tmp";
	g.direct = getenv("REFSTOR_FUZZ_DIRECT") && !strcmp(getenv("REFSTOR_FUZZ_DIRECT"), "1");
	g.timeout = t ? atof(t) : 20;
	struct rs_impl *impl = rs_impl_load(g.impl_path, err, sizeof(err));
	struct rs_backend b;
	if (!impl || rs_backend_probe(&b, g.target, RS_PROBE_ALL)) {
		fprintf(stderr, "fuzz: %s\n", impl ? b.why : err);
		exit(2);
	}
	g.impl = rs_calls_wrap(impl, &g.watch);
	g.be = (struct model_backend){.is_dev = b.is_dev,
				      .dev_size = b.dev_size,
				      .sector = 1,
				      .can_punch = b.punch.ok,
				      .can_zero_range = b.zero_range.ok,
				      .can_allocate = b.allocate.ok,
				      .can_direct = b.direct.ok,
				      .direct_align = b.dio_offset};
	if (b.is_dev)
		g.be.sector = b.logical_block ? b.logical_block : 512;
	if (b.is_dev)
		snprintf(g.path, sizeof(g.path), "%s", g.target);
	else
		snprintf(g.path, sizeof(g.path), "%s/fuzz.%d.img", g.target, (int)getpid());
	g.buflen = CAP + (size_t)(BIG_IOV + 2) * 4096;
	g.guard = mmap(NULL, 1 << 16, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (posix_memalign((void **)&g.buf, 4096, g.buflen) || !(g.data = malloc(CAP)) ||
	    !(g.scratch = malloc(2 * JUDGE_SCRATCH)) || g.guard == MAP_FAILED ||
	    (b.is_dev && b.dev_size < CAP)) {
		fprintf(stderr, "fuzz: out of memory, or %s is smaller than %d bytes\n", g.target,
			CAP);
		exit(2);
	}
	char caps[512];
	rs_backend_summary(&b, RS_PROBE_ALL, caps, sizeof(caps));
	fprintf(stderr, "fuzz: %s on %s%s: %s\n", g.impl_path, g.target,
		g.direct ? " (direct)" : "", caps);
	g.t0 = now();
	prctl(PR_SET_PDEATHSIG, SIGKILL); /* a killed CI script takes the fuzzer along */
	if (rs_watchdog_start(&g.watch, g.timeout, hung))
		exit(2);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = {data, size};
	g.nops = g.npool = 0;
	if (model_init(&g.m, &g.be, CAP, MODEL_PROFILE_DEFAULT))
		abort();
	/* As refstor-fsx starts: an empty sparse file, or the device's range
	 * zeroed, with a writable handle in slot 0. */
	struct fop start = {.kind = K_RECREATE, .remove = true};
	if (g.be.is_dev) {
		int fd = open(g.path, O_WRONLY | O_CLOEXEC);
		memset(g.data, 0, CAP);
		if (fd < 0 || pwrite(fd, g.data, CAP, 0) != CAP || fsync(fd))
			abort();
		close(fd);
	}
	recreate(&start);
	while (in.n && g.nops < MAX_OPS) {
		struct fop *f = &g.ops[g.nops++];
		decode(&in, f);
		g.clause = NULL;
		step(f);
		if (check(NULL, &g.m, g.why, sizeof(g.why))) {
			size_t n = strlen(g.why);
			snprintf(g.why + n, sizeof(g.why) - n, " (the model: %s)",
				 g.clause ? g.clause : "no change");
			finding(g.why);
		}
	}
	for (int i = 0; i < SLOTS; i++)
		if (g.s[i])
			g.impl->close(g.s[i]), g.s[i] = NULL;
	if (!g.be.is_dev)
		unlink(g.path);
	model_free(&g.m);
	return 0;
}
