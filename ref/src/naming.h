/* SPDX-License-Identifier: MIT */
/*
 * naming.h - the formats of describe() and resolve_relative_path(), from the
 * path a handle was opened with alone.  One place for them: librefstor's
 * path.c and ports/nbd (which compiles naming.c in) both call these and
 * only add their own argument checks and messages.
 */
#ifndef REFSTOR_NAMING_H
#define REFSTOR_NAMING_H

#include <stddef.h>

/* Write "file:" and filename quoted as Rust's Debug quotes strings (imago
 * prints the path so), or "file:<unknown path>" for NULL, into buf[0, len),
 * NUL-terminated and cut to fit.  Returns the bytes the whole text needs,
 * NUL included: more than len when it was cut. */
size_t rs_naming_describe(const char *filename, char *buf, size_t len);

/* rel against the parent of filename, as Rust's Path::parent() and join()
 * do; an absolute rel as it is.  0 with *out malloc'd, or an errno with
 * *why saying what stood in the way (EINVAL: no filename, or one without a
 * parent; ENOMEM). */
int rs_naming_resolve(const char *filename, const char *rel, char **out, const char **why);

#endif
