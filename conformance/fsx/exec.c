/* SPDX-License-Identifier: MIT */
/*
 * exec.c - run one op against the implementation, ask the model
 * (conformance/model.h) what the contract allows, and compare everything
 * that can be seen: the return value, the error message, the bytes read,
 * refstor_size(), and the file itself through raw syscalls (which the fault
 * interposer does not see).  Nothing here decides an outcome: where the
 * model allows several, the storage shows which one the implementation took.
 * The same executor runs refstor-fuzz's ops (its hostile arguments, extra
 * read-only handles and naming calls), so a finding replays here.
 */
#include "fsx.h"
#include "../faults/faults.h"
#include "../judge.h"
#include "../names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { GUARD_LEN = 1 << 16 };

static int fail(struct fsx_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct fsx_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return -1;
}

/* The handle in slot (NULL for MODEL_NULL_HANDLE or a closed slot), and
 * where open puts it. */
static refstor *h_of(const struct fsx_run *r, int slot)
{
	return slot >= 0 && slot < MODEL_HANDLES ? r->s[slot] : NULL;
}

static refstor **slot_ptr(struct fsx_run *r, int slot)
{
	return slot >= 0 && slot < MODEL_HANDLES ? &r->s[slot] : NULL;
}

static const char *msg(const struct fsx_run *r)
{
	const char *m = r->c->impl->last_error ? r->c->impl->last_error() : NULL;
	return m ? m : "";
}

/* The standing fault (the emulated filesystem's fallocate) plus op's own. */
static void arm(struct fsx_run *r, const struct fsx_op *op)
{
	rs_fault_clear();
	rs_fault_watch(r->path);
	if (r->m.be.falloc_err) {
		/* On the directory: the whole "mount" lacks fallocate, files
		 * created later included. */
		struct rs_fault f = {
		    .call = RS_CALL_FALLOCATE, .err = r->m.be.falloc_err, .times = -1};
		rs_fault_arm(r->c->be.is_dev ? r->path : r->c->target, &f);
	}
	if (!op || (unsigned)op->fault >= F_KINDS)
		return;
	/* The calls each fault breaks, and how (model.h's enum model_fault). */
	static const unsigned calls[F_KINDS] = {
	    [F_SHORT] = 1u << RS_CALL_READ | 1u << RS_CALL_WRITE,
	    [F_EINTR] = 1u << RS_CALL_READ | 1u << RS_CALL_WRITE | 1u << RS_CALL_FALLOCATE |
			1u << RS_CALL_FSYNC | 1u << RS_CALL_FDATASYNC | 1u << RS_CALL_FTRUNCATE,
	    [F_ZEROWRITE] = 1u << RS_CALL_WRITE,
	    [F_EIOSYNC] = 1u << RS_CALL_FSYNC | 1u << RS_CALL_FDATASYNC,
	};
	struct rs_fault f = {.err = op->fault == F_EINTR     ? EINTR
				    : op->fault == F_EIOSYNC ? EIO
							     : 0,
			     .max_bytes = op->fault == F_SHORT ? op->fault_arg : 0,
			     .zero_write = op->fault == F_ZEROWRITE,
			     .times = op->fault == F_SHORT ? -1 : 1};
	for (int c = 0; c < RS_CALL_COUNT; c++)
		if (calls[op->fault] >> c & 1) {
			f.call = (enum rs_call)c;
			rs_fault_arm(r->path, &f);
		}
}

/* ------------------------------------------------------------------------ */
/* The storage against a state of the model */

/* Every open handle's refstor_size(), then the whole physical view
 * (judge.h): whether the file is there, its length, its bytes. */
static int check_storage(struct fsx_run *r, const struct model_state *m)
{
	struct judge_target t = {r->path, r->c->be.is_dev, r->c->max_size, r->scratch};
	for (int i = 0; i < MODEL_HANDLES; i++)
		if (r->s[i] && m->h[i].open && r->c->impl->size(r->s[i]) != m->h[i].size)
			return fail(r,
				    "refstor_size() of handle %d is %" PRIu64
				    ", the model says %" PRIu64,
				    i, r->c->impl->size(r->s[i]), m->h[i].size);
	return judge_physical(&t, m, r->why, sizeof(r->why));
}

/* judge.h's check: the storage against a candidate next state. */
static int storage_matches(void *ctx, const struct model_state *next, char *why, size_t len)
{
	struct fsx_run *r = ctx;
	int ret = check_storage(r, next);
	snprintf(why, len, "%s", r->why);
	return ret;
}

/*
 * The implementation returned ret for mop: model_expect (into *ex, if asked),
 * then judge.h finds the outcome it took and makes it the model's next state
 * (*taken, if asked).  0, or -1 with r->why set.
 */
static int against_model(struct fsx_run *r, const struct model_op *mop, int ret, const char *what,
			 struct model_expect *ex, struct model_outcome *taken)
{
	struct model_expect own;
	struct model_outcome o;
	char why[sizeof(r->why)];
	ex = ex ? ex : &own;
	model_expect(&r->m, mop, ex);
	if (judge_op(&r->m, mop, ex, ret, what, msg(r), r->token, storage_matches, r, &o, why,
		     sizeof(why))) {
		snprintf(r->why, sizeof(r->why), "%s", why);
		return -1;
	}
	r->why[0] = '\0';
	if (taken)
		*taken = o;
	r->clause = o.clause;
	return 0;
}

/* A known message before the op (see fsx_run.token). */
static void sentinel(struct fsx_run *r)
{
	char path[128];
	snprintf(r->token, sizeof(r->token), "fsx-sentinel-%d-%lu", (int)getpid(), ++r->sentinels);
	snprintf(path, sizeof(path), "/nonexistent/%s", r->token);
	struct refstor_open_opts o = {.path = path};
	refstor *s = NULL;
	if (!r->c->impl->open(&o, &s) && s)
		r->c->impl->close(s);
}

/* What the handle reports, for the model (BAD-ALIGN-1, ZERO-ALIGN-1). */
static void record_aligns(struct fsx_run *r, int slot)
{
	const struct rs_impl *i = r->c->impl;
	refstor *s = h_of(r, slot);
	if (s)
		model_set_aligns(&r->m, slot, i->req_align ? i->req_align(s) : 1,
				 i->mem_align ? i->mem_align(s) : 1,
				 i->zero_align ? i->zero_align(s) : 1,
				 i->discard_align ? i->discard_align(s) : 1);
}

/* A model op with no call behind it (the front end's unlink). */
static int model_only(struct fsx_run *r, enum model_kind kind, int slot)
{
	struct model_op mop = {.kind = kind, .handle = slot};
	return against_model(r, &mop, 0, model_kind_name(kind), NULL, NULL);
}

static int close_slot(struct fsx_run *r, int slot)
{
	r->c->impl->close(h_of(r, slot));
	if (slot_ptr(r, slot))
		r->s[slot] = NULL;
	return model_only(r, MODEL_CLOSE, slot);
}

/* Open slot (closing what it holds first): 0 writable, the others
 * read-only; MODEL_NULL_HANDLE passes no place for the handle. */
static int open_slot(struct fsx_run *r, int slot)
{
	if (h_of(r, slot) && close_slot(r, slot))
		return -1;
	struct refstor_open_opts o = {.path = r->path, .writable = !slot, .direct = r->c->direct};
	struct model_op mop = {
	    .kind = MODEL_OPEN, .handle = slot, .writable = !slot, .direct = r->c->direct};
	arm(r, NULL);
	int ret = r->c->impl->open(&o, slot_ptr(r, slot));
	if (against_model(r, &mop, ret, "open", NULL, NULL))
		return -1;
	record_aligns(r, slot);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* The ops */

/* Lay op's iovecs out in r->buf, each at the handle's mem_align (direct
 * requests are aligned exactly as the handle says they must be), unless op
 * puts it elsewhere (enum fsx_at); and the same iovecs as the model sees
 * them.  A read's buffers start out holding what a missing zero-fill would
 * leave.  The iovec array to pass (NULL with op->iov_null). */
static struct iovec *build_iov(struct fsx_run *r, const struct fsx_op *op, struct model_op *mop)
{
	static struct iovec iov[FSX_MAX_IOV];
	static struct model_iov miov[FSX_MAX_IOV];
	const struct model_handle *h = op->handle >= 0 ? &r->m.h[op->handle] : NULL;
	uint64_t mem = h && h->open && h->mem_align <= 65536 ? h->mem_align : 1;
	size_t pos = 0;
	mop->iovcnt = op->niov;
	mop->iov = op->iov_null ? NULL : miov;
	for (int i = 0; !op->iov_null && i < op->niov && i < FSX_MAX_IOV; i++) {
		uint8_t at = op->at ? op->at[i] : AT_ALIGNED;
		pos = (pos + mem - 1) / mem * mem + (at == AT_PLUS1);
		uint8_t *base = at == AT_NULL ? NULL : at == AT_GUARD ? r->guard : r->buf + pos;
		if (base == r->buf + pos) {
			if (pos + op->iov[i] > r->buflen)
				base = r->guard; /* lengths past the model's range are refused */
			else
				pos += op->iov[i];
		}
		if (op->kind == OP_READ && base && base != r->guard)
			memset(base, 0xa5, op->iov[i]);
		iov[i] = (struct iovec){base, op->iov[i]};
		miov[i] = (struct model_iov){(uint64_t)(uintptr_t)base, op->iov[i]};
	}
	return op->iov_null ? NULL : iov;
}

/* The bytes in real buffers (not NULL, not the guard), in file order. */
static uint64_t in_buffers(struct fsx_run *r, const struct iovec *iov, int n)
{
	uint64_t total = 0;
	for (int i = 0; iov && i < n; i++)
		total += iov[i].iov_base && iov[i].iov_base != r->guard ? iov[i].iov_len : 0;
	return total;
}

static struct model_op model_op_of(const struct fsx_run *r, const struct fsx_op *op,
				   enum model_kind kind)
{
	return (struct model_op){.kind = kind,
				 .handle = op->handle,
				 .writable = !op->handle,
				 .direct = r->c->direct,
				 .off = op->off,
				 .len = op->len,
				 .mode = op->mode,
				 .fault = fsx_model_fault(op->fault),
				 .fault_arg = op->fault_arg};
}

static int do_read(struct fsx_run *r, const struct fsx_op *op)
{
	struct model_op mop = model_op_of(r, op, MODEL_READ);
	struct iovec *iov = build_iov(r, op, &mop);
	struct model_expect ex;
	int ret = r->c->impl->readv(h_of(r, op->handle), iov, mop.iovcnt, op->off);
	if (against_model(r, &mop, ret, "readv", &ex, NULL))
		return -1;
	if (ret || !ex.read_data)
		return 0;
	uint64_t len = in_buffers(r, iov, mop.iovcnt);
	uint8_t *got = r->buf2, *want = r->buf; /* the iovecs are gathered first */
	for (int i = 0; i < mop.iovcnt; i++)
		if (iov[i].iov_len) /* a NULL base is legal where nothing is read */
			got = (uint8_t *)memcpy(got, iov[i].iov_base, iov[i].iov_len) +
			      iov[i].iov_len;
	model_bytes(&r->m, op->off, want, len);
	for (uint64_t i = 0; memcmp(r->buf2, want, len) && i < len; i++)
		if (r->buf2[i] != want[i])
			return fail(r,
				    "readv returned 0x%02x at offset %" PRIu64
				    ", the model expects 0x%02x (READ-DATA-1, READ-EOF-1)",
				    r->buf2[i], op->off + i, want[i]);
	return 0;
}

static int do_write(struct fsx_run *r, const struct fsx_op *op)
{
	struct model_op mop = model_op_of(r, op, MODEL_WRITE);
	struct iovec *iov = build_iov(r, op, &mop);
	mop.data = r->buf2;
	fsx_fill(r->buf2, in_buffers(r, iov, mop.iovcnt), op->seed);
	const uint8_t *src = r->buf2;
	for (int i = 0; iov && i < mop.iovcnt; i++)
		if (iov[i].iov_base && iov[i].iov_base != r->guard) {
			memcpy(iov[i].iov_base, src, iov[i].iov_len);
			src += iov[i].iov_len;
		}
	rs_fault_count_reset();
	int ret = r->c->impl->writev(h_of(r, op->handle), iov, mop.iovcnt, op->off);
	r->writes_seen |= rs_fault_count(RS_CALL_WRITE) > 0;
	const char *what =
	    op->fault == F_ZEROWRITE ? "writev (a write that wrote 0 bytes)" : "writev";
	return against_model(r, &mop, ret, what, NULL, NULL);
}

/* write_zeroes and discard. */
static int do_zero(struct fsx_run *r, const struct fsx_op *op)
{
	bool discard = op->kind == OP_DISCARD;
	const char *what = discard ? "discard" : "write_zeroes";
	struct model_op mop = model_op_of(r, op, discard ? MODEL_DISCARD : MODEL_WRITE_ZEROES);
	bool knew = op->handle >= 0 && r->m.h[op->handle].punch_unsupported;
	rs_fault_count_reset();
	int ret = discard ? r->c->impl->discard(h_of(r, op->handle), op->off, op->len)
			  : r->c->impl->write_zeroes(h_of(r, op->handle), op->off, op->len);
	unsigned long calls = rs_fault_count(RS_CALL_FALLOCATE);
	struct model_expect ex;
	struct model_outcome took;
	if (against_model(r, &mop, ret, what, &ex, &took))
		return -1;
	/* The model says when the handle must make no fallocate call; whether
	 * the interposer can see the implementation's calls at all shows when
	 * it first learns "unsupported" (raw syscalls: it cannot). */
	if (took.eff.learn_unsupported && !knew && !calls)
		r->count_unknown = true;
	if (ex.no_fallocate && calls && !r->count_unknown)
		return fail(r,
			    "%s made %lu fallocate call(s) after punching was found "
			    "unsupported: \"unsupported\" must be remembered (%s)",
			    what, calls, "ZERO-UNSUP-2, FAULT-NOTSUP-2");
	return 0;
}

/* st_blocks, through a raw syscall (which the fault interposer does not see). */
static uint64_t raw_blocks(const char *path)
{
	struct stat st;
	return syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0) ? 0 : (uint64_t)st.st_blocks;
}

/* Is [off, end) of path all mapped (written, unwritten or delayed)?  1 yes,
 * 0 no, -1 the filesystem has no FIEMAP.  Asked of the extents rather than
 * of st_blocks, which speculative preallocation (xfs) makes say nothing. */
static int mapped(const char *path, uint64_t off, uint64_t end)
{
	enum { N = 256 };
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 1;
	if (fd < 0)
		return -1;
	struct fiemap *fm = calloc(1, sizeof(*fm) + N * sizeof(struct fiemap_extent));
	uint64_t pos = off;
	while (pos < end && ret == 1) {
		fm->fm_start = pos;
		fm->fm_length = end - pos;
		fm->fm_flags = FIEMAP_FLAG_SYNC;
		fm->fm_extent_count = N;
		int err = ioctl(fd, FS_IOC_FIEMAP, fm);
		if (err || !fm->fm_mapped_extents) {
			ret = err ? -1 : 0;
			break;
		}
		for (unsigned i = 0; i < fm->fm_mapped_extents && ret == 1; i++) {
			const struct fiemap_extent *e = &fm->fm_extents[i];
			if (e->fe_logical > pos)
				ret = 0; /* a gap before this extent */
			else if (e->fe_logical + e->fe_length > pos)
				pos = e->fe_logical + e->fe_length;
			if (e->fe_flags & FIEMAP_EXTENT_LAST)
				break;
		}
		if (ret == 1 && pos < end &&
		    (fm->fm_extents[fm->fm_mapped_extents - 1].fe_flags & FIEMAP_EXTENT_LAST))
			ret = 0;
	}
	free(fm);
	close(fd);
	return ret;
}

/*
 * The range the model says must be allocated is, as far as can be seen:
 * whole 4 KiB blocks inside it, over 16 KiB (a filesystem's block size and
 * its own rounding do not decide), asked of FIEMAP, or where there is none
 * and the range was a growth (blocks: st_blocks before), of st_blocks.
 */
static int check_allocated(struct fsx_run *r, const struct model_effect *e, const char *what,
			   bool grew, uint64_t blocks)
{
	uint64_t from = (e->alloc_off + 4095) / 4096 * 4096, upto = e->alloc_end / 4096 * 4096;
	if (r->c->be.is_dev || upto <= from + 16384)
		return 0;
	int covered = mapped(r->path, from, upto);
	if (covered == 0)
		return fail(r,
			    "%s left a hole in [%" PRIu64 ", %" PRIu64
			    "), which must be allocated (RESIZE-ALLOC-1, ALLOC-ZERO-1)",
			    what, e->alloc_off, e->alloc_end);
	uint64_t grown = (raw_blocks(r->path) - blocks) * 512;
	if (covered < 0 && grew && r->c->be.counts_blocks && grown + 8192 < upto - from)
		return fail(r,
			    "%s grew the file by %" PRIu64 " bytes but st_blocks by only %" PRIu64
			    " bytes: the growth must be allocated (RESIZE-ALLOC-1)",
			    what, e->alloc_end - e->alloc_off, grown);
	return 0;
}

/* write_allocated_zeroes and resize: what the model says must be allocated is. */
static int do_allocating(struct fsx_run *r, const struct fsx_op *op)
{
	bool resize = op->kind == OP_RESIZE;
	struct model_op mop =
	    model_op_of(r, op, resize ? MODEL_RESIZE : MODEL_WRITE_ALLOCATED_ZEROES);
	uint64_t blocks = raw_blocks(r->path);
	refstor *s = h_of(r, op->handle);
	int ret = resize ? r->c->impl->resize(s, op->off, (enum refstor_prealloc)op->mode)
			 : r->c->impl->write_allocated_zeroes(s, op->off, op->len);
	struct model_outcome took;
	char what[128] = "write_allocated_zeroes";
	if (resize)
		snprintf(what, sizeof(what), "resize (%s) to %" PRIu64,
			 refstor_prealloc_name((enum refstor_prealloc)op->mode), op->off);
	if (against_model(r, &mop, ret, what, NULL, &took))
		return -1;
	return check_allocated(r, &took.eff, what, resize, blocks);
}

/* flush and invalidate_cache. */
static int do_plain(struct fsx_run *r, const struct fsx_op *op)
{
	bool flush = op->kind == OP_FLUSH;
	struct model_op mop = model_op_of(r, op, flush ? MODEL_FLUSH : MODEL_INVALIDATE_CACHE);
	refstor *s = h_of(r, op->handle);
	int ret = flush ? r->c->impl->flush(s) : r->c->impl->invalidate_cache(s);
	return against_model(r, &mop, ret, flush ? "flush" : "invalidate_cache", NULL, NULL);
}

/* sync must reach the kernel where the model says so (FAULT-SYNC-1): once
 * the interposer has seen the implementation's writes, it must see its
 * fsync or fdatasync too. */
static int do_sync(struct fsx_run *r, const struct fsx_op *op)
{
	struct model_op mop = model_op_of(r, op, MODEL_SYNC);
	struct model_expect ex;
	rs_fault_count_reset();
	int ret = r->c->impl->sync(h_of(r, op->handle));
	if (against_model(r, &mop, ret, "sync", &ex, NULL))
		return -1;
	if (ex.calls_sync && r->writes_seen && !rs_fault_count(RS_CALL_FSYNC) &&
	    !rs_fault_count(RS_CALL_FDATASYNC))
		return fail(r, "sync returned %d without calling fsync or fdatasync (FAULT-SYNC-1)",
			    ret);
	return 0;
}

/* Slot 0: close, let the "mount" change what fallocate does (an input of
 * the model), open again.  Another slot: open it read-only beside. */
static int do_reopen(struct fsx_run *r, const struct fsx_op *op)
{
	if (!op->handle) {
		if (close_slot(r, 0))
			return -1;
		model_set_falloc_err(&r->m, fsx_cap_errno((enum fsx_cap)op->mode));
	}
	return open_slot(r, op->handle);
}

static int do_size(struct fsx_run *r, const struct fsx_op *op)
{
	struct model_op mop = model_op_of(r, op, MODEL_SIZE);
	struct model_expect ex;
	model_expect(&r->m, &mop, &ex);
	uint64_t got = r->c->impl->size(h_of(r, op->handle));
	if (got != ex.value)
		return fail(r, "refstor_size() is %" PRIu64 ", the model says %" PRIu64 " (%s)",
			    got, ex.value, ex.o[0].clause);
	return 0;
}

/* describe, resolve_relative_path and filename, on any handle: they must
 * not crash, hang or touch the storage (checked after every op). */
static int do_naming(struct fsx_run *r, const struct fsx_op *op)
{
	const struct rs_impl *i = r->c->impl;
	refstor *s = h_of(r, op->handle);
	char buf[256], *out = NULL, rel[sizeof(op->rel) + 1] = {0};
	memcpy(rel, op->rel, sizeof(op->rel));
	if (i->describe)
		i->describe(s, op->dlen ? buf : NULL, op->dlen);
	if (i->resolve_relative_path && !i->resolve_relative_path(s, rel, &out))
		free(out);
	if (i->filename)
		i->filename(s);
	return 0;
}

static int create_file(struct fsx_run *r, uint64_t size, int mode, bool overwrite)
{
	struct model_op mop = {.kind = MODEL_CREATE,
			       .handle = 0,
			       .off = size,
			       .mode = mode,
			       .writable = true,
			       .overwrite = overwrite,
			       .direct = r->c->direct};
	struct refstor_open_opts oo = {.path = r->path, .writable = true, .direct = r->c->direct};
	int ret;
	if (!r->c->impl->create) {
		/* No create: make the file with plain calls and open it; the
		 * model is held to the open's result as if it were create's. */
		int fd = open(r->path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || (size && ftruncate(fd, (off_t)size)))
			return fail(r, "create %s: %s", r->path, strerror(errno));
		close(fd);
		ret = r->c->impl->open(&oo, &r->s[0]);
	} else {
		struct refstor_create_opts o = {.open = oo,
						.size = size,
						.prealloc = (enum refstor_prealloc)mode,
						.overwrite = overwrite};
		ret = r->c->impl->create(&o, &r->s[0]);
	}
	if (against_model(r, &mop, ret, "create", NULL, NULL))
		return -1;
	record_aligns(r, 0);
	return 0;
}

/* Close every handle, delete the file (unless keep), create it again.  A
 * device cannot be created: it is opened again instead. */
static int do_recreate(struct fsx_run *r, const struct fsx_op *op)
{
	for (int i = 0; i < MODEL_HANDLES; i++)
		if ((r->s[i] || r->m.h[i].open) && close_slot(r, i))
			return -1;
	if (r->c->be.is_dev)
		return open_slot(r, 0);
	if (!op->keep) {
		unlink(r->path);
		if (model_only(r, MODEL_REMOVE, 0))
			return -1;
	}
	arm(r, NULL);
	if (create_file(r, op->off, op->mode, op->overwrite))
		return -1;
	if (r->s[0] || op->keep || op->mode < 0 || op->mode >= REFSTOR_PREALLOC_MODES)
		return 0;
	/* It failed as the model allows: the storage as the model says (the
	 * file gone: CREATE-UNDO-1), then go on with a sparse file. */
	if (check_storage(r, &r->m))
		return -1;
	return create_file(r, op->off, REFSTOR_PREALLOC_NONE, false);
}

static int do_close(struct fsx_run *r, const struct fsx_op *op)
{
	return close_slot(r, op->handle);
}

typedef int step_fn(struct fsx_run *r, const struct fsx_op *op);
static step_fn *const steps[OP_KINDS] = {
    [OP_READ] = do_read,         [OP_WRITE] = do_write,      [OP_ZEROES] = do_zero,
    [OP_DISCARD] = do_zero,      [OP_ALLOC] = do_allocating, [OP_RESIZE] = do_allocating,
    [OP_FLUSH] = do_plain,       [OP_SYNC] = do_sync,        [OP_REOPEN] = do_reopen,
    [OP_RECREATE] = do_recreate, [OP_CLOSE] = do_close,      [OP_SIZE] = do_size,
    [OP_INVALIDATE] = do_plain,  [OP_NAMING] = do_naming};

/* An op on a function the implementation does not have is not run. */
static bool lacks(const struct rs_impl *i, enum fsx_kind k)
{
	return ((k == OP_ZEROES || k == OP_DISCARD) && !(i->write_zeroes && i->discard)) ||
	       (k == OP_ALLOC && !i->write_allocated_zeroes) || (k == OP_RESIZE && !i->resize) ||
	       (k == OP_FLUSH && !i->flush) || (k == OP_SYNC && !i->sync) ||
	       (k == OP_INVALIDATE && !i->invalidate_cache);
}

int fsx_step(struct fsx_run *r, const struct fsx_op *op)
{
	r->why[0] = '\0';
	r->clause = NULL;
	sentinel(r);
	if (op->kind != OP_REOPEN && op->kind != OP_RECREATE)
		arm(r, op);
	int ret = (unsigned)op->kind < OP_KINDS && !lacks(r->c->impl, op->kind)
		      ? steps[op->kind](r, op)
		      : 0;
	arm(r, NULL); /* the op's own fault ends with it */
	if (!ret && (ret = check_storage(r, &r->m)) && r->clause) {
		size_t n = strlen(r->why);
		snprintf(r->why + n, sizeof(r->why) - n, " (the model: %s)", r->clause);
	}
	return ret;
}

/* len bytes at a 64 KiB boundary (the largest mem_align fsx lays out at),
 * mapped rather than allocated: only the pages used are touched, and a
 * sanitizer does not poison them all on every run. */
static uint8_t *big_buffer(size_t len)
{
	uint8_t *p =
	    mmap(NULL, len + 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	size_t lead = (65536 - (uintptr_t)p % 65536) % 65536;
	if (lead)
		munmap(p, lead);
	munmap(p + lead + len, 65536 - lead);
	return p + lead;
}

int fsx_start(struct fsx_run *r, const struct fsx_conf *c)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	if (fsx_model_init(&r->m, c))
		return fail(r, "out of memory for a %" PRIu64 "-byte model", c->max_size);
	/* Room for every iovec to start on its own 64 KiB boundary (only the
	 * pages used are touched). */
	r->buflen = (size_t)c->max_size + (size_t)FSX_MAX_IOV * 65536;
	r->guard = mmap(NULL, GUARD_LEN, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!(r->buf = big_buffer(r->buflen)) || !(r->buf2 = big_buffer(r->buflen)) ||
	    !(r->scratch = malloc(2 * FSX_SCRATCH)) || r->guard == MAP_FAILED)
		return fail(r, "out of memory");
	if (c->be.is_dev) {
		snprintf(r->path, sizeof(r->path), "%s", c->target);
		/* A known start: the tracked range zeroed with plain writes. */
		int fd = open(r->path, O_WRONLY | O_CLOEXEC);
		memset(r->buf2, 0, c->max_size);
		if (fd < 0 || pwrite(fd, r->buf2, c->max_size, 0) != (ssize_t)c->max_size ||
		    fsync(fd))
			return fail(r, "cannot reset %s: %s", r->path, strerror(errno));
		close(fd);
		if (open_slot(r, 0))
			return -1;
	} else {
		snprintf(r->path, sizeof(r->path), "%s/fsx.%d.img", c->target, (int)getpid());
		unlink(r->path);
		if (create_file(r, 0, REFSTOR_PREALLOC_NONE, false))
			return -1;
	}
	if (!r->s[0])
		return fail(r, "no handle to run on: %s", msg(r));
	/* Exactly what the handle reports: an under-reported alignment must
	 * show up as failing I/O, not be papered over. */
	r->unit = r->c->impl->req_align ? r->c->impl->req_align(r->s[0]) : 4096;
	r->mem = r->c->impl->mem_align ? r->c->impl->mem_align(r->s[0]) : 4096;
	if (!r->unit || !r->mem || r->unit > 65536 || r->mem > 65536)
		return fail(r, "unusable alignments: req_align %zu, mem_align %zu", r->unit,
			    r->mem);
	return check_storage(r, &r->m);
}

void fsx_stop(struct fsx_run *r)
{
	rs_fault_clear();
	for (int i = 0; i < MODEL_HANDLES; i++)
		if (r->s[i])
			r->c->impl->close(r->s[i]), r->s[i] = NULL;
	if (!r->c->be.is_dev && r->path[0])
		unlink(r->path);
	model_free(&r->m);
	if (r->buf)
		munmap(r->buf, r->buflen);
	if (r->buf2)
		munmap(r->buf2, r->buflen);
	free(r->scratch);
	if (r->guard && r->guard != MAP_FAILED)
		munmap(r->guard, GUARD_LEN);
	r->buf = r->buf2 = r->scratch = r->guard = NULL;
}

long fsx_replay(const struct fsx_conf *c, const struct fsx_seq *seq, char *why, size_t whylen)
{
	struct fsx_run r;
	long failed = -1;
	if (fsx_start(&r, c)) {
		snprintf(why, whylen, "setup: %s", r.why);
		fsx_stop(&r);
		return 0;
	}
	for (size_t i = 0; i < seq->n; i++)
		if (fsx_step(&r, &seq->ops[i])) {
			snprintf(why, whylen, "%s", r.why);
			failed = (long)i;
			break;
		}
	fsx_stop(&r);
	return failed;
}
