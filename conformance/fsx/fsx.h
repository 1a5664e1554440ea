/* SPDX-License-Identifier: MIT */
/*
 * fsx.h - refstor-fsx: a seeded random exerciser of a refstor implementation
 * against conformance/model.h (docs/spec.md as a pure function), in the
 * manner of fstests' fsx, with shrinking and replay.  docs/fsx.md describes
 * the ops and the log.  fsx decides no outcome itself: it runs each op on the
 * implementation, asks the model what the contract allows, and compares.
 */
#ifndef REFSTOR_FSX_H
#define REFSTOR_FSX_H

#include "../backend.h"
#include "../impl.h"
#include "../model.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum { FSX_MAX_IOV = 1100, FSX_SCRATCH = 1 << 16 };

enum fsx_kind {
	OP_READ,
	OP_WRITE,
	OP_ZEROES,
	OP_DISCARD,
	OP_ALLOC,
	OP_RESIZE,
	OP_FLUSH,
	OP_SYNC,
	OP_REOPEN,
	OP_RECREATE,
	OP_GEN_KINDS, /* the kinds above are fsx's own mix; those below, the fuzzer's */
	OP_CLOSE = OP_GEN_KINDS,
	OP_SIZE,
	OP_INVALIDATE,
	OP_NAMING,
	OP_KINDS
};

/* Where an iovec's buffer is: laid out at the handle's mem_align, one byte
 * past it, NULL, or in memory that is not mapped (behind a hostile length). */
enum fsx_at { AT_ALIGNED, AT_PLUS1, AT_NULL, AT_GUARD, AT_KINDS };

/* How the fallocate of the next "mount" behaves: as the backend does, or
 * failing with one of the errnos that mean "unsupported" (interposed); an
 * input of the model (model_backend.falloc_err). */
enum fsx_cap { CAP_NATIVE, CAP_EOPNOTSUPP, CAP_ENODEV, CAP_ENXIO, CAP_ENOTTY, CAP_KINDS };

/* A fault injected for the duration of one op; an input of the model
 * (model_op.fault), which says what it changes. */
enum fsx_fault { F_NONE, F_SHORT, F_EINTR, F_ZEROWRITE, F_EIOSYNC, F_KINDS };

struct fsx_op {
	enum fsx_kind kind;
	int handle;     /* 0, an extra read-only handle (1..), or MODEL_NULL_HANDLE */
	uint64_t off;   /* read/write/zeroes/discard/alloc: offset; resize/recreate: size */
	uint64_t len;   /* zeroes/discard/alloc: length; read/write: sum of iov */
	int niov;       /* read/write: the iovcnt passed (negative with iov_null) */
	uint64_t *iov;  /* read/write: iovec lengths (malloc'd; NULL with iov_null) */
	uint8_t *at;    /* read/write: enum fsx_at of each iovec (malloc'd), or NULL: aligned */
	bool iov_null;  /* read/write: a NULL iovec array is passed */
	uint32_t seed;  /* write: data seed */
	int mode;       /* resize/recreate: the prealloc mode as passed; reopen: enum fsx_cap */
	bool keep;      /* recreate: over the old file, without deleting it first */
	bool overwrite; /* recreate: create's overwrite */
	char rel[16];   /* naming: the relative path resolved */
	uint8_t dlen;   /* naming: describe's buffer length */
	enum fsx_fault fault;
	uint32_t fault_arg; /* F_SHORT: bytes per call */
};

struct fsx_seq {
	struct fsx_op *ops;
	size_t n, cap;
};

/* What the run is on, fixed for a whole run and written in the log header. */
struct fsx_conf {
	const struct rs_impl *impl;
	const char *impl_path;
	const char *target; /* directory or block device */
	const char *backend;
	bool direct;
	uint64_t max_size;
	uint64_t seed;
	enum refstor_profile profile; /* every handle's, and the model's */
	struct rs_backend be;         /* what the target is and offers (fsx_conf_probe) */
	uint64_t granule;             /* direct I/O: the unit of offsets and lengths */
	/* Op weights (--ops-mix), summing to > 0. */
	unsigned weight[OP_KINDS];
	bool faults; /* inject per-op faults and capability changes */
	bool verbose;
};

/* One run's live state. */
struct fsx_run {
	const struct fsx_conf *c;
	struct model_state m;      /* the storage as the contract says it must be */
	refstor *s[MODEL_HANDLES]; /* 0: the writable handle; the rest read-only */
	char path[4096];
	size_t unit;                 /* req_align: direct I/O's granule of offsets and lengths */
	size_t mem;                  /* mem_align: where direct I/O's buffers start */
	uint8_t *buf, *buf2, *guard; /* guard: an unmapped page (AT_GUARD) */
	size_t buflen;
	uint8_t *scratch;   /* 2 * FSX_SCRATCH: the file read back, and the model's bytes */
	bool count_unknown; /* the impl's fallocate calls are not observable */
	bool writes_seen;   /* the interposer sees the impl's writes (so its syncs too) */
	/* The sentinel message's token: left by a failed open before every op, so
	 * an op that fails without a message of its own is caught (ERR-RET-1). */
	char token[64];
	unsigned long sentinels;
	/* The clause(s) behind the outcome the model last took, named when the
	 * storage then disagrees with it. */
	const char *clause;
	/* The first mismatch, for the report. */
	char why[2048];
};

/* gen.c */
void fsx_gen(struct fsx_run *r, uint64_t *rng, struct fsx_op *op);
void fsx_fill(uint8_t *buf, size_t len, uint32_t seed);

/* model.c: fsx's side of conformance/model.h: the backend it describes,
 * and fsx's ops, caps and faults in the model's terms.  fsx_conf_probe
 * fills c's target facts (device, sizes, what the kernel offers) from
 * ../backend.h; 0, or -1 with why set. */
int fsx_conf_probe(struct fsx_conf *c, char *why, size_t len);
int fsx_model_init(struct model_state *m, const struct fsx_conf *c);
int fsx_cap_errno(enum fsx_cap cap);
enum model_fault fsx_model_fault(enum fsx_fault f);

/* exec.c: set the run up (fresh file or zeroed device), run one op and check
 * everything; return 0, or -1 with r->why set. */
int fsx_start(struct fsx_run *r, const struct fsx_conf *c);
int fsx_step(struct fsx_run *r, const struct fsx_op *op);
void fsx_stop(struct fsx_run *r);
/* Run a whole sequence from a fresh start: index of the failing op, or -1. */
long fsx_replay(const struct fsx_conf *c, const struct fsx_seq *seq, char *why, size_t whylen);

/* log.c */
void fsx_log_header(FILE *f, const struct fsx_conf *c);
void fsx_log_op(FILE *f, size_t n, const struct fsx_op *op);
int fsx_log_read(const char *path, struct fsx_conf *c, struct fsx_seq *seq, char *err,
		 size_t errlen);
int fsx_kind_parse(const char *name);

/* seq helpers */
void fsx_seq_push(struct fsx_seq *s, const struct fsx_op *op);
void fsx_seq_free(struct fsx_seq *s);
void fsx_op_copy(struct fsx_op *dst, const struct fsx_op *src);
void fsx_op_free(struct fsx_op *op);

/* shrink.c: a minimal failing subsequence of seq (which fails at its last op). */
void fsx_shrink(const struct fsx_conf *c, struct fsx_seq *seq, bool verbose);

#endif
