/* SPDX-License-Identifier: MIT */
/*
 * impl.h - the implementation under test, bound by name through dlopen.
 *
 * Tests never call refstor_* directly: they call I->name(...), so the same
 * suite runs against the reference or any port's shared object.
 */
#ifndef REFSTOR_CONF_IMPL_H
#define REFSTOR_CONF_IMPL_H

#include "refstor.h"

/* X(name, return type, parameter list, core?) for every function of the ABI.
 * Core functions are ones no test can do without: missing them is an error,
 * the others skip their clauses. */
#define RS_ABI(X)                                                                  \
	X(open, int, (const struct refstor_open_opts *, refstor **), 1)            \
	X(create, int, (const struct refstor_create_opts *, refstor **), 0)        \
	X(from_fd, int, (int, refstor **), 0)                                      \
	X(close, void, (refstor *), 1)                                             \
	X(mem_align, size_t, (const refstor *), 0)                                 \
	X(req_align, size_t, (const refstor *), 0)                                 \
	X(zero_align, size_t, (const refstor *), 0)                                \
	X(discard_align, size_t, (const refstor *), 0)                             \
	X(size, uint64_t, (const refstor *), 1)                                    \
	X(filename, const char *, (const refstor *), 0)                            \
	X(describe, int, (const refstor *, char *, size_t), 0)                     \
	X(resolve_relative_path, int, (const refstor *, const char *, char **), 0) \
	X(readv, int, (refstor *, const struct iovec *, int, uint64_t), 1)         \
	X(writev, int, (refstor *, const struct iovec *, int, uint64_t), 1)        \
	X(read, int, (refstor *, void *, size_t, uint64_t), 0)                     \
	X(write, int, (refstor *, const void *, size_t, uint64_t), 0)              \
	X(write_zeroes, int, (refstor *, uint64_t, uint64_t), 0)                   \
	X(write_allocated_zeroes, int, (refstor *, uint64_t, uint64_t), 0)         \
	X(discard, int, (refstor *, uint64_t, uint64_t), 0)                        \
	X(flush, int, (refstor *), 0)                                              \
	X(sync, int, (refstor *), 0)                                               \
	X(invalidate_cache, int, (refstor *), 0)                                   \
	X(resize, int, (refstor *, uint64_t, enum refstor_prealloc), 0)            \
	X(last_error, const char *, (void), 1)                                     \
	X(version, const char *, (void), 0)

struct rs_impl {
	const char *path; /* the shared object */
	void *dl;
#define RS_IMPL_FIELD(name, ret, params, core) ret(*name) params;
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
