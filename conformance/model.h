/* SPDX-License-Identifier: MIT */
/*
 * model.h - docs/spec.md as a pure function: the executable twin of the
 * contract.
 *
 * Given the state of the storage (the file's bytes and length, what the
 * backend offers, the open handles) and one operation with its arguments,
 * model_expect() says what the contract allows: a set of outcomes, each a set
 * of return values (0, exact errnos, or "any negative errno") with the state
 * that goes with them; model_apply() makes one of them the next state.  No
 * I/O, no clock, no randomness: front ends (refstor-fsx, later the libFuzzer
 * target) run the operation on an implementation, observe what it did, and
 * hold it to this.  Every rule in model.c cites the clause it comes from.
 *
 * What the model leaves out, on purpose: running out of space (the model has
 * no notion of free space: tmpfs-small is the suite's), naming (describe,
 * filename, resolve_relative_path) and the error paths of open that need a
 * path of their own (FIFOs, directories, missing files other than the one
 * image).  Bytes past `cap` are not tracked: front ends keep I/O below it.
 */
#ifndef REFSTOR_MODEL_H
#define REFSTOR_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	MODEL_HANDLES = 4,      /* handles on the one image a state tracks */
	MODEL_NULL_HANDLE = -1, /* model_op.handle: a NULL refstor pointer */
	MODEL_MAX_OUTCOMES = 8,
	MODEL_MAX_RETS = 8,
};

/* A return value that stands for every negative errno (clauses that leave
 * the errno to the implementation: DEV-RESIZE-1, DEV-END-1, BAD-NULL-1). */
#define MODEL_ANY_ERRNO (-100000)

/* The behaviour profile (semantics.md "Profiles", refstor.h enum
 * refstor_profile): imago's discard-by-truncate at the tail (the default), or
 * keep-length, which punches tail ranges instead. */
enum model_profile { MODEL_PROFILE_DEFAULT, MODEL_PROFILE_KEEP_LENGTH, MODEL_PROFILES };

/* What the backend offers, as the kernel answers plain syscalls there. */
struct model_backend {
	bool is_dev;           /* a block device: DEV-* */
	uint64_t dev_size;     /* BLKGETSIZE64 (DEV-SIZE-1) */
	uint64_t sector;       /* a device's logical sector size; 1 for files */
	bool can_punch;        /* fallocate(PUNCH_HOLE | KEEP_SIZE) */
	bool can_zero_range;   /* fallocate(ZERO_RANGE) */
	bool can_allocate;     /* fallocate(0) */
	bool can_direct;       /* O_DIRECT opens (OPEN-DIRECT-1) */
	uint64_t direct_align; /* the kernel's direct I/O granule (0: unknown) */
	/* 0, or the errno every fallocate on the target fails with, whatever it
	 * could do natively: an emulated filesystem (fsx's reopen cap=...). */
	int falloc_err;
};

/* One handle on the image. */
struct model_handle {
	bool open;
	bool writable, readable, direct;
	uint64_t size; /* the logical size: what refstor_size() must return */
	/* The handle got "unsupported" from punching a hole: it makes no more
	 * fallocate calls for write_zeroes and discard (ZERO-UNSUP-2). */
	bool punch_unsupported;
	/* As the handle reported them (model_set_aligns): BAD-ALIGN-1 and
	 * ZERO-ALIGN-1 are stated in terms of what the handle says. */
	uint64_t req_align, mem_align, zero_align, discard_align;
};

struct model_state {
	enum model_profile profile;
	struct model_backend be;
	bool exists;   /* the image file is there (create, remove) */
	uint64_t phys; /* the physical length: st_size, or the device's size */
	uint64_t cap;  /* bytes data[] tracks */
	uint8_t *data; /* the content of [0, cap); zero at and past phys */
	struct model_handle h[MODEL_HANDLES];
};

enum model_kind {
	MODEL_READ,  /* read, readv */
	MODEL_WRITE, /* write, writev */
	MODEL_WRITE_ZEROES,
	MODEL_DISCARD,
	MODEL_WRITE_ALLOCATED_ZEROES,
	MODEL_RESIZE,
	MODEL_FLUSH,
	MODEL_SYNC,
	MODEL_INVALIDATE_CACHE,
	MODEL_SIZE,   /* refstor_size(): model_expect.value */
	MODEL_OPEN,   /* open the image into op.handle (closing what is there) */
	MODEL_CLOSE,  /* close op.handle */
	MODEL_CREATE, /* refstor_create() of the image into op.handle */
	MODEL_REMOVE, /* the front end unlinks the image (no refstor call) */
	MODEL_KINDS
};

/* A fault injected underneath for the duration of one op (conformance/
 * faults/): what the implementation's own system calls meet. */
enum model_fault {
	MODEL_FAULT_NONE,
	MODEL_FAULT_SHORT,     /* reads and writes transfer at most fault_arg bytes per call */
	MODEL_FAULT_EINTR,     /* the first call of each kind fails with EINTR */
	MODEL_FAULT_ZEROWRITE, /* the first write call returns 0 */
	MODEL_FAULT_EIOSYNC,   /* fsync and fdatasync fail with EIO */
	MODEL_FAULTS
};

/* An iovec as the implementation is handed it. */
struct model_iov {
	uint64_t base; /* the buffer's address (0: NULL), for BAD-NULL-1 and mem_align */
	uint64_t len;
};

/* One call and its arguments, as passed: hostile values included.  Plain
 * data, so that a fuzzer front end can decode bytes into it. */
struct model_op {
	enum model_kind kind;
	int handle;   /* index into model_state.h, or MODEL_NULL_HANDLE */
	uint64_t off; /* read/write/zeroing: offset; resize, create: the new size */
	uint64_t len; /* zeroing: length */
	/* read, write: the iovec array as passed (iov may be NULL with iovcnt
	 * > 0, iovcnt may be negative); data is what the buffers hold, gathered
	 * in file order (the iovec lengths' sum), for write. */
	int iovcnt;
	const struct model_iov *iov;
	const uint8_t *data;
	int mode; /* resize, create: the preallocation mode as passed (any int) */
	bool writable, direct, overwrite; /* open (writable, direct), create */
	bool write_only; /* open: the handle cannot read (from_fd of O_WRONLY: FROMFD-1) */
	enum model_fault fault;
	uint32_t fault_arg;
};

/* What the storage looks like after one outcome, applied in this order. */
struct model_effect {
	enum { MODEL_FILE_KEPT, MODEL_FILE_NEW, MODEL_FILE_GONE } file;
	bool set_phys; /* the length becomes phys: cut bytes go, added ones read zero */
	uint64_t phys;
	uint64_t zero_off, zero_end; /* these bytes read as zeroes */
	uint64_t copy_off, copy_len; /* op.data[0, copy_len) lands at copy_off */
	bool set_size;               /* op.handle's logical size becomes size */
	uint64_t size;
	bool learn_unsupported;         /* op.handle now knows punching is unsupported */
	bool close_handle, open_handle; /* op.handle closed; then opened (size = phys) */
	/* Obligations that can be observed afterwards: */
	uint64_t alloc_off, alloc_end; /* must be allocated (RESIZE-ALLOC-1, ALLOC-ZERO-1) */
};

struct model_outcome {
	int nret;
	int ret[MODEL_MAX_RETS]; /* 0, -errno, or MODEL_ANY_ERRNO */
	struct model_effect eff;
	const char *clause; /* why: the clause(s) that decide it */
};

struct model_expect {
	int n;
	struct model_outcome o[MODEL_MAX_OUTCOMES];
	/* Whatever the outcome: */
	bool read_data;    /* the buffers of a successful read hold model_bytes() */
	uint64_t value;    /* MODEL_SIZE: what refstor_size() returns */
	bool no_fallocate; /* the call makes no fallocate (ZERO-UNSUP-2, FAULT-NOTSUP-2) */
	bool calls_sync;   /* the call reaches fsync or fdatasync (FAULT-SYNC-1) */
	/* The contract does not say (model_expect.why): a fault the model does
	 * not predict, an op it does not cover.  Front ends must not generate
	 * these; a hand-written log may. */
	bool unmodelled;
	const char *why;
};

/* A state of an image that does not exist yet (create it with MODEL_CREATE),
 * or, on a device, of the device: exists, phys = dev_size, bytes zero.
 * Returns -1 when data cannot be allocated. */
int model_init(struct model_state *st, const struct model_backend *be, uint64_t cap,
	       enum model_profile profile);
void model_free(struct model_state *st);
/* dst becomes a deep copy of src (dst must not be initialised); -1: no memory. */
int model_copy(struct model_state *dst, const struct model_state *src);

/* What a handle reported when it was opened: recorded, not predicted. */
void model_set_aligns(struct model_state *st, int handle, uint64_t req_align, uint64_t mem_align,
		      uint64_t zero_align, uint64_t discard_align);
/* fallocate on the target fails with err from now on (0: natively again):
 * an input, like a remount with other options. */
void model_set_falloc_err(struct model_state *st, int err);

/* The contract: every outcome op may have on st.  Pure. */
void model_expect(const struct model_state *st, const struct model_op *op, struct model_expect *ex);
/* Make o (one of model_expect's outcomes for op) the next state. */
void model_apply(struct model_state *st, const struct model_op *op, const struct model_outcome *o);

/* Does o allow the return value ret? */
bool model_allows(const struct model_outcome *o, int ret);
/* The n bytes from off that a read must return, and a plain pread of the
 * file sees, into out. */
void model_bytes(const struct model_state *st, uint64_t off, uint8_t *out, size_t n);
/* "0", "-ENOTSUP or -EINVAL", "any negative errno": o's return values. */
const char *model_rets_str(const struct model_outcome *o, char *buf, size_t len);
const char *model_kind_name(enum model_kind k);

#endif
