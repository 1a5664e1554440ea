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

/* X(name, return type, parameter list, argument list, kind) for every
 * function of the ABI.  Kinds: RS_FN_CORE, ones no test can do without
 * (missing them is an error); RS_FN_OPTIONAL, whose absence skips the tests
 * that need them as "not implemented"; RS_FN_DECLARATION, whose absence
 * declares nothing (refstor_limits: a library without it has no limits).
 * The argument list lets calls.c forward each function without writing it
 * out by hand. */
enum { RS_FN_OPTIONAL, RS_FN_CORE, RS_FN_DECLARATION };
#define RS_ABI(X)      RS_ABI_VALUED(X) RS_ABI_VOID(X)
#define RS_ABI_VOID(X) X(close, void, (refstor * s), (s), RS_FN_CORE)
#define RS_ABI_VALUED(X)                                                                           \
	X(open, int, (const struct refstor_open_opts *o, refstor **s), (o, s), RS_FN_CORE)         \
	X(create, int, (const struct refstor_create_opts *o, refstor **s), (o, s), RS_FN_OPTIONAL) \
	X(from_fd, int, (int fd, refstor **s), (fd, s), RS_FN_OPTIONAL)                            \
	X(mem_align, size_t, (const refstor *s), (s), RS_FN_OPTIONAL)                              \
	X(req_align, size_t, (const refstor *s), (s), RS_FN_OPTIONAL)                              \
	X(zero_align, size_t, (const refstor *s), (s), RS_FN_OPTIONAL)                             \
	X(discard_align, size_t, (const refstor *s), (s), RS_FN_OPTIONAL)                          \
	X(size, uint64_t, (const refstor *s), (s), RS_FN_CORE)                                     \
	X(filename, const char *, (const refstor *s), (s), RS_FN_OPTIONAL)                         \
	X(describe, int, (const refstor *s, char *buf, size_t len), (s, buf, len), RS_FN_OPTIONAL) \
	X(resolve_relative_path, int, (const refstor *s, const char *rel, char **out),             \
	  (s, rel, out), RS_FN_OPTIONAL)                                                           \
	X(readv, int, (refstor * s, const struct iovec *iov, int n, uint64_t off),                 \
	  (s, iov, n, off), RS_FN_CORE)                                                            \
	X(writev, int, (refstor * s, const struct iovec *iov, int n, uint64_t off),                \
	  (s, iov, n, off), RS_FN_CORE)                                                            \
	X(read, int, (refstor * s, void *buf, size_t len, uint64_t off), (s, buf, len, off),       \
	  RS_FN_OPTIONAL)                                                                          \
	X(write, int, (refstor * s, const void *buf, size_t len, uint64_t off),                    \
	  (s, buf, len, off), RS_FN_OPTIONAL)                                                      \
	X(write_zeroes, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len),             \
	  RS_FN_OPTIONAL)                                                                          \
	X(write_allocated_zeroes, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len),   \
	  RS_FN_OPTIONAL)                                                                          \
	X(discard, int, (refstor * s, uint64_t off, uint64_t len), (s, off, len), RS_FN_OPTIONAL)  \
	X(flush, int, (refstor * s), (s), RS_FN_OPTIONAL)                                          \
	X(sync, int, (refstor * s), (s), RS_FN_OPTIONAL)                                           \
	X(invalidate_cache, int, (refstor * s), (s), RS_FN_OPTIONAL)                               \
	X(resize, int, (refstor * s, uint64_t size, enum refstor_prealloc m), (s, size, m),        \
	  RS_FN_OPTIONAL)                                                                          \
	X(last_error, const char *, (void), (), RS_FN_CORE)                                        \
	X(version, const char *, (void), (), RS_FN_OPTIONAL)                                       \
	X(abi_version, unsigned, (void), (), RS_FN_OPTIONAL)                                       \
	X(limits, uint64_t, (void), (), RS_FN_DECLARATION)

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
/* The names of the optional functions path lacks, comma-separated ("" if
 * none): each makes the tests that need it "not implemented". */
void rs_impl_missing(const struct rs_impl *impl, char *buf, size_t len);
/* The refstor_limit bits the implementation declares (0 without
 * refstor_limits). */
uint64_t rs_impl_limits(const struct rs_impl *impl);

#endif
