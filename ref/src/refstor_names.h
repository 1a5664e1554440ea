/* SPDX-License-Identifier: MIT */
/*
 * refstor_names.h - the one spelling of enum refstor_prealloc: "none",
 * "zero", "allocate", "write_data".  The library's messages ("resize to 4096
 * (allocate): ..."), refstor-fsx's logs, the fuzzer's reports, the suite's
 * messages and fio's refstor_prealloc= option all use it, so a log line can be
 * pasted into an fio job and back.
 *
 * Header-only (static inline) and not installed: sharing the table must not
 * add a symbol to librefstor.so or a header to its public API; tools include
 * it by path.
 */
#ifndef REFSTOR_NAMES_H
#define REFSTOR_NAMES_H

#include "../include/refstor.h"

#include <string.h>

/* As macros too: fio's option table needs its strings as constants. */
#define REFSTOR_PREALLOC_NAME_NONE       "none"
#define REFSTOR_PREALLOC_NAME_ZERO       "zero"
#define REFSTOR_PREALLOC_NAME_ALLOCATE   "allocate"
#define REFSTOR_PREALLOC_NAME_WRITE_DATA "write_data"

enum { REFSTOR_PREALLOC_MODES = REFSTOR_PREALLOC_WRITE_DATA + 1 };

/* The mode's name, or "unknown" for a value outside the enum (callers print
 * what they were given, which may be anything). */
static inline const char *refstor_prealloc_name(enum refstor_prealloc m)
{
	static const char *const names[REFSTOR_PREALLOC_MODES] = {
	    [REFSTOR_PREALLOC_NONE] = REFSTOR_PREALLOC_NAME_NONE,
	    [REFSTOR_PREALLOC_ZERO] = REFSTOR_PREALLOC_NAME_ZERO,
	    [REFSTOR_PREALLOC_ALLOCATE] = REFSTOR_PREALLOC_NAME_ALLOCATE,
	    [REFSTOR_PREALLOC_WRITE_DATA] = REFSTOR_PREALLOC_NAME_WRITE_DATA,
	};
	return (unsigned)m < REFSTOR_PREALLOC_MODES ? names[m] : "unknown";
}

/* The mode named name, or -1. */
static inline int refstor_prealloc_parse(const char *name)
{
	for (int m = 0; name && m < REFSTOR_PREALLOC_MODES; m++)
		if (!strcmp(name, refstor_prealloc_name((enum refstor_prealloc)m)))
			return m;
	return -1;
}

/* The one spelling of enum refstor_profile: "imago", "keep-length" (the
 * suite's --profile, fsx's logs, reports). */
enum { REFSTOR_PROFILES = REFSTOR_PROFILE_KEEP_LENGTH + 1 };

static inline const char *refstor_profile_name(enum refstor_profile p)
{
	static const char *const names[REFSTOR_PROFILES] = {
	    [REFSTOR_PROFILE_IMAGO] = "imago",
	    [REFSTOR_PROFILE_KEEP_LENGTH] = "keep-length",
	};
	return (unsigned)p < REFSTOR_PROFILES ? names[p] : "unknown";
}

/* The profile named name, or -1. */
static inline int refstor_profile_parse(const char *name)
{
	for (int p = 0; name && p < REFSTOR_PROFILES; p++)
		if (!strcmp(name, refstor_profile_name((enum refstor_profile)p)))
			return p;
	return -1;
}

#endif
