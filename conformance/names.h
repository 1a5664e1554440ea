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

#include <stdint.h>

/* "EINVAL" for EINVAL or -EINVAL; "?" for a value the table does not know
 * (callers print the number beside it).  ENOTSUP is EOPNOTSUPP on Linux and
 * is named so, as strerrorname_np(3) does. */
const char *rs_errno_name(int e);

/* The limits an implementation may declare (refstor.h enum refstor_limit):
 * one bit's short name ("fixed-size", which verdicts and expectations use),
 * its macro, and what it takes away; NULL for a bit nobody defined. */
struct rs_limit_name {
	uint64_t bit;
	const char *name, *macro, *what;
};
const struct rs_limit_name *rs_limit_named(uint64_t bit);
/* Every bit the table knows. */
uint64_t rs_limits_known(void);

#endif
