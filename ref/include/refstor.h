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
 *    offset + length that overflows fails with -EINVAL.
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
#define REFSTOR_VERSION_MINOR 0
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

struct refstor_open_opts {
	const char *path;             /* required */
	bool writable;                /* false: read-only */
	bool direct;                  /* O_DIRECT; requests must then respect the alignments */
	bool relaxed_sync;            /* macOS: fsync instead of F_FULLFSYNC; no effect on Linux */
	enum refstor_profile profile; /* 1.0; 0: REFSTOR_PROFILE_IMAGO */
	uint64_t reserved[6];         /* options of later 1.x releases: zero */
};

struct refstor_create_opts {
	struct refstor_open_opts open; /* open.writable is implied */
	uint64_t size;                 /* > 0: resize(size, prealloc) after creating */
	enum refstor_prealloc prealloc;
	bool overwrite;       /* true: truncate an existing file; false: -EEXIST */
	uint64_t reserved[4]; /* options of later 1.x releases: zero */
};

int refstor_open(const struct refstor_open_opts *o, refstor **out);
int refstor_create(const struct refstor_create_opts *o, refstor **out);
/* Adopts fd: on success the handle owns it and refstor_close() closes it.  On
 * failure the caller still owns fd (as with fdopen).  The handle has no
 * filename. */
int refstor_from_fd(int fd, refstor **out);
void refstor_close(refstor *s);

size_t refstor_mem_align(const refstor *s);
size_t refstor_req_align(const refstor *s);
size_t refstor_zero_align(const refstor *s);    /* max(fs granularity, req_align) */
size_t refstor_discard_align(const refstor *s); /* likewise */
/* The handle's logical size: see docs/spec.md ZERO-TRUNC-* for how it can
 * differ from the file's length after a tail discard. */
uint64_t refstor_size(const refstor *s);
const char *refstor_filename(const refstor *s); /* NULL when unknown */
/* Writes file:"<path>" (Rust Debug quoting) or file:<unknown path>.  Returns 0,
 * or -ERANGE when len is too small (buf then holds a truncated, terminated
 * prefix). */
int refstor_describe(const refstor *s, char *buf, size_t len);
/* *out is malloc'd; the caller frees it. */
int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out);

/* Reads fill the whole vector: bytes past the end of the file read as zeroes. */
int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
/* Writes the whole vector; the size becomes max(size, offset + length). */
int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset);
int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset);
/* The range reads as zeroes afterwards; -ENOTSUP when the storage cannot do it
 * without writing data (the caller may then write zeroes itself). */
int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length);
/* The range reads as zeroes and stays allocated (fallocate ZERO_RANGE). */
int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length);
/* Like write_zeroes, but where the storage cannot discard at all it succeeds
 * without doing anything. */
int refstor_discard(refstor *s, uint64_t offset, uint64_t length);
int refstor_flush(refstor *s);
int refstor_sync(refstor *s);
int refstor_invalidate_cache(refstor *s);
int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode);

const char *refstor_last_error(void);
const char *refstor_version(void);
/* The ABI level the library implements (REFSTOR_ABI_VERSION of its header);
 * added in 1.0: a library without it implements 0.1. */
unsigned refstor_abi_version(void);

#ifdef __cplusplus
}
#endif

#endif /* REFSTOR_H */
