/* SPDX-License-Identifier: MIT */
/*
 * bench.h - what refstor-bench's subcommands share: the implementation under
 * measurement (loaded like the conformance suite loads a port), the clock,
 * and one JSON object of results per run on stdout (bench/threads and
 * bench/zeroing read them; bench/stats.py judges them).
 */
#ifndef REFSTOR_BENCH_H
#define REFSTOR_BENCH_H

#include "impl.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>

/* The options every subcommand takes. */
struct bench_opts {
	const char *impl_path; /* --impl; default: the librefstor of this build */
	const char *target;    /* --target: a file (created if missing) or a device */
	bool direct;           /* --direct */
};

/* Seconds on the monotonic clock. */
double bench_now(void);
/* A size with an optional K/M/G suffix (powers of 1024); false if not one. */
bool bench_parse_size(const char *s, uint64_t *out);
/* s as a JSON string literal (NULL: null) on f. */
void bench_json_string(FILE *f, const char *s);
/* Write data (a fixed non-zero pattern) over [0, end) of fd, path's: a
 * target laid out for reading or zeroing.  0, or 2 with the reason said. */
int bench_fill(int fd, uint64_t end, const char *path);
/* Print "refstor-bench: " and the message to stderr; return 2 (a setup error). */
int bench_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int bench_threads(const struct bench_opts *o, int argc, char **argv);
int bench_zeroing(const struct bench_opts *o, int argc, char **argv);

#endif
