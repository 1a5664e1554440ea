/* SPDX-License-Identifier: MIT */
/*
 * mutant.h - for the self-test's deliberately wrong implementations.
 *
 * A mutant is the reference with one deviation.  Its build renames the
 * reference's definitions of the functions the mutant replaces to rs_ref_*
 * (objcopy --redefine-sym on the static library), so the mutant can define
 * refstor_* itself and still call the original.  It sees the handle through
 * the reference's internal.h.
 */
#ifndef REFSTOR_MUTANT_H
#define REFSTOR_MUTANT_H

#include "internal.h"

int rs_ref_open(const struct refstor_open_opts *o, refstor **out);
int rs_ref_create(const struct refstor_create_opts *o, refstor **out);
int rs_ref_from_fd(int fd, refstor **out);
int rs_ref_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
int rs_ref_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset);
int rs_ref_write_zeroes(refstor *s, uint64_t offset, uint64_t length);
int rs_ref_discard(refstor *s, uint64_t offset, uint64_t length);
int rs_ref_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode);

#endif
