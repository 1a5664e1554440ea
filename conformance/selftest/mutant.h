/* SPDX-License-Identifier: MIT */
/*
 * mutant.h - the self-test's implementations: mutants (one deliberate defect
 * each, which the suite must catch) and legal variants (differing from the
 * reference only where docs/spec.md allows, which it must pass).
 *
 * Each is written as a port would be: against the public ABI only.  shim.c
 * loads the reference with dlopen and forwards every refstor_* call to it; a
 * mutant defines the functions it changes (shim.c's are weak) and calls the
 * reference through ref().  Nothing here sees the reference's internals.
 */
#ifndef REFSTOR_MUTANT_H
#define REFSTOR_MUTANT_H

#include "impl.h"

#include <stdint.h>

/* What the self-test holds it to: the MUST clauses of which at least one
 * must FAIL (while the reference passes it on the same backend and mode),
 * or, for a variant, "" (it must be CONFORMANT).  Exported, so that
 * `refstor-conformance --about-impl` can report it. */
#define MUTANT(must_fail, what)                                                                   \
	__attribute__((visibility("default"))) const char refstor_mutant_must_fail[] = must_fail; \
	__attribute__((visibility("default"))) const char refstor_mutant_what[] = what
#define VARIANT(what) MUTANT("", what)

/* The reference implementation, loaded on first use (aborts if it cannot be:
 * a self-test without its reference has nothing to say). */
const struct rs_impl *ref(void);

/* Call the reference: REF(writev(s, iov, n, off)).  Use it, not ref()
 * directly, so that refstor_last_error() shows the reference's message. */
void mutant_via_ref(void);
#define REF(call) (mutant_via_ref(), ref()->call)

/* Every int result that shim.c's refstor_* functions get from the reference
 * passes through this on its way to the caller: shim.c's own returns it as
 * it is, and a mutant that defines one sees (and may change) them all. */
int mutant_result(int r);

/* The reference's write_zeroes, discard or write_allocated_zeroes, for a
 * mutant that changes the three alike. */
enum mutant_zeroing { MUTANT_WRITE_ZEROES, MUTANT_DISCARD, MUTANT_ALLOCATED };
int mutant_zero(refstor *s, enum mutant_zeroing op, uint64_t offset, uint64_t length);

/* A fresh descriptor on the handle's file, opened by its name with flags;
 * -1 for a handle without a name.  The caller closes it. */
int mutant_fd(const refstor *s, int flags);

/* How the handle was opened, as recorded by shim.c's refstor_open and
 * refstor_create (a mutant that defines its own open records nothing):
 * MUTANT_KNOWN when recorded, with MUTANT_DIRECT and MUTANT_WRITABLE. */
enum { MUTANT_KNOWN = 1, MUTANT_DIRECT = 2, MUTANT_WRITABLE = 4 };
unsigned mutant_mode(const refstor *s);

/* Four words of the mutant's own state per handle, zero when first asked
 * for; forgotten when the handle is closed through shim.c's refstor_close. */
uint64_t *mutant_state(const refstor *s);
void mutant_forget(const refstor *s);

/* The port's own size, for a mutant whose size is not the reference's:
 * shim.c's refstor_size reports the size last pinned, else the reference's;
 * either raised to the highest end given to mutant_raise_size since.
 * mutant_reset_size, and a successful resize through shim.c's
 * refstor_resize, go back to the reference's. */
void mutant_raise_size(const refstor *s, uint64_t end);
void mutant_pin_size(const refstor *s, uint64_t size);
bool mutant_size_pinned(const refstor *s);
void mutant_reset_size(const refstor *s);

/* For a port that got its alignment wrong: shim.c's refstor_req_align and
 * refstor_mem_align report align for the handle (0: the reference's). */
void mutant_fake_align(const refstor *s, size_t align);

/* The total length of a request that the reference would take as it is (a
 * valid vector, aligned if the handle is direct) on a handle opened with at
 * least the MUTANT_* bits need; 0 for any other, which a mutant leaves to
 * the reference. */
size_t mutant_plain(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset,
		    unsigned need);

/* Step v[idx..iovcnt) past n bytes done (trimming the vector it stops in);
 * returns the index of the first vector not done. */
int mutant_iov_skip(struct iovec *v, int iovcnt, int idx, size_t n);

/* The sum of the vector's lengths; 0 for no vector. */
uint64_t mutant_iov_len(const struct iovec *iov, int iovcnt);

/* Set the thread's refstor_last_error() message (the reference's message
 * buffer is the reference's: a mutant that fails on its own says so here). */
int mutant_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
