/* SPDX-License-Identifier: MIT */
/*
 * exec.c - run one op against the implementation and against the model, and
 * compare everything that can be seen: the return value, the error message,
 * the bytes read, refstor_size(), and the file itself through raw syscalls
 * (which the fault interposer does not see).
 */
#include "fsx.h"
#include "../faults/faults.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define I (r->c->impl)

static int fail(struct fsx_run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct fsx_run *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->why, sizeof(r->why), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *msg(const struct fsx_run *r)
{
	const char *m = I->last_error ? I->last_error() : NULL;
	return m ? m : "";
}

/* The file as the kernel has it, bypassing the interposer. */
static ssize_t raw_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return syscall(SYS_pread64, fd, buf, len, (off_t)off);
}

static int raw_stat(const char *path, struct stat *st)
{
	return (int)syscall(SYS_newfstatat, AT_FDCWD, path, st, 0);
}

static int cap_errno(enum fsx_cap cap)
{
	static const int e[] = {0, EOPNOTSUPP, ENODEV, ENXIO, ENOTTY};
	return e[cap];
}

static bool can(const struct fsx_run *r, bool native)
{
	return r->m.fcap == CAP_NATIVE && native;
}

/* The standing fault (the emulated filesystem's fallocate) plus op's own. */
static void arm(struct fsx_run *r, const struct fsx_op *op)
{
	rs_fault_clear();
	rs_fault_watch(r->path);
	if (r->m.fcap != CAP_NATIVE) {
		/* On the directory: the whole "mount" lacks fallocate, files
		 * created later included. */
		struct rs_fault f = {
		    .call = RS_CALL_FALLOCATE, .err = cap_errno(r->m.fcap), .times = -1};
		rs_fault_arm(r->c->is_dev ? r->path : r->c->target, &f);
	}
	if (!op)
		return;
	struct rs_fault f = {.times = 1};
	switch (op->fault) {
	case F_SHORT:
		f.max_bytes = op->fault_arg;
		f.times = -1;
		f.call = RS_CALL_READ;
		rs_fault_arm(r->path, &f);
		f.call = RS_CALL_WRITE;
		rs_fault_arm(r->path, &f);
		break;
	case F_EINTR: {
		static const enum rs_call calls[] = {RS_CALL_READ,      RS_CALL_WRITE,
						     RS_CALL_FALLOCATE, RS_CALL_FSYNC,
						     RS_CALL_FDATASYNC, RS_CALL_FTRUNCATE};
		f.err = EINTR;
		for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
			f.call = calls[i];
			rs_fault_arm(r->path, &f);
		}
		break;
	}
	case F_ZEROWRITE:
		f.call = RS_CALL_WRITE;
		f.zero_write = true;
		rs_fault_arm(r->path, &f);
		break;
	case F_EIOSYNC:
		f.err = EIO;
		f.call = RS_CALL_FSYNC;
		rs_fault_arm(r->path, &f);
		f.call = RS_CALL_FDATASYNC;
		rs_fault_arm(r->path, &f);
		break;
	default:
		break;
	}
}

static int open_handle(struct fsx_run *r)
{
	struct refstor_open_opts o = {.path = r->path, .writable = true, .direct = r->c->direct};
	arm(r, NULL);
	int ret = I->open(&o, &r->s);
	if (ret)
		return fail(r, "open %s failed: %d (%s)", r->path, ret, msg(r));
	return 0;
}

/* Compare the whole physical view: length and bytes. */
static int check_physical(struct fsx_run *r)
{
	const struct fsx_model *m = &r->m;
	uint64_t upto = r->c->is_dev ? r->c->max_size : m->phys;
	if (!r->c->is_dev) {
		struct stat st;
		if (raw_stat(r->path, &st))
			return fail(r, "stat %s: %s", r->path, strerror(errno));
		if ((uint64_t)st.st_size != m->phys)
			return fail(r, "the file's length is %lld, the model says %" PRIu64,
				    (long long)st.st_size, m->phys);
	}
	int fd = open(r->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(r, "open %s: %s", r->path, strerror(errno));
	int ret = 0;
	for (uint64_t off = 0; off < upto && !ret;) {
		size_t n = upto - off < r->buflen ? (size_t)(upto - off) : r->buflen;
		ssize_t got = raw_pread(fd, r->buf2, n, off);
		if (got != (ssize_t)n) {
			ret = fail(r, "pread %s at %" PRIu64 ": %zd", r->path, off, got);
			break;
		}
		for (size_t i = 0; i < n; i++)
			if (r->buf2[i] != m->data[off + i]) {
				ret = fail(r,
					   "the file differs from the model at offset %" PRIu64
					   ": expected 0x%02x, the file has 0x%02x",
					   off + i, m->data[off + i], r->buf2[i]);
				break;
			}
		off += n;
	}
	close(fd);
	return ret;
}

static int check_size(struct fsx_run *r)
{
	uint64_t got = I->size(r->s);
	if (got != r->m.size)
		return fail(r, "refstor_size() is %" PRIu64 ", the model says %" PRIu64, got,
			    r->m.size);
	return 0;
}

static int expect(struct fsx_run *r, int got, int want, const char *what)
{
	if (got != want)
		return fail(r, "%s returned %d (%s), the model expects %d (%s); message \"%s\"",
			    what, got, got < 0 ? strerror(-got) : "success", want,
			    want < 0 ? strerror(-want) : "success", msg(r));
	if (got < 0 && !msg(r)[0])
		return fail(r, "%s failed with %d but left no refstor_last_error() message", what,
			    got);
	if (got < 0 && strstr(msg(r), r->token))
		return fail(
		    r,
		    "%s failed with %d but left no message of its own: refstor_last_error() "
		    "still says \"%s\" from an earlier call",
		    what, got, msg(r));
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
	if (!I->open(&o, &s) && s)
		I->close(s);
}

/* Zero the model's bytes of [off, end) (clipped to what it tracks). */
static void model_zero(struct fsx_model *m, uint64_t off, uint64_t end)
{
	if (end > m->cap)
		end = m->cap;
	if (off < end)
		memset(m->data + off, 0, end - off);
}

/* ftruncate(len) as the model sees it. */
static void model_truncate(struct fsx_model *m, uint64_t len)
{
	if (len < m->phys)
		model_zero(m, len, m->phys);
	m->phys = len;
}

/* Lay op's iovecs out in r->buf, each at a mem_align boundary so that
 * direct requests are aligned exactly as the handle says they must be. */
static int build_iov(struct fsx_run *r, const struct fsx_op *op, struct iovec *iov)
{
	size_t pos = 0;
	for (int i = 0; i < op->niov; i++) {
		pos = (pos + r->mem - 1) / r->mem * r->mem;
		iov[i].iov_base = r->buf + pos;
		iov[i].iov_len = op->iov[i];
		pos += op->iov[i];
	}
	return op->niov;
}

/* Gather the iovecs' bytes into out (the order the file sees them). */
static void gather(const struct iovec *iov, int n, uint8_t *out)
{
	for (int i = 0; i < n; i++) {
		memcpy(out, iov[i].iov_base, iov[i].iov_len);
		out += iov[i].iov_len;
	}
}

static int do_read(struct fsx_run *r, const struct fsx_op *op)
{
	static struct iovec iov[FSX_MAX_IOV];
	memset(r->buf, 0xa5, r->buflen); /* what a missing zero-fill would leave */
	int n = build_iov(r, op, iov);
	int ret = I->readv(r->s, iov, n, op->off);
	if (expect(r, ret, 0, "readv"))
		return -1;
	gather(iov, n, r->buf2);
	for (uint64_t i = 0; i < op->len; i++) {
		uint64_t at = op->off + i;
		uint8_t want = at < r->m.phys && at < r->m.cap ? r->m.data[at] : 0;
		if (r->buf2[i] != want)
			return fail(r,
				    "readv returned 0x%02x at offset %" PRIu64
				    ", the model expects 0x%02x",
				    r->buf2[i], at, want);
	}
	return 0;
}

static int do_write(struct fsx_run *r, const struct fsx_op *op)
{
	static struct iovec iov[FSX_MAX_IOV];
	struct fsx_model *m = &r->m;
	int n = build_iov(r, op, iov);
	fsx_fill(r->buf2, op->len, op->seed);
	const uint8_t *src = r->buf2;
	for (int i = 0; i < n; i++) {
		memcpy(iov[i].iov_base, src, iov[i].iov_len);
		src += iov[i].iov_len;
	}
	rs_fault_count_reset();
	int ret = I->writev(r->s, iov, n, op->off);
	r->writes_seen |= rs_fault_count(RS_CALL_WRITE) > 0;
	if (op->fault == F_ZEROWRITE)
		return expect(r, ret, -EIO, "writev (a write that wrote 0 bytes)");
	if (expect(r, ret, 0, "writev"))
		return -1;
	uint64_t end = op->off + op->len;
	memcpy(m->data + op->off, r->buf2, op->len);
	if (!r->c->is_dev && op->len) { /* a zero-length write changes nothing */
		if (end > m->phys)
			m->phys = end;
		if (end > m->size)
			m->size = end;
	}
	return 0;
}

/* write_zeroes and discard: docs/spec.md ZERO-*. */
static int do_zero(struct fsx_run *r, const struct fsx_op *op)
{
	struct fsx_model *m = &r->m;
	bool discard = op->kind == OP_DISCARD;
	const char *what = discard ? "discard" : "write_zeroes";
	uint64_t end = op->off + op->len;
	bool punch = can(r, r->c->can_punch);
	bool middle = op->len && op->off < m->size && end < m->size && !r->c->is_dev;
	bool remembered = middle && !punch && m->punch_unsupported_seen;
	rs_fault_count_reset();
	int ret =
	    discard ? I->discard(r->s, op->off, op->len) : I->write_zeroes(r->s, op->off, op->len);
	int want = 0;
	if (!op->len || op->off >= m->size) {
		/* nothing: already reads as zeroes */
	} else if (r->c->is_dev) {
		if (punch)
			model_zero(m, op->off, end < m->size ? end : m->size);
		else
			want = discard ? 0 : -ENOTSUP;
	} else if (!middle) {
		model_truncate(m, op->off); /* the size stays: ZERO-TRUNC-2 */
	} else if (punch) {
		model_zero(m, op->off, end < m->phys ? end : m->phys);
	} else {
		want = discard ? 0 : -ENOTSUP;
	}
	if (expect(r, ret, want, what))
		return -1;
	if (middle && !punch) {
		unsigned long calls = rs_fault_count(RS_CALL_FALLOCATE);
		if (!m->punch_unsupported_seen && !calls)
			r->count_unknown = true; /* raw syscalls: cannot tell */
		if (remembered && calls && !r->count_unknown)
			return fail(
			    r,
			    "%s made %lu fallocate call(s) after punching was found "
			    "unsupported: \"unsupported\" must be remembered (ZERO-UNSUP-2)",
			    what, calls);
		m->punch_unsupported_seen = true;
	}
	return 0;
}

static int do_alloc(struct fsx_run *r, const struct fsx_op *op)
{
	struct fsx_model *m = &r->m;
	uint64_t end = op->off + op->len;
	int ret = I->write_allocated_zeroes(r->s, op->off, op->len);
	int want = 0;
	if (r->c->is_dev) {
		if (end > m->size)
			want = -ENOSPC;
		else
			model_zero(m, op->off, end);
	} else if (!can(r, r->c->can_zero_range)) {
		want = -ENOTSUP;
	} else {
		model_zero(m, op->off, end);
		if (end > m->phys)
			m->phys = end;
		if (end > m->size)
			m->size = end;
	}
	return expect(r, ret, want, "write_allocated_zeroes");
}

static uint64_t raw_blocks(const char *path)
{
	struct stat st;
	return raw_stat(path, &st) ? 0 : (uint64_t)st.st_blocks;
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
		if (ioctl(fd, FS_IOC_FIEMAP, fm)) {
			ret = -1;
			break;
		}
		if (!fm->fm_mapped_extents) {
			ret = 0;
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

static int do_resize(struct fsx_run *r, const struct fsx_op *op)
{
	struct fsx_model *m = &r->m;
	uint64_t old = m->size, to = op->off;
	uint64_t blocks = raw_blocks(r->path);
	int ret = I->resize(r->s, to, (enum refstor_prealloc)op->mode);
	int want = 0;
	if (to == old) {
		/* nothing, not even the physical length (ZERO-TRUNC-2) */
	} else if (r->c->is_dev) {
		want = -ENOTSUP;
	} else if (to > old && op->mode == REFSTOR_PREALLOC_ALLOCATE && !can(r, r->c->can_falloc)) {
		want = -ENOTSUP;
	} else {
		model_truncate(m, to);
		m->size = to;
	}
	if (expect(r, ret, want, "resize"))
		return -1;
	/* Growth that must be allocated is (RESIZE-ALLOC-1). */
	bool allocating =
	    op->mode == REFSTOR_PREALLOC_ALLOCATE || op->mode == REFSTOR_PREALLOC_WRITE_DATA;
	uint64_t from = (old + 4095) / 4096 * 4096, upto = to / 4096 * 4096;
	if (!want && allocating && !r->c->is_dev && upto > from + 16384) {
		int covered = mapped(r->path, from, upto);
		if (covered == 0)
			return fail(r,
				    "resize (%s) from %" PRIu64 " to %" PRIu64
				    " left a hole: the growth must be allocated",
				    op->mode == REFSTOR_PREALLOC_ALLOCATE ? "allocate"
									  : "write_data",
				    old, to);
		uint64_t grown = (raw_blocks(r->path) - blocks) * 512;
		if (covered < 0 && r->c->counts_blocks && grown + 8192 < upto - from)
			return fail(
			    r,
			    "resize (%s) grew the file by %" PRIu64 " bytes but st_blocks by "
			    "only %" PRIu64 " bytes: the growth must be allocated",
			    op->mode == REFSTOR_PREALLOC_ALLOCATE ? "allocate" : "write_data",
			    to - old, grown);
	}
	return 0;
}

/* sync must reach the kernel (FAULT-SYNC-1): once the interposer has seen
 * the implementation's writes, it must see its fsync or fdatasync too. */
static int do_sync(struct fsx_run *r, const struct fsx_op *op)
{
	rs_fault_count_reset();
	int ret = I->sync(r->s);
	if (expect(r, ret, op->fault == F_EIOSYNC ? -EIO : 0, "sync"))
		return -1;
	if (r->writes_seen && !rs_fault_count(RS_CALL_FSYNC) && !rs_fault_count(RS_CALL_FDATASYNC))
		return fail(r, "sync returned 0 without calling fsync or fdatasync");
	return 0;
}

static int do_reopen(struct fsx_run *r, const struct fsx_op *op)
{
	I->close(r->s);
	r->s = NULL;
	r->m.fcap = (enum fsx_cap)op->mode;
	r->m.punch_unsupported_seen = false;
	if (open_handle(r))
		return -1;
	r->m.size = r->m.phys; /* the logical size is forgotten: ZERO-TRUNC-3 */
	return 0;
}

static int create_file(struct fsx_run *r, uint64_t size, int mode, int want)
{
	struct refstor_create_opts o = {
	    .open = {.path = r->path, .writable = true, .direct = r->c->direct},
	    .size = size,
	    .prealloc = (enum refstor_prealloc)mode};
	if (!I->create) {
		int fd = open(r->path, O_RDWR | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || (size && ftruncate(fd, (off_t)size)))
			return fail(r, "create %s: %s", r->path, strerror(errno));
		close(fd);
		return open_handle(r);
	}
	int ret = I->create(&o, &r->s);
	if (expect(r, ret, want, "create"))
		return -1;
	return 0;
}

static int do_recreate(struct fsx_run *r, const struct fsx_op *op)
{
	struct fsx_model *m = &r->m;
	I->close(r->s);
	r->s = NULL;
	unlink(r->path);
	arm(r, NULL);
	m->punch_unsupported_seen = false;
	bool fails = op->off && op->mode == REFSTOR_PREALLOC_ALLOCATE && !can(r, r->c->can_falloc);
	if (create_file(r, op->off, op->mode, fails ? -ENOTSUP : 0))
		return -1;
	if (fails) {
		/* CREATE-UNDO-1: nothing left behind; then go on with a sparse file. */
		if (!access(r->path, F_OK))
			return fail(r, "create failed but left %s behind", r->path);
		if (create_file(r, op->off, REFSTOR_PREALLOC_NONE, 0))
			return -1;
	}
	model_zero(m, 0, m->cap);
	m->size = m->phys = op->off;
	return 0;
}

int fsx_step(struct fsx_run *r, const struct fsx_op *op)
{
	r->why[0] = '\0';
	sentinel(r);
	if (op->kind != OP_REOPEN && op->kind != OP_RECREATE)
		arm(r, op);
	int ret = 0;
	switch (op->kind) {
	case OP_READ:
		ret = do_read(r, op);
		break;
	case OP_WRITE:
		ret = do_write(r, op);
		break;
	case OP_ZEROES:
	case OP_DISCARD:
		ret = I->write_zeroes && I->discard ? do_zero(r, op) : 0;
		break;
	case OP_ALLOC:
		ret = I->write_allocated_zeroes ? do_alloc(r, op) : 0;
		break;
	case OP_RESIZE:
		ret = I->resize ? do_resize(r, op) : 0;
		break;
	case OP_FLUSH:
		ret = I->flush ? expect(r, I->flush(r->s), 0, "flush") : 0;
		break;
	case OP_SYNC:
		ret = I->sync ? do_sync(r, op) : 0;
		break;
	case OP_REOPEN:
		ret = do_reopen(r, op);
		break;
	case OP_RECREATE:
		ret = do_recreate(r, op);
		break;
	default:
		break;
	}
	arm(r, NULL); /* the op's own fault ends with it */
	if (!ret && r->s)
		ret = check_size(r);
	if (!ret)
		ret = check_physical(r);
	return ret;
}

int fsx_start(struct fsx_run *r, const struct fsx_conf *c)
{
	memset(r, 0, sizeof(*r));
	r->c = c;
	if (fsx_model_init(&r->m, c))
		return fail(r, "out of memory for a %" PRIu64 "-byte model", c->max_size);
	/* Room for every iovec to start on its own 64 KiB boundary. */
	r->buflen = (size_t)c->max_size + (size_t)FSX_MAX_IOV * 65536 / 16 + 65536;
	if (posix_memalign((void **)&r->buf, 65536, r->buflen) ||
	    posix_memalign((void **)&r->buf2, 65536, r->buflen))
		return fail(r, "out of memory");
	if (c->is_dev) {
		snprintf(r->path, sizeof(r->path), "%s", c->target);
		/* A known start: the tracked range zeroed with plain writes. */
		int fd = open(r->path, O_WRONLY | O_CLOEXEC);
		memset(r->buf2, 0, r->buflen);
		if (fd < 0 || pwrite(fd, r->buf2, c->max_size, 0) != (ssize_t)c->max_size ||
		    fsync(fd))
			return fail(r, "cannot reset %s: %s", r->path, strerror(errno));
		close(fd);
		if (open_handle(r))
			return -1;
	} else {
		snprintf(r->path, sizeof(r->path), "%s/fsx.%d.img", c->target, (int)getpid());
		unlink(r->path);
		if (create_file(r, 0, REFSTOR_PREALLOC_NONE, 0))
			return -1;
	}
	/* Exactly what the handle reports: an under-reported alignment must
	 * show up as failing I/O, not be papered over. */
	r->unit = I->req_align ? I->req_align(r->s) : 4096;
	r->mem = I->mem_align ? I->mem_align(r->s) : 4096;
	if (!r->unit || !r->mem || r->unit > 65536 || r->mem > 65536)
		return fail(r, "unusable alignments: req_align %zu, mem_align %zu", r->unit,
			    r->mem);
	if (!c->direct)
		r->mem = 1;
	return check_physical(r);
}

void fsx_stop(struct fsx_run *r)
{
	rs_fault_clear();
	if (r->s)
		I->close(r->s);
	r->s = NULL;
	if (!r->c->is_dev && r->path[0])
		unlink(r->path);
	fsx_model_free(&r->m);
	free(r->buf);
	free(r->buf2);
	r->buf = r->buf2 = NULL;
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
