/* SPDX-License-Identifier: MIT */
/*
 * refstor.h - the refstor C API: a plain file or host block device used as
 * disk-image storage, with the semantics of imago's file driver.
 *
 * This header is the ABI.  The conformance suite and ports bind to these names
 * (through dlopen), so names and signatures never change; new calls may be added.
 *
 * Growth (docs/porting.md "ABI versions"): the option structs end in reserved
 * fields, as liburing's do.  An option added in 1.x takes reserved space, and
 * zero in it means the default, so a zero-initialised struct (designated
 * initialisers, or = {0}) asks for 1.0's behaviour from every 1.x library.
 * A library refuses a non-zero field it does not know with -EINVAL, so a new
 * option is never silently ignored.  refstor_abi_version() says which level a
 * library implements.
 *
 * Conventions (docs/spec.md, section ERR):
 *  - every call that returns int returns 0 (or a documented non-negative value)
 *    on success and a negative errno on failure;
 *  - on failure, refstor_last_error() returns a human-readable message with the
 *    context of the failing call; the message is thread-local and stays valid
 *    until the next failing refstor call on the same thread;
 *  - an operation the storage cannot perform fails with -ENOTSUP;
 *  - offsets and lengths are uint64_t; a value above INT64_MAX or an
 *    offset + length that overflows fails with -EINVAL (BAD-RANGE-1);
 *  - a NULL handle fails with -EINVAL; accessors then return 0 or NULL
 *    (BAD-NULL-1).
 *
 * Threads (CONC-*): calls on one handle from several threads at once are safe
 * (I/O shares the handle's lock; calls that change the length take it
 * exclusively), except refstor_close(), which must not race any other call on
 * that handle.  Different handles are independent.  Man pages: refstor(7) and
 * one refstor_<name>(3) per function.
 */
#ifndef REFSTOR_H
#define REFSTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define REFSTOR_VERSION_MAJOR 1
#define REFSTOR_VERSION_MINOR 1
#define REFSTOR_VERSION_PATCH 0
/* The ABI level of this header, MAJOR * 100 + MINOR: what refstor_abi_version()
 * of a library implementing it returns. */
#define REFSTOR_ABI_VERSION   (REFSTOR_VERSION_MAJOR * 100 + REFSTOR_VERSION_MINOR)

typedef struct refstor refstor;

/* How resize() fills the space it adds (docs/spec.md, RESIZE-*). */
enum refstor_prealloc {
	REFSTOR_PREALLOC_NONE,       /* sparse: ftruncate */
	REFSTOR_PREALLOC_ZERO,       /* reads as zero; same as NONE for files */
	REFSTOR_PREALLOC_ALLOCATE,   /* blocks reserved: fallocate(0); -ENOTSUP where missing */
	REFSTOR_PREALLOC_WRITE_DATA, /* zeroes written: works everywhere */
};

/* What write_zeroes and discard do to a range that reaches the end of a file
 * (docs/spec.md, PROFILE-* and ZERO-*; block devices are never truncated). */
enum refstor_profile {
	/* imago's: the file is cut at the range's start (ftruncate); the
	 * handle keeps its size, but a reopen sees the shorter file. */
	REFSTOR_PROFILE_IMAGO,
	/* The file's length never changes: the range is punched like one
	 * inside the file (ABI 1.0; -ENOTSUP from a library without it). */
	REFSTOR_PROFILE_KEEP_LENGTH,
};

/* Options of refstor_open().  Unknown non-zero values (profile, reserved[]) make
 * the call fail with -EINVAL. */
struct refstor_open_opts {
	const char *path;             /* required */
	bool writable;                /* false: read-only */
	bool direct;                  /* O_DIRECT; requests must then respect the alignments */
	bool relaxed_sync;            /* macOS: fsync instead of F_FULLFSYNC; no effect on Linux */
	enum refstor_profile profile; /* 1.0; 0: REFSTOR_PROFILE_IMAGO */
	uint64_t reserved[6];         /* options of later 1.x releases: zero */
};

/* Options of refstor_create(); the same rule for reserved[]. */
struct refstor_create_opts {
	struct refstor_open_opts open; /* open.writable is implied */
	uint64_t size;                 /* > 0: resize(size, prealloc) after creating */
	enum refstor_prealloc prealloc;
	bool overwrite;       /* true: truncate an existing file; false: -EEXIST */
	uint64_t reserved[4]; /* options of later 1.x releases: zero */
};

/* Opens o->path (a regular file or a block device) and stores a new handle in
 * *out; read-only unless o->writable, O_DIRECT if o->direct.  Opening never
 * writes to the target (OPEN-NOMOD-*) and never blocks on a FIFO (OPEN-TYPE-1).
 * Returns 0; or -EINVAL (NULL o/out/path, unknown profile or non-zero
 * reserved field, direct I/O unavailable: OPEN-DIRECT-1), -ENOENT, -EISDIR,
 * -ENOTSUP (a character device without a size) or another negative errno of
 * open(2); on failure *out is NULL.  Thread-safe. */
int refstor_open(const struct refstor_open_opts *o, refstor **out);
/* Creates o->open.path (writable handle in *out): -EEXIST if it exists,
 * unless o->overwrite, which truncates it.  o->size > 0 then resizes with
 * o->prealloc; if that fails, the file the call made is removed (CREATE-*).
 * Returns 0, or a negative errno as refstor_open() and refstor_resize() (e.g.
 * -EEXIST, -ENOTSUP, -ENOSPC); on failure *out is NULL.  Thread-safe. */
int refstor_create(const struct refstor_create_opts *o, refstor **out);
/* Adopts fd: on success the handle owns it and refstor_close() closes it.  On
 * failure the caller still owns fd (as with fdopen).  The handle has no
 * filename; access and direct mode are the fd's (FROMFD-*).  Returns 0, or
 * -EBADF (negative fd), -EISDIR or -EINVAL (a directory), another negative
 * errno for a FIFO, socket or sizeless device.  Thread-safe. */
int refstor_from_fd(int fd, refstor **out);
/* Closes the descriptor and frees the handle; NULL is a no-op.  Does not sync
 * (call refstor_sync() first for durability).  Must not race any other call on
 * the same handle; s is invalid afterwards. */
void refstor_close(refstor *s);

/* Alignments fixed at open (ALIGN-*): buffers must be aligned to mem_align and
 * read/write offsets and lengths to req_align (1 and 1 for a buffered handle;
 * a direct handle's off-alignment read/write fails with -EINVAL: BAD-ALIGN-1).
 * zero_align and discard_align are powers of two, at least req_align and the
 * filesystem's fragment size.  Each returns 0 for a NULL handle.  Thread-safe. */
size_t refstor_mem_align(const refstor *s);
size_t refstor_req_align(const refstor *s);
size_t refstor_zero_align(const refstor *s);    /* max(fs granularity, req_align) */
size_t refstor_discard_align(const refstor *s); /* likewise */
/* The handle's logical size: see docs/spec.md ZERO-TRUNC-* for how it can
 * differ from the file's length after a tail discard.  0 for a NULL handle.
 * Thread-safe. */
uint64_t refstor_size(const refstor *s);
/* The path the handle was opened or created with (OPEN-NAME-1), owned by the
 * handle and valid until refstor_close(); NULL for refstor_from_fd() handles
 * and a NULL handle.  Thread-safe. */
const char *refstor_filename(const refstor *s); /* NULL when unknown */
/* Writes file:"<path>" (Rust Debug quoting) or file:<unknown path>.  Returns 0,
 * or -ERANGE when len is too small (buf then holds a truncated, terminated
 * prefix), -EINVAL for a NULL handle or buffer (DESC-*).  Thread-safe. */
int refstor_describe(const refstor *s, char *buf, size_t len);
/* *out is malloc'd; the caller frees it.  rel unchanged if absolute, else
 * joined to the directory of the handle's filename (PATH-REL-1).  Returns 0, or
 * -EINVAL (NULL argument, or relative rel on a handle without filename:
 * PATH-REL-2), -ENOMEM.  Thread-safe. */
int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out);

/* Reads fill the whole vector: bytes past the end of the file read as zeroes
 * (READ-*); short reads and EINTR are continued; any iovcnt >= 0 works, also
 * above IOV_MAX.  Returns 0 (never a byte count), or -EINVAL (NULL handle or
 * iov, negative iovcnt, bad range, misaligned direct request), -EIO or another
 * errno of preadv(2).  Thread-safe. */
int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
/* Writes the whole vector; the size becomes max(size, offset + length).  Returns
 * 0, or -EINVAL (as readv), -EBADF etc. on a read-only handle (OPEN-RO-1), -EIO
 * (a write made no progress: FAULT-ZERO-1), -ENOSPC, -EFBIG or another errno of
 * pwritev(2); bytes written before a failure stay (WRITE-*).  Thread-safe. */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
/* refstor_readv() of one buffer of len bytes.  Thread-safe. */
int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset);
/* refstor_writev() of one buffer of len bytes.  Thread-safe. */
int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset);
/* The range reads as zeroes afterwards; -ENOTSUP when the storage cannot do it
 * without writing data (the caller may then write zeroes itself).  Inside the
 * file it punches a hole (ZERO-MID-*); a range reaching the size truncates the
 * file to offset under REFSTOR_PROFILE_IMAGO, the handle keeping its size
 * (ZERO-TRUNC-*), and is punched under REFSTOR_PROFILE_KEEP_LENGTH (-ENOTSUP
 * where punching is impossible); a block device is never truncated.  A range at
 * or past the size, or of length 0, succeeds doing nothing (ZERO-PAST-1).
 * Returns 0, or -ENOTSUP, -EINVAL (bad range; or unaligned: ZERO-ALIGN-1), a
 * read-only handle's errno, another errno of fallocate(2).  Thread-safe. */
int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length);
/* The range reads as zeroes and stays allocated (fallocate ZERO_RANGE); a range
 * past the size grows the size and the file (ALLOC-*).  Returns 0, or -ENOTSUP
 * where ZERO_RANGE is missing (tmpfs, ramfs), -EINVAL, another negative errno.
 * Thread-safe. */
int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length);
/* Like write_zeroes, but where the storage cannot discard at all it succeeds
 * without doing anything (ZERO-DISCARD-1, ZERO-UNSUP-1): never -ENOTSUP.
 * Thread-safe. */
int refstor_discard(refstor *s, uint64_t offset, uint64_t length);
/* Nothing is buffered in the handle: returns 0 (-EINVAL for NULL).  Thread-safe. */
int refstor_flush(refstor *s);
/* fsync(2) (macOS: F_FULLFSYNC unless relaxed_sync).  Returns 0, or -EIO or
 * another errno of fsync (FAULT-EIO-2); also 0 on a read-only handle (SYNC-1).
 * Thread-safe. */
int refstor_sync(refstor *s);
/* No cache to drop: returns 0 (-EINVAL for NULL).  Thread-safe. */
int refstor_invalidate_cache(refstor *s);
/* Sets the size and the file's length to new_size: shrinking truncates,
 * growing fills per mode (NONE/ZERO sparse, ALLOCATE fallocate, WRITE_DATA
 * zeroes written).  Returns 0, or -EINVAL (unknown mode, size above
 * INT64_MAX), -ENOTSUP (ALLOCATE unsupported; a block device to another size),
 * -ENOSPC, a read-only handle's errno (RESIZE-*, DEV-RESIZE-1).  Thread-safe:
 * takes the handle's lock exclusively (CONC-3). */
int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode);

/* The message of this thread's last failed refstor call ("" before any): valid
 * until the next failing call on the same thread.  Never NULL; thread-local
 * (ERR-TLS-1). */
const char *refstor_last_error(void);
/* The library's version, "MAJOR.MINOR.PATCH" (static string).  Thread-safe. */
const char *refstor_version(void);
/* The ABI level the library implements (REFSTOR_ABI_VERSION of its header, 100
 * for 1.0); added in 1.0: a library without it implements 0.1 (probe with
 * dlsym).  Thread-safe. */
unsigned refstor_abi_version(void);

/* What an implementation does not do by design (docs/spec.md LIMITS-1): the
 * bits of refstor_limits().  An implementation over something other than a
 * file it opens itself (an NBD server, a remote store) declares them so that
 * a conformance run reports the clauses that need the missing ability as
 * "not applicable", instead of failing them. */
enum refstor_limit {
	/* The size never changes but by resize: a write or allocated zeroes
	 * reaching past the end fail (negative errno) and change nothing;
	 * write_zeroes and discard act on the part inside the size (past it
	 * reads as zeroes anyway) and never cut the end (no
	 * discard-by-truncate). */
	REFSTOR_LIMIT_FIXED_SIZE = 1u << 0,
	/* refstor_resize() always fails with -ENOTSUP. */
	REFSTOR_LIMIT_NO_RESIZE = 1u << 1,
	/* The I/O is done by another process: what this process's libc and
	 * limits see (a libc interposer, RLIMIT_FSIZE, its descriptors) is
	 * not the implementation's I/O. */
	REFSTOR_LIMIT_OUT_OF_PROCESS = 1u << 2,
};
/* The refstor_limit bits this implementation declares (ABI 1.1).  Optional
 * for ports: a library without it (probe with dlsym) declares none.
 * librefstor declares none.  Thread-safe; the same value on every call. */
uint64_t refstor_limits(void);

#ifdef __cplusplus
}
#endif

#endif /* REFSTOR_H */
