/* SPDX-License-Identifier: MIT */
/* report.h - test results as lines of a file, and the reports made from them. */
#ifndef REFSTOR_CONF_REPORT_H
#define REFSTOR_CONF_REPORT_H

#include <stdio.h>

enum { RS_MESSAGE_MAX = 4096 };

/* One finished test on one backend and mode.  On disk: one line, fields
 * separated by tabs, with \t, \n and \\ escaped. */
struct rs_result {
	char backend[32];
	char mode[16];     /* buffered | direct */
	char test[256];    /* suite/name */
	char clauses[256]; /* space-separated clause IDs */
	/* PASS | FAIL | SKIP (does not apply here, with the reason) | NIMP (the
	 * implementation lacks a function the test needs) | NORUN (the backend
	 * could not be brought up) */
	char status[8];
	float seconds;
	char message[RS_MESSAGE_MAX]; /* skip reason or every failed check */
};

void rs_result_write(FILE *f, const struct rs_result *r);

/* Merge result files into dir/report.md, report.json and junit.xml and print
 * the backend x clause matrix.  Returns 0 when no MUST clause failed. */
int rs_report(const char *dir, const char *spec_path, int nfiles, char **files);

#endif
