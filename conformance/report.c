/* SPDX-License-Identifier: MIT */
/*
 * report.c - the backend x clause matrix (stdout), report.md, report.json and
 * junit.xml, from the result lines of one or more runs.
 *
 * A clause's cell is FAIL if any of its tests failed there, else NIMP if one
 * needs a function the implementation lacks, else PASS if any passed, else
 * NORUN (the backend did not come up), else SKIP (with the first reason).  A
 * failed SHOULD clause is WARN: reported, but it does not fail the run.  The
 * verdict (verdict.c) is the last line and the exit status.
 */
#include "report.h"
#include "spec.h"
#include "verdict.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void rs_result_write(FILE *f, const struct rs_result *r)
{
	const char *fields[] = {r->backend, r->mode, r->test, r->clauses, r->status};
	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		fprintf(f, "%s\t", fields[i]);
	fprintf(f, "%.3f\t", r->seconds);
	for (const char *p = r->message; *p; p++) {
		if (*p == '\t')
			fputs("\\t", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '\\')
			fputs("\\\\", f);
		else
			fputc(*p, f);
	}
	fputc('\n', f);
}

static void rs_unescape(char *s)
{
	char *o = s;
	for (char *p = s; *p; p++) {
		if (*p == '\\' && p[1]) {
			p++;
			*o++ = *p == 't' ? '\t' : *p == 'n' ? '\n' : *p;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
}

static bool rs_result_parse(char *line, struct rs_result *r)
{
	char *f[7];
	int n = 0;
	size_t len = strlen(line);
	if (len && line[len - 1] == '\n')
		line[len - 1] = '\0';
	for (char *p = line; n < 7; n++) {
		f[n] = p;
		char *tab = n < 6 ? strchr(p, '\t') : NULL;
		if (n < 6 && !tab)
			return false;
		if (tab) {
			*tab = '\0';
			p = tab + 1;
		}
	}
	memset(r, 0, sizeof(*r));
	snprintf(r->backend, sizeof(r->backend), "%s", f[0]);
	snprintf(r->mode, sizeof(r->mode), "%s", f[1]);
	snprintf(r->test, sizeof(r->test), "%s", f[2]);
	snprintf(r->clauses, sizeof(r->clauses), "%s", f[3]);
	snprintf(r->status, sizeof(r->status), "%s", f[4]);
	r->seconds = strtof(f[5], NULL);
	rs_unescape(f[6]);
	snprintf(r->message, sizeof(r->message), "%s", f[6]);
	return true;
}

struct rs_column {
	char backend[32];
	char mode[16];
};

struct rs_cell {
	char status[8];              /* PASS FAIL WARN SKIP - */
	const struct rs_result *why; /* the result that decided a FAIL/WARN/SKIP */
};

struct rs_results {
	struct rs_result *r;
	size_t n, cap;
	struct rs_column *cols;
	size_t ncols;
};

static int rs_col_index(struct rs_results *rs, const char *backend, const char *mode)
{
	for (size_t i = 0; i < rs->ncols; i++)
		if (!strcmp(rs->cols[i].backend, backend) && !strcmp(rs->cols[i].mode, mode))
			return (int)i;
	return -1;
}

static int rs_load_results(struct rs_results *rs, int nfiles, char **files)
{
	static char line[4 * RS_MESSAGE_MAX];
	for (int i = 0; i < nfiles; i++) {
		FILE *f = fopen(files[i], "r");
		if (!f) {
			fprintf(stderr, "refstor-conformance: cannot read %s: %s\n", files[i],
				strerror(errno));
			return -1;
		}
		while (fgets(line, sizeof(line), f)) {
			if (rs->n == rs->cap) {
				rs->cap = rs->cap ? 2 * rs->cap : 256;
				rs->r = realloc(rs->r, rs->cap * sizeof(*rs->r));
			}
			if (!rs_result_parse(line, &rs->r[rs->n]))
				continue;
			struct rs_result *r = &rs->r[rs->n++];
			if (rs_col_index(rs, r->backend, r->mode) < 0) {
				rs->cols = realloc(rs->cols, (rs->ncols + 1) * sizeof(*rs->cols));
				snprintf(rs->cols[rs->ncols].backend, 32, "%s", r->backend);
				snprintf(rs->cols[rs->ncols].mode, 16, "%s", r->mode);
				rs->ncols++;
			}
		}
		fclose(f);
	}
	return 0;
}

static void rs_cell_of(const struct rs_results *rs, const struct rs_clause *c, size_t col,
		       struct rs_cell *cell)
{
	/* In order of precedence: what a cell shows when its tests disagree. */
	static const char *const order[] = {"FAIL", "NIMP", "PASS", "NORUN", "SKIP"};
	enum { N = sizeof(order) / sizeof(order[0]) };
	const struct rs_result *first[N] = {0};
	for (size_t i = 0; i < rs->n; i++) {
		const struct rs_result *r = &rs->r[i];
		if (strcmp(r->backend, rs->cols[col].backend) ||
		    strcmp(r->mode, rs->cols[col].mode) || !rs_clauses_match(r->clauses, c->id))
			continue;
		for (int k = 0; k < N; k++)
			if (!strcmp(r->status, order[k]) && !first[k])
				first[k] = r;
	}
	cell->why = NULL;
	snprintf(cell->status, sizeof(cell->status), "-");
	for (int k = 0; k < N; k++) {
		if (!first[k])
			continue;
		const char *st = order[k];
		if (k == 0 && !strcmp(c->level, "SHOULD"))
			st = "WARN";
		snprintf(cell->status, sizeof(cell->status), "%s", st);
		cell->why = strcmp(st, "PASS") ? first[k] : NULL;
		break;
	}
}

static void rs_md_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

static void rs_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void rs_xml_escape(FILE *f, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '&':
			fputs("&amp;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		default:
			if (*p < 0x20 && *p != '\n' && *p != '\t')
				fputc(' ', f);
			else
				fputc(*p, f);
		}
	}
}

static char rs_letter(const char *status)
{
	return !strcmp(status, "NORUN") ? 'U' : status[0];
}

/* Distinct backends in column order, for the printed matrix. */
static size_t rs_backends(const struct rs_results *rs, const char **out)
{
	size_t n = 0;
	for (size_t i = 0; i < rs->ncols; i++) {
		size_t j = 0;
		while (j < n && strcmp(out[j], rs->cols[i].backend))
			j++;
		if (j == n)
			out[n++] = rs->cols[i].backend;
	}
	return n;
}

static void rs_print_matrix(FILE *f, const struct rs_spec *spec, const struct rs_results *rs,
			    struct rs_cell *cells)
{
	const char *backends[64];
	size_t nb = rs_backends(rs, backends);
	fprintf(f, "%-24s", "clause");
	for (size_t b = 0; b < nb; b++)
		fprintf(f, " %-11.11s", backends[b]);
	fprintf(f, "\n%-24s", "");
	for (size_t b = 0; b < nb; b++)
		fprintf(f, " %-11s", "buf dir");
	fputc('\n', f);
	for (size_t i = 0; i < spec->n; i++) {
		fprintf(f, "%-24s", spec->clauses[i].id);
		for (size_t b = 0; b < nb; b++) {
			int cb = rs_col_index((struct rs_results *)rs, backends[b], "buffered");
			int cd = rs_col_index((struct rs_results *)rs, backends[b], "direct");
			char x = cb < 0 ? ' ' : rs_letter(cells[i * rs->ncols + (size_t)cb].status);
			char y = cd < 0 ? ' ' : rs_letter(cells[i * rs->ncols + (size_t)cd].status);
			fprintf(f, "  %c   %c     ", x, y);
		}
		fputc('\n', f);
	}
	fputs("P pass  F fail (MUST)  W fail (SHOULD)  S skip (does not apply)  N not implemented\n"
	      "U backend unavailable  - no test ran (backend-independent clauses run once per mode)"
	      "  (blank: mode not run)\n",
	      f);
}

/* The run as a whole, first: its verdict and what it ran on, as a testsuite
 * of one case that fails unless the verdict is CONFORMANT, so that a CI
 * that only reads JUnit cannot show an incomplete run as green. */
static void rs_junit_verdict(FILE *xml, const struct rs_verdict *v, const struct rs_run_info *info)
{
	fprintf(xml,
		"  <testsuite name=\"refstor-conformance.verdict\" tests=\"1\" failures=\"%d\" "
		"errors=\"0\">\n    <properties>\n",
		v->code != RS_CONFORMANT);
	for (size_t i = 0; i < info->n; i++) {
		fprintf(xml, "      <property name=\"");
		rs_xml_escape(xml, info->keys[i]);
		fprintf(xml, "\" value=\"");
		rs_xml_escape(xml, info->values[i]);
		fprintf(xml, "\"/>\n");
	}
	fprintf(
	    xml,
	    "    </properties>\n    <testcase classname=\"refstor-conformance\" name=\"verdict\"");
	if (v->code == RS_CONFORMANT) {
		fprintf(xml, "/>\n  </testsuite>\n");
		return;
	}
	fprintf(xml, ">\n      <failure message=\"%s\">", rs_verdict_name(v->code));
	for (size_t i = 0; i < v->nwhy; i++) {
		rs_xml_escape(xml, v->why[i]);
		fputc('\n', xml);
	}
	fprintf(xml, "</failure>\n    </testcase>\n  </testsuite>\n");
}

int rs_report(const char *dir, const char *spec_path, const struct rs_run_info *info, int nfiles,
	      char **files)
{
	struct rs_spec spec;
	char err[512];
	if (rs_spec_load(spec_path, &spec, err, sizeof(err))) {
		fprintf(stderr, "refstor-conformance: %s\n", err);
		return 2;
	}
	struct rs_results rs = {0};
	/* An interrupted run may have none yet; it still gets its report. */
	if (rs_load_results(&rs, nfiles, files) || (!rs.n && !info->interrupted)) {
		fprintf(stderr, "refstor-conformance: no results to report\n");
		return 2;
	}
	struct rs_cell *cells = calloc(spec.n * rs.ncols, sizeof(*cells));
	enum { NCOUNT = 7 };
	size_t count[NCOUNT] = {0};
	const char *names[NCOUNT] = {"PASS", "FAIL", "WARN", "SKIP", "-", "NIMP", "NORUN"};
	for (size_t i = 0; i < spec.n; i++)
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			rs_cell_of(&rs, &spec.clauses[i], c, cell);
			for (int k = 0; k < NCOUNT; k++)
				if (!strcmp(cell->status, names[k]))
					count[k]++;
		}
	struct rs_verdict verdict;
	rs_verdict_of(&spec, rs.r, rs.n, &verdict);
	if (info->interrupted)
		rs_verdict_interrupted(&verdict, info->interrupted);
	/* A failed test whose clauses are not in the spec must not vanish. */
	size_t orphans = 0;
	for (size_t i = 0; i < rs.n; i++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", rs.r[i].clauses);
		bool known = false;
		for (char *s, *id = strtok_r(buf, " ", &s); id; id = strtok_r(NULL, " ", &s))
			known |= rs_spec_find(&spec, id) != NULL;
		if (!known && !strcmp(rs.r[i].status, "FAIL"))
			orphans++;
	}

	rs_print_matrix(stdout, &spec, &rs, cells);
	printf("\n");
	for (size_t i = 0; i < spec.n; i++)
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			if (strcmp(cell->status, "FAIL") && strcmp(cell->status, "WARN"))
				continue;
			printf("%s %s on %s (%s): %s: %s\n", cell->status, spec.clauses[i].id,
			       rs.cols[c].backend, rs.cols[c].mode, cell->why->test,
			       cell->why->message);
		}

	mkdir(dir, 0755);
	char path[4096];
	snprintf(path, sizeof(path), "%s/report.md", dir);
	FILE *md = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/report.json", dir);
	FILE *js = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/junit.xml", dir);
	FILE *xml = fopen(path, "w");
	if (!md || !js || !xml) {
		fprintf(stderr, "refstor-conformance: cannot write reports in %s: %s\n", dir,
			strerror(errno));
		return 2;
	}

	/* report.md */
	fprintf(md, "# refstor conformance report\n\n");
	fprintf(md, "**Verdict: %s**\n\n", rs_verdict_name(verdict.code));
	for (size_t i = 0; i < info->n; i++) {
		fprintf(md, "%s%s: ", i ? "\n" : "", info->keys[i]);
		rs_md_escape(md, info->values[i]);
		fprintf(md, "  ");
	}
	fprintf(md, "%s", info->n ? "\n\n" : "");
	for (size_t i = 0; i < verdict.nwhy; i++) {
		fputs("- ", md);
		rs_md_escape(md, verdict.why[i]);
		fputc('\n', md);
	}
	fprintf(md,
		"%s%zu clauses x %zu runs: %zu PASS, %zu FAIL, %zu WARN, %zu SKIP, %zu NIMP, %zu "
		"NORUN, %zu no test.\n\n",
		verdict.nwhy ? "\n" : "", spec.n, rs.ncols, count[0], count[1], count[2], count[3],
		count[5], count[6], count[4]);
	fprintf(md, "| clause | level |");
	for (size_t c = 0; c < rs.ncols; c++)
		fprintf(md, " %s (%c) |", rs.cols[c].backend, rs.cols[c].mode[0]);
	fprintf(md, "\n|---|---|");
	for (size_t c = 0; c < rs.ncols; c++)
		fprintf(md, "---|");
	fputc('\n', md);
	for (size_t i = 0; i < spec.n; i++) {
		fprintf(md, "| %s | %s |", spec.clauses[i].id, spec.clauses[i].level);
		for (size_t c = 0; c < rs.ncols; c++)
			fprintf(md, " %s |", cells[i * rs.ncols + c].status);
		fputc('\n', md);
	}
	fprintf(md, "\n(b) buffered, (d) direct I/O.\n\n## Failures\n\n");
	size_t nf = 0;
	const char *impl = NULL; /* as given, for the rerun lines */
	for (size_t i = 0; i < info->n; i++)
		if (!strcmp(info->keys[i], "impl_arg"))
			impl = info->values[i];
	for (size_t i = 0; i < spec.n; i++)
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			if (strcmp(cell->status, "FAIL") && strcmp(cell->status, "WARN"))
				continue;
			nf++;
			fprintf(md, "- **%s** %s on %s (%s), `%s`: ", cell->status,
				spec.clauses[i].id, rs.cols[c].backend, rs.cols[c].mode,
				cell->why->test);
			rs_md_escape(md, cell->why->message);
			/* The audits are rows of a whole run, not tests. */
			if (strncmp(cell->why->test, "hygiene/", 8) ||
			    !strstr(cell->why->test, "_after_every_test"))
				fprintf(md,
					"  \n  rerun: `ci/conformance%s%s --backends %s --modes %s "
					"--test '%s'`",
					impl ? " --impl " : "", impl ? impl : "",
					rs.cols[c].backend, rs.cols[c].mode, cell->why->test);
			fputc('\n', md);
		}
	if (!nf)
		fprintf(md, "None.\n");
	fprintf(md, "\n## Skips and their reasons\n\n| clause | run | reason |\n|---|---|---|\n");
	for (size_t i = 0; i < spec.n; i++)
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			if (strcmp(cell->status, "SKIP"))
				continue;
			fprintf(md, "| %s | %s (%s) | ", spec.clauses[i].id, rs.cols[c].backend,
				rs.cols[c].mode);
			rs_md_escape(md, cell->why->message);
			fprintf(md, " |\n");
		}
	fprintf(md, "\n## Clauses\n\n");
	for (size_t i = 0; i < spec.n; i++) {
		fprintf(md, "- **%s** (%s, %s): ", spec.clauses[i].id, spec.clauses[i].level,
			spec.clauses[i].applies);
		rs_md_escape(md, spec.clauses[i].title);
		fputc('\n', md);
	}

	/* report.json */
	fprintf(js, "{\n  \"verdict\": {\"name\": ");
	rs_json_string(js, rs_verdict_name(verdict.code));
	fprintf(js,
		", \"exit_status\": %d, \"must_clauses\": %zu, \"must_failed\": %zu, \"why\": [",
		rs_verdict_exit_status(&verdict), verdict.must_clauses, verdict.must_failed);
	for (size_t i = 0; i < verdict.nwhy; i++) {
		fputs(i ? ", " : "", js);
		rs_json_string(js, verdict.why[i]);
	}
	fprintf(js, "]},\n  \"run\": {");
	for (size_t i = 0; i < info->n; i++) {
		fputs(i ? ", " : "", js);
		rs_json_string(js, info->keys[i]);
		fputs(": ", js);
		rs_json_string(js, info->values[i]);
	}
	fprintf(js,
		"},\n  \"summary\": {\"clauses\": %zu, \"runs\": %zu, \"pass\": %zu, \"fail\": "
		"%zu, \"warn\": %zu, \"skip\": %zu, \"nimp\": %zu, \"norun\": %zu, \"no_test\": "
		"%zu},\n  \"runs\": [",
		spec.n, rs.ncols, count[0], count[1], count[2], count[3], count[5], count[6],
		count[4]);
	for (size_t c = 0; c < rs.ncols; c++) {
		fprintf(js, "%s{\"backend\": ", c ? ", " : "");
		rs_json_string(js, rs.cols[c].backend);
		fprintf(js, ", \"mode\": ");
		rs_json_string(js, rs.cols[c].mode);
		fputc('}', js);
	}
	fprintf(js, "],\n  \"clauses\": [\n");
	for (size_t i = 0; i < spec.n; i++) {
		fprintf(js, "    {\"id\": ");
		rs_json_string(js, spec.clauses[i].id);
		fprintf(js, ", \"level\": ");
		rs_json_string(js, spec.clauses[i].level);
		fprintf(js, ", \"title\": ");
		rs_json_string(js, spec.clauses[i].title);
		fprintf(js, ", \"results\": [");
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			fprintf(js, "%s{\"status\": ", c ? ", " : "");
			rs_json_string(js, cell->status);
			if (cell->why) {
				fprintf(js, ", \"test\": ");
				rs_json_string(js, cell->why->test);
				fprintf(js, ", \"message\": ");
				rs_json_string(js, cell->why->message);
			}
			fputc('}', js);
		}
		fprintf(js, "]}%s\n", i + 1 < spec.n ? "," : "");
	}
	fprintf(js, "  ],\n  \"tests\": [\n");
	for (size_t i = 0; i < rs.n; i++) {
		const struct rs_result *r = &rs.r[i];
		fprintf(js, "    {\"backend\": ");
		rs_json_string(js, r->backend);
		fprintf(js, ", \"mode\": ");
		rs_json_string(js, r->mode);
		fprintf(js, ", \"test\": ");
		rs_json_string(js, r->test);
		fprintf(js, ", \"clauses\": ");
		rs_json_string(js, r->clauses);
		fprintf(js, ", \"status\": ");
		rs_json_string(js, r->status);
		fprintf(js, ", \"seconds\": %.3f, \"message\": ", r->seconds);
		rs_json_string(js, r->message);
		fprintf(js, "}%s\n", i + 1 < rs.n ? "," : "");
	}
	fprintf(js, "  ]\n}\n");

	/* junit.xml: a testsuite per backend and mode, a testcase per test. */
	fprintf(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "
		     "name=\"refstor-conformance\">\n");
	rs_junit_verdict(xml, &verdict, info);
	for (size_t c = 0; c < rs.ncols; c++) {
		size_t tests = 0, failures = 0, skipped = 0;
		double secs = 0;
		for (size_t i = 0; i < rs.n; i++)
			if (!strcmp(rs.r[i].backend, rs.cols[c].backend) &&
			    !strcmp(rs.r[i].mode, rs.cols[c].mode)) {
				tests++;
				failures += !strcmp(rs.r[i].status, "FAIL");
				skipped += !strcmp(rs.r[i].status, "SKIP");
				secs += rs.r[i].seconds;
			}
		fprintf(xml,
			"  <testsuite name=\"%s.%s\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			"skipped=\"%zu\" time=\"%.3f\">\n",
			rs.cols[c].backend, rs.cols[c].mode, tests, failures, skipped, secs);
		for (size_t i = 0; i < rs.n; i++) {
			const struct rs_result *r = &rs.r[i];
			if (strcmp(r->backend, rs.cols[c].backend) ||
			    strcmp(r->mode, rs.cols[c].mode))
				continue;
			fprintf(xml, "    <testcase classname=\"%s.%s\" name=\"", r->backend,
				r->mode);
			rs_xml_escape(xml, r->test);
			fprintf(xml, " [");
			rs_xml_escape(xml, r->clauses);
			fprintf(xml, "]\" time=\"%.3f\"", r->seconds);
			if (!strcmp(r->status, "PASS")) {
				fprintf(xml, "/>\n");
				continue;
			}
			fprintf(xml, ">\n      <%s message=\"",
				strcmp(r->status, "FAIL") ? "skipped" : "failure");
			rs_xml_escape(xml, r->message);
			fprintf(xml, "\"/>\n    </testcase>\n");
		}
		fprintf(xml, "  </testsuite>\n");
	}
	fprintf(xml, "</testsuites>\n");
	fclose(md);
	fclose(js);
	fclose(xml);

	printf("conformance: %zu clauses x %zu runs: %zu PASS, %zu FAIL, %zu WARN, %zu SKIP, %zu "
	       "NIMP, %zu NORUN%s; reports in %s\n",
	       spec.n, rs.ncols, count[0], count[1], count[2], count[3], count[5], count[6],
	       orphans ? " (and failed tests of unknown clauses)" : "", dir);
	for (size_t i = 0; i < verdict.nwhy; i++)
		printf("  - %s\n", verdict.why[i]);
	printf("verdict: %s (%zu of %zu MUST clauses failed%s)\n", rs_verdict_name(verdict.code),
	       verdict.must_failed, verdict.must_clauses, verdict.nwhy ? "; why: above" : "");
	int ret = rs_verdict_exit_status(&verdict);
	rs_verdict_free(&verdict);
	free(cells);
	free(rs.r);
	free(rs.cols);
	rs_spec_free(&spec);
	return ret;
}
