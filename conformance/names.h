/* SPDX-License-Identifier: MIT */
/*
 * names.h - the names the suite, refstor-fsx, refstor-stress and refstor-fuzz
 * print: errno names ("EINVAL", not "Invalid argument": the spec and its
 * readers speak in errno names), and, from ref/src/refstor_names.h, the
 * preallocation modes.
 */
#ifndef REFSTOR_CONF_NAMES_H
#define REFSTOR_CONF_NAMES_H

#include "../ref/src/refstor_names.h"

/* "EINVAL" for EINVAL or -EINVAL; "?" for a value the table does not know
 * (callers print the number beside it).  ENOTSUP is EOPNOTSUPP on Linux and
 * is named so, as strerrorname_np(3) does. */
const char *rs_errno_name(int e);

#endif
