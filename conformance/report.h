/* SPDX-License-Identifier: MIT */
/* report.h - test results as lines of a file, and the reports made from them. */
#ifndef REFSTOR_CONF_REPORT_H
#define REFSTOR_CONF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum { RS_MESSAGE_MAX = 4096 };

/* A skip whose message starts so is not a skip: NIMP (the test needs a
 * function the implementation lacks), NA (it needs what the implementation
 * declares it does not do: refstor_limits, "not applicable: fixed-size
 * (...)") or NORUN (the runner stopped it before it began: an earlier test
 * hung). */
#define RS_NIMP_PREFIX  "not implemented: "
#define RS_NA_PREFIX    "not applicable: "
#define RS_NORUN_PREFIX "not run: "

/* One finished test on one backend and mode.  On disk (the --results file,
 * ci/conformance's raw/BACKEND-MODE.jsonl): one JSON object per line (JSON
 * Lines), every field a string but seconds, in this order:
 *   {"backend": "file", "mode": "buffered", "test": "read/wholly_past_eof_is_zeroes",
 *    "clauses": "READ-EOF-1", "status": "PASS", "seconds": 0.020, "message": ""}
 * so that any JSON reader takes it apart, whatever a message holds. */
struct rs_result {
	char backend[32];
	char mode[32];     /* buffered | direct, "+keep-length" for that profile */
	char test[256];    /* suite/name */
	char clauses[256]; /* space-separated clause IDs */
	/* PASS | FAIL | SKIP (does not apply here, with the reason) | NIMP (the
	 * implementation lacks a function the test needs) | NA (the test needs
	 * what the implementation declares it does not do) | NORUN (not run: the
	 * backend could not be brought up, an earlier test hung, the run's
	 * budget ran out) */
	char status[8];
	float seconds;
	char message[RS_MESSAGE_MAX]; /* skip reason or every failed check */
};

void rs_result_write(FILE *f, const struct rs_result *r);
/* s (NULL: "") as a JSON string: '"' and '\' escaped, every other byte below
 * 0x20 as \u00XX, the rest (UTF-8) as it is.  The one escaper of the raw
 * results, the reports and --about-impl. */
void rs_json_string(FILE *f, const char *s);
/* One line as rs_result_write writes it: a flat JSON object with those
 * seven keys (in any order; other keys of string, number, true, false or
 * null value are ignored), every escape decoded.  A string longer than its
 * field is cut there.  False, with why in err, if the line is not one. */
bool rs_result_parse(const char *line, struct rs_result *r, char *err, size_t errlen);
/* Append the results of the file at path to *rs (*n of them, grown with
 * realloc).  A line that is not a result is said on stderr and skipped.
 * -1 with errno if the file cannot be read or memory runs out. */
int rs_results_read(const char *path, struct rs_result **rs, size_t *n);

/* What a report says about the run itself (ci/conformance passes it as
 * --meta KEY=VALUE): the implementation, its sha256 and version, kernel,
 * backends, date, command line.  interrupted: the signal that stopped the
 * run before its end, 0 if none. */
struct rs_run_info {
	const char **keys, **values;
	size_t n;
	int interrupted;
};

struct rs_expects;
/* Merge result files into dir/report.md, report.json and junit.xml and print
 * the backend x clause matrix, with the expectations (expect.h) applied.
 * Returns the verdict's exit status. */
int rs_report(const char *dir, const char *spec_path, const struct rs_run_info *info,
	      struct rs_expects *expects, int nfiles, char **files);
/* How the front end is called in rerun lines: REFSTOR_CHECK_NAME
 * (ci/conformance), else refstor-check. */
const char *rs_check_name(void);

#endif
