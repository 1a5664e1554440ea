/* SPDX-License-Identifier: MIT */
/*
 * impl.h - the implementation under test, bound by name through dlopen.
 *
 * Tests never call refstor_* directly: they call impl->name(...), so the same
 * suite runs against the reference or any port's shared object.
 */
#ifndef REFSTOR_CONF_IMPL_H
#define REFSTOR_CONF_IMPL_H

#include "refstor.h"

/* X(name, return type, parameter list, argument list, core?) for every
 * function of the ABI.  Core functions are ones no test can do without:
 * missing them is an error, the others skip their clauses.  The argument list
 * lets calls.c forward each function without writing it out by hand. */
#define RS_ABI(X)      RS_ABI_VALUED(X) RS_ABI_VOID(X)
#define RS_ABI_VOID(X) X(close, void, (refstor * s), (s), 1)
#define RS_ABI_VALUED(X)                                                                         \
	X(open, int, (const struct refstor_open_opts *o, refstor **s), (o, s), 1)                \
	X(create, int, (const struct refstor_create_opts *o, refstor **s), (o, s), 0)            \
	X(from_fd, int, (int fd, refstor **s), (fd, s), 0)                                       \
	X(mem_align, size_t, (const refstor *s), (s), 0)                                         \
	X(req_align, size_t, (const refstor *s), (s), 0)                                         \
	X(zero_align, size_t, (const refstor *s), (s), 0)                                        \
	X(discard_align, size_t, (const refstor *s), (s), 0)                                     \
	X(size, uint64_t, (const refstor *s), (s), 1)                                            \
	X(filename, const char *, (const refstor *s), (s), 0)                                    \
	X(describe, int, (const refstor *s, char *buf, size_t len), (s, buf, len), 0)            \
	X(resolve_relative_path, int, (const refstor *s, const char *rel, char **out),           \
	  (s, rel, out), 0)                                                                      \
	X(readv, int, (refstor * s, const struct iovec *iov, int n, uint64_t off),               \
	  (s, iov, n, off), 1)                                                                   \
	X(writev, int, (refstor * s, const struct iovec *iov, int n, uint64_t off),              \
	  (s, iov, n, off), 1)                                                                   \
	X(read, int, (refstor * s, void *buf, size_t len, uint64_t off), (s, buf, len, off), 0)  \
	X(write, int, (refstor * s, const void *buf, size_t len, uint64_t off),                  \
	  (s, buf, len, off), 0)                                                                 \
	X(write_zeroes, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len), 0)        \
	X(write_allocated_zeroes, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len), \
	  0)                                                                                     \
	X(discard, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len), 0)             \
	X(flush, int, (refstor * s), (s), 0)                                                     \
	X(sync, int, (refstor * s), (s), 0)                                                      \
	X(invalidate_cache, int, (refstor * s), (s), 0)                                          \
	X(resize, int, (refstor * s, uint64_t size, enum refstor_prealloc m), (s, size, m), 0)   \
	X(last_error, const char *, (void), (), 1)                                               \
	X(version, const char *, (void), (), 0)                                                  \
	X(abi_version, unsigned, (void), (), 0)

struct rs_impl {
	const char *path; /* the shared object */
	void *dl;
#define RS_IMPL_FIELD(name, ret, params, args, core) ret(*name) params;
	RS_ABI(RS_IMPL_FIELD)
#undef RS_IMPL_FIELD
};

/* Load path and bind every function.  Returns NULL and fills err when the
 * object cannot be loaded or lacks a core function. */
struct rs_impl *rs_impl_load(const char *path, char *err, size_t errlen);
/* dlclose and free what rs_impl_load made. */
void rs_impl_unload(struct rs_impl *impl);
/* The names of the functions path lacks, comma-separated ("" if none). */
void rs_impl_missing(const struct rs_impl *impl, char *buf, size_t len);

#endif
