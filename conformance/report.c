/* SPDX-License-Identifier: MIT */
/*
 * report.c - the results file (JSON Lines: written, parsed) and, from the
 * results of one or more runs, the backend x clause matrix (stdout),
 * report.md, report.json and junit.xml.
 *
 * A clause's cell is FAIL if any of its tests failed there, else NIMP if one
 * needs a function the implementation lacks, else NA if one needs what the
 * implementation declares it does not do (refstor_limits), else PASS if any
 * passed, else
 * NORUN (the backend did not come up), else SKIP (with the first reason).  A
 * failed SHOULD clause is WARN: reported, but it does not fail the run.  The
 * verdict (verdict.c) is the last line and the exit status.
 */
#include "report.h"
#include "expect.h"
#include "spec.h"
#include "verdict.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void rs_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* "key": "value" pairs, separated by ", ". */
static void rs_json_members(FILE *f, const char *const *keys, const char *const *values, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s\"%s\": ", i ? ", " : "", keys[i]);
		rs_json_string(f, values[i]);
	}
}

/* r as a JSON object, without the line's end: the raw results' line and
 * report.json's "tests" entry. */
static void rs_result_object(FILE *f, const struct rs_result *r)
{
	const char *keys[] = {"backend", "mode", "test", "clauses", "status"};
	const char *values[] = {r->backend, r->mode, r->test, r->clauses, r->status};
	fputc('{', f);
	rs_json_members(f, keys, values, 5);
	/* "nan" or "inf" would not be JSON. */
	fprintf(f, ", \"seconds\": %.3f, \"message\": ", isfinite(r->seconds) ? r->seconds : 0.0);
	rs_json_string(f, r->message);
	fputc('}', f);
}

void rs_result_write(FILE *f, const struct rs_result *r)
{
	rs_result_object(f, r);
	fputc('\n', f);
}

/* The parser of one result line: a cursor, and the first error met. */
struct rs_json_in {
	const char *p;
	char *err;
	size_t errlen;
	bool failed;
};

static bool rs_json_fail(struct rs_json_in *in, const char *fmt, ...)
{
	if (!in->failed && in->err && in->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(in->err, in->errlen, fmt, ap);
		va_end(ap);
	}
	in->failed = true;
	return false;
}

/* How much of the text at p an error quotes: at most max bytes, and not
 * the line's end (a message is one line). */
static int rs_near(const char *p, int max)
{
	size_t n = strcspn(p, "\r\n");
	return n < (size_t)max ? (int)n : max;
}

static void rs_json_ws(struct rs_json_in *in)
{
	while (*in->p == ' ' || *in->p == '\t' || *in->p == '\n' || *in->p == '\r')
		in->p++;
}

/* Four hex digits at p, or -1. */
static long rs_hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		int d = c >= '0' && c <= '9'   ? c - '0'
			: c >= 'a' && c <= 'f' ? c - 'a' + 10
			: c >= 'A' && c <= 'F' ? c - 'A' + 10
					       : -1;
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A decoded string going into a field of len bytes: once a byte or a whole
 * UTF-8 sequence does not fit, nothing more goes in (no character is cut in
 * half, none is left out from the middle). */
struct rs_json_out {
	char *s;
	size_t len, n;
	bool full;
};

static void rs_json_put(struct rs_json_out *o, const char *b, size_t k)
{
	if (!o->s || o->full)
		return;
	if (o->n + k >= o->len) {
		o->full = true;
		return;
	}
	memcpy(o->s + o->n, b, k);
	o->n += k;
	o->s[o->n] = '\0';
}

/* cp in UTF-8: a lead byte, then six bits a byte from the low end. */
static void rs_json_put_code(struct rs_json_out *o, uint32_t cp)
{
	static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
	char b[4];
	size_t k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
	for (size_t i = k - 1; i > 0; i--, cp >>= 6)
		b[i] = (char)(0x80 | (cp & 0x3f));
	b[0] = (char)(lead[k] | cp);
	rs_json_put(o, b, k);
}

/* A JSON string at in->p into out (NULL: only skip it). */
static bool rs_json_str(struct rs_json_in *in, char *out, size_t len)
{
	struct rs_json_out o = {out, len, 0, false};
	if (out && len)
		out[0] = '\0';
	if (*in->p != '"')
		return rs_json_fail(in, "a string expected at \"%.*s\"", rs_near(in->p, 20), in->p);
	for (const char *p = in->p + 1;; p++) {
		unsigned char c = (unsigned char)*p;
		if (!c || c == '\n')
			return rs_json_fail(in, "a string without its closing quote (a cut line?)");
		if (c == '"') {
			in->p = p + 1;
			return true;
		}
		if (c < 0x20)
			return rs_json_fail(in, "a raw control character (0x%02x) in a string", c);
		if (c != '\\') {
			rs_json_put(&o, (const char *)p, 1);
			continue;
		}
		char e = *++p;
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			rs_json_put(&o, &"\"\\/\b\f\n\r\t"[simple - "\"\\/bfnrt"], 1);
			continue;
		}
		if (e != 'u')
			return rs_json_fail(in, "a bad escape \\%c in a string", e ? e : '0');
		long cp = rs_hex4(p + 1);
		if (cp < 0)
			return rs_json_fail(in, "a bad \\u escape: \\u%.*s", rs_near(p + 1, 4),
					    p + 1);
		p += 4;
		/* A UTF-16 surrogate pair is one character; a lone half is
		 * none, and becomes U+FFFD as in most decoders. */
		if (cp >= 0xd800 && cp <= 0xdbff && p[1] == '\\' && p[2] == 'u') {
			long lo = rs_hex4(p + 3);
			if (lo >= 0xdc00 && lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				p += 6;
			}
		}
		if (cp >= 0xd800 && cp <= 0xdfff)
			cp = 0xfffd;
		if (!cp)
			return rs_json_fail(in, "\\u0000 in a string (a C string cannot hold it)");
		rs_json_put_code(&o, (uint32_t)cp);
	}
}

/* A JSON number at in->p, checked against JSON's grammar (strtod alone
 * would take "nan", "0x10" or " 1"). */
static bool rs_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digits at p, at least one: past them, or NULL. */
static const char *rs_digits(const char *p)
{
	if (!rs_is_digit(*p))
		return NULL;
	while (rs_is_digit(*p))
		p++;
	return p;
}

static bool rs_json_num(struct rs_json_in *in, double *v)
{
	const char *p = in->p + (*in->p == '-');
	if (!rs_is_digit(*p))
		return rs_json_fail(in, "a value expected at \"%.*s\"", rs_near(in->p, 20), in->p);
	p = *p == '0' ? p + 1 : rs_digits(p);
	if (*p == '.')
		p = rs_digits(p + 1);
	if (p && (*p == 'e' || *p == 'E'))
		p = rs_digits(p + 1 + (p[1] == '+' || p[1] == '-'));
	if (!p)
		return rs_json_fail(in, "a bad number at \"%.*s\"", rs_near(in->p, 20), in->p);
	*v = strtod(in->p, NULL);
	in->p = p;
	return true;
}

/* The value of a key this parser does not know: skipped, if flat. */
static bool rs_json_skip(struct rs_json_in *in)
{
	static const char *const words[] = {"true", "false", "null"};
	double ignored;
	if (*in->p == '"')
		return rs_json_str(in, NULL, 0);
	for (size_t i = 0; i < 3; i++)
		if (!strncmp(in->p, words[i], strlen(words[i]))) {
			in->p += strlen(words[i]);
			return true;
		}
	if (*in->p == '{' || *in->p == '[')
		return rs_json_fail(in, "a nested object or array (results are flat)");
	return rs_json_num(in, &ignored);
}

bool rs_result_parse(const char *line, struct rs_result *r, char *err, size_t errlen)
{
	struct {
		const char *key;
		char *field;
		size_t len;
	} fields[] = {
	    {"backend", r->backend, sizeof(r->backend)},
	    {"mode", r->mode, sizeof(r->mode)},
	    {"test", r->test, sizeof(r->test)},
	    {"clauses", r->clauses, sizeof(r->clauses)},
	    {"status", r->status, sizeof(r->status)},
	    {"message", r->message, sizeof(r->message)},
	    {"seconds", NULL, 0},
	};
	enum { NFIELDS = sizeof(fields) / sizeof(fields[0]) };
	bool seen[NFIELDS] = {0};
	struct rs_json_in in = {line, err, errlen, false};
	memset(r, 0, sizeof(*r));
	rs_json_ws(&in);
	if (*in.p != '{')
		return rs_json_fail(&in, "not a JSON object");
	in.p++;
	rs_json_ws(&in);
	bool first = true;
	while (*in.p != '}') {
		if (!first) {
			if (*in.p != ',')
				return rs_json_fail(&in, "',' or '}' expected at \"%.*s\"",
						    rs_near(in.p, 20), in.p);
			in.p++;
			rs_json_ws(&in);
		}
		first = false;
		char key[32];
		if (!rs_json_str(&in, key, sizeof(key)))
			return false;
		rs_json_ws(&in);
		if (*in.p != ':')
			return rs_json_fail(&in, "':' expected after \"%s\"", key);
		in.p++;
		rs_json_ws(&in);
		size_t i = 0;
		while (i < NFIELDS && strcmp(fields[i].key, key))
			i++;
		if (i == NFIELDS) {
			if (!rs_json_skip(&in))
				return false;
		} else if (fields[i].field) {
			if (*in.p != '"')
				return rs_json_fail(&in, "\"%s\" is not a string", key);
			if (!rs_json_str(&in, fields[i].field, fields[i].len))
				return false;
			seen[i] = true;
		} else {
			double secs;
			if (*in.p == '"' || !rs_json_num(&in, &secs))
				return rs_json_fail(&in, "\"%s\" is not a number", key);
			r->seconds = (float)secs;
			seen[i] = true;
		}
		rs_json_ws(&in);
	}
	in.p++;
	rs_json_ws(&in);
	if (*in.p)
		return rs_json_fail(&in, "more after the object: \"%.*s\"", rs_near(in.p, 20),
				    in.p);
	for (size_t i = 0; i < NFIELDS; i++)
		if (!seen[i])
			return rs_json_fail(&in, "no \"%s\"", fields[i].key);
	return true;
}

int rs_results_read(const char *path, struct rs_result **rs, size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char *line = NULL;
	size_t cap = 0, lineno = 0, room = *n;
	int ret = 0;
	for (ssize_t got; (got = getline(&line, &cap, f)) > 0;) {
		lineno++;
		if (strspn(line, " \t\r\n") == (size_t)got)
			continue; /* a blank line is not a broken result */
		/* Room grows by doubling from what is there already. */
		if (*n == room) {
			room = room ? 2 * room : 256;
			struct rs_result *more = realloc(*rs, room * sizeof(**rs));
			if (!more) {
				ret = -1;
				break;
			}
			*rs = more;
		}
		char err[160];
		if (rs_result_parse(line, &(*rs)[*n], err, sizeof(err)))
			(*n)++;
		else
			fprintf(stderr, "refstor-conformance: %s:%zu: not a result, skipped: %s\n",
				path, lineno, err);
	}
	if (ferror(f))
		ret = -1;
	int e = errno;
	free(line);
	fclose(f);
	errno = e;
	return ret;
}

struct rs_column {
	char backend[32];
	char mode[32];
};

struct rs_cell {
	char status[8];              /* PASS FAIL WARN SKIP - */
	const struct rs_result *why; /* the result that decided a FAIL/WARN/SKIP */
};

struct rs_results {
	struct rs_result *r;
	size_t n;
	struct rs_column *cols;
	size_t ncols;
};

static int rs_col_index(const struct rs_results *rs, const char *backend, const char *mode)
{
	for (size_t i = 0; i < rs->ncols; i++)
		if (!strcmp(rs->cols[i].backend, backend) && !strcmp(rs->cols[i].mode, mode))
			return (int)i;
	return -1;
}

static int rs_load_results(struct rs_results *rs, int nfiles, char **files)
{
	for (int i = 0; i < nfiles; i++) {
		size_t from = rs->n;
		if (rs_results_read(files[i], &rs->r, &rs->n)) {
			fprintf(stderr, "refstor-conformance: cannot read %s: %s\n", files[i],
				strerror(errno));
			return -1;
		}
		for (size_t k = from; k < rs->n; k++) {
			const struct rs_result *r = &rs->r[k];
			if (rs_col_index(rs, r->backend, r->mode) >= 0)
				continue;
			rs->cols = realloc(rs->cols, (rs->ncols + 1) * sizeof(*rs->cols));
			snprintf(rs->cols[rs->ncols].backend, 32, "%s", r->backend);
			snprintf(rs->cols[rs->ncols].mode, sizeof(rs->cols[rs->ncols].mode), "%s",
				 r->mode);
			rs->ncols++;
		}
	}
	return 0;
}

static void rs_cell_of(const struct rs_results *rs, const struct rs_clause *c, size_t col,
		       struct rs_cell *cell)
{
	/* In order of precedence: what a cell shows when its tests disagree. */
	static const char *const order[] = {"FAIL",  "NIMP", "NA",    "XFAIL",
					    "FLAKE", "PASS", "NORUN", "SKIP"};
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

static void rs_xml_escape(FILE *f, const char *s)
{
	static const char special[] = "<>&\"";
	static const char *const entity[] = {"&lt;", "&gt;", "&amp;", "&quot;"};
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *e = strchr(special, *p);
		if (e)
			fputs(entity[e - special], f);
		else
			fputc(*p < 0x20 && *p != '\n' && *p != '\t' ? ' ' : *p, f);
	}
}

static char rs_letter(const char *status)
{
	return !strcmp(status, "NORUN") ? 'U' : !strcmp(status, "NA") ? 'A' : status[0];
}

/* A group of the printed matrix: a backend under one profile ("" the
 * default, "+keep-length"), its buffered and direct columns side by side. */
struct rs_group {
	const char *backend, *profile;
};

static const char *rs_profile_of(const char *mode)
{
	const char *plus = strchr(mode, '+');
	return plus ? plus : "";
}

/* Distinct groups in column order. */
static size_t rs_groups(const struct rs_results *rs, struct rs_group *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < rs->ncols && n < max; i++) {
		struct rs_group g = {rs->cols[i].backend, rs_profile_of(rs->cols[i].mode)};
		size_t j = 0;
		while (j < n &&
		       (strcmp(out[j].backend, g.backend) || strcmp(out[j].profile, g.profile)))
			j++;
		if (j == n)
			out[n++] = g;
	}
	return n;
}

static void rs_print_matrix(FILE *f, const struct rs_spec *spec, const struct rs_results *rs,
			    struct rs_cell *cells)
{
	struct rs_group groups[128];
	size_t ng = rs_groups(rs, groups, 128);
	char label[64];
	fprintf(f, "%-24s", "clause");
	for (size_t g = 0; g < ng; g++) {
		snprintf(label, sizeof(label), "%s%s", groups[g].backend,
			 groups[g].profile[0] ? "+kl" : "");
		fprintf(f, " %-11.11s", label);
	}
	fprintf(f, "\n%-24s", "");
	for (size_t g = 0; g < ng; g++)
		fprintf(f, " %-11s", "buf dir");
	fputc('\n', f);
	for (size_t i = 0; i < spec->n; i++) {
		fprintf(f, "%-24s", spec->clauses[i].id);
		for (size_t g = 0; g < ng; g++) {
			for (int direct = 0; direct < 2; direct++) {
				char m[48];
				snprintf(m, sizeof(m), "%s%s", direct ? "direct" : "buffered",
					 groups[g].profile);
				int c = rs_col_index(rs, groups[g].backend, m);
				fprintf(f, direct ? "   %c     " : "  %c",
					c < 0 ? ' '
					      : rs_letter(cells[i * rs->ncols + (size_t)c].status));
			}
		}
		fputc('\n', f);
	}
	fputs("P pass  F fail (MUST)  W fail (SHOULD)  S skip (does not apply)  N not implemented\n"
	      "A not applicable (the implementation declares a limit)  U backend unavailable\n"
	      "- no test ran (backend-independent clauses run once per mode)"
	      "  (blank: mode not run)  +kl: the keep-length profile\n",
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

const char *rs_check_name(void)
{
	const char *n = getenv("REFSTOR_CHECK_NAME");
	return n && *n ? n : "refstor-check";
}

int rs_report(const char *dir, const char *spec_path, const struct rs_run_info *info,
	      struct rs_expects *expects, int nfiles, char **files)
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
	rs_expect_apply(expects, rs.r, rs.n);
	size_t nstale;
	char **stale = rs_expect_stale(expects, rs.r, rs.n, &nstale);
	struct rs_cell *cells = calloc(spec.n * rs.ncols, sizeof(*cells));
	enum { NCOUNT = 10 };
	size_t count[NCOUNT] = {0};
	const char *names[NCOUNT] = {"PASS", "FAIL",  "WARN",  "SKIP",  "-",
				     "NIMP", "NORUN", "XFAIL", "FLAKE", "NA"};
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
	fprintf(md, "**Verdict: %s%s%s**\n\n", rs_verdict_name(verdict.code),
		verdict.code == RS_CONFORMANT_EXCEPT ? ": " : "",
		verdict.code == RS_CONFORMANT_EXCEPT ? verdict.except : "");
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
		"NA, %zu NORUN, %zu no test.\n\n",
		verdict.nwhy ? "\n" : "", spec.n, rs.ncols, count[0], count[1], count[2], count[3],
		count[5], count[9], count[6], count[4]);
	fprintf(md, "| clause | level |");
	for (size_t c = 0; c < rs.ncols; c++)
		fprintf(md, " %s (%c%s) |", rs.cols[c].backend, rs.cols[c].mode[0],
			strchr(rs.cols[c].mode, '+') ? strchr(rs.cols[c].mode, '+') : "");
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
			/* The audits and the health check are rows of a whole
			 * run, not tests: no --test reruns them. */
			if (strncmp(cell->why->test, "health/", 7) &&
			    (strncmp(cell->why->test, "hygiene/", 8) ||
			     !strstr(cell->why->test, "_after_every_test"))) {
				/* A column "buffered+keep-length" is --modes buffered
				 * --profile keep-length. */
				const char *mode = rs.cols[c].mode, *plus = strchr(mode, '+');
				fprintf(md,
					"  \n  rerun: `%s%s%s --backends %s --modes %.*s%s%s "
					"--test '%s'`",
					rs_check_name(), impl ? " --impl " : "", impl ? impl : "",
					rs.cols[c].backend,
					plus ? (int)(plus - mode) : (int)strlen(mode), mode,
					plus ? " --profile " : "", plus ? plus + 1 : "",
					cell->why->test);
			}
			fputc('\n', md);
		}
	if (!nf)
		fprintf(md, "None.\n");
	/* What the expectations (--expect) made of the results, and the entries
	 * nothing needed. */
	fprintf(md, "\n## Expected failures and flakes\n\n");
	size_t nx = 0;
	for (size_t i = 0; i < rs.n; i++) {
		if (strcmp(rs.r[i].status, "XFAIL") && strcmp(rs.r[i].status, "FLAKE"))
			continue;
		nx++;
		fprintf(md, "- **%s** %s on %s (%s) [%s]: ", rs.r[i].status, rs.r[i].test,
			rs.r[i].backend, rs.r[i].mode, rs.r[i].clauses);
		rs_md_escape(md, rs.r[i].message);
		fputc('\n', md);
	}
	for (size_t i = 0; i < nstale; i++) {
		fputs("- stale expectation: ", md);
		rs_md_escape(md, stale[i]);
		fputc('\n', md);
	}
	if (!nx && !nstale)
		fprintf(md, "None%s.\n", expects->n ? "" : " (no --expect file)");
	fprintf(md, "\n## Skips and their reasons\n\n| clause | run | reason |\n|---|---|---|\n");
	for (size_t i = 0; i < spec.n; i++)
		for (size_t c = 0; c < rs.ncols; c++) {
			struct rs_cell *cell = &cells[i * rs.ncols + c];
			if (strcmp(cell->status, "SKIP") && strcmp(cell->status, "NA"))
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
		", \"exit_status\": %d, \"must_clauses\": %zu, \"must_failed\": %zu, "
		"\"not_applicable\": %zu, \"except\": ",
		rs_verdict_exit_status(&verdict), verdict.must_clauses, verdict.must_failed,
		verdict.not_applicable);
	rs_json_string(js, verdict.except);
	fprintf(js, ", \"why\": [");
	for (size_t i = 0; i < verdict.nwhy; i++) {
		fputs(i ? ", " : "", js);
		rs_json_string(js, verdict.why[i]);
	}
	fprintf(js, "]},\n  \"run\": {");
	rs_json_members(js, info->keys, info->values, info->n);
	fprintf(js,
		"},\n  \"summary\": {\"clauses\": %zu, \"runs\": %zu, \"pass\": %zu, \"fail\": "
		"%zu, \"warn\": %zu, \"skip\": %zu, \"nimp\": %zu, \"na\": %zu, \"norun\": %zu, "
		"\"no_test\": %zu, \"xfail\": %zu, \"flake\": %zu},\n",
		spec.n, rs.ncols, count[0], count[1], count[2], count[3], count[5], count[9],
		count[6], count[4], count[7], count[8]);
	fprintf(js,
		"  \"expectations\": {\"entries\": %zu, \"expected_failures\": %zu, "
		"\"flakes\": %zu, \"stale\": [",
		expects->n, verdict.expected_failures, verdict.flakes);
	for (size_t i = 0; i < nstale; i++) {
		fputs(i ? ", " : "", js);
		rs_json_string(js, stale[i]);
	}
	fprintf(js, "]},\n  \"runs\": [");
	for (size_t c = 0; c < rs.ncols; c++) {
		fputs(c ? ", {" : "{", js);
		rs_json_members(js, (const char *[]){"backend", "mode"},
				(const char *[]){rs.cols[c].backend, rs.cols[c].mode}, 2);
		fputc('}', js);
	}
	fprintf(js, "],\n  \"clauses\": [\n");
	for (size_t i = 0; i < spec.n; i++) {
		const struct rs_clause *cl = &spec.clauses[i];
		fputs("    {", js);
		rs_json_members(js, (const char *[]){"id", "level", "title"},
				(const char *[]){cl->id, cl->level, cl->title}, 3);
		fprintf(js, ", \"results\": [");
		for (size_t c = 0; c < rs.ncols; c++) {
			const struct rs_cell *cell = &cells[i * rs.ncols + c];
			const struct rs_result *why = cell->why;
			fputs(c ? ", {" : "{", js);
			/* The test and message of a cell that is not a PASS. */
			rs_json_members(js, (const char *[]){"status", "test", "message"},
					(const char *[]){cell->status, why ? why->test : "",
							 why ? why->message : ""},
					why ? 3 : 1);
			fputc('}', js);
		}
		fprintf(js, "]}%s\n", i + 1 < spec.n ? "," : "");
	}
	fprintf(js, "  ],\n  \"tests\": [\n");
	for (size_t i = 0; i < rs.n; i++) {
		fputs("    ", js);
		rs_result_object(js, &rs.r[i]);
		fprintf(js, "%s\n", i + 1 < rs.n ? "," : "");
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
			if (!strcmp(r->status, "PASS") || !strcmp(r->status, "FLAKE")) {
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

	/* A failed test whose clauses are not in the spec must not vanish. */
	printf("conformance: %zu clauses x %zu runs: %zu PASS, %zu FAIL, %zu WARN, %zu SKIP, %zu "
	       "NIMP, %zu NA, %zu NORUN, %zu XFAIL, %zu FLAKE%s; reports in %s\n",
	       spec.n, rs.ncols, count[0], count[1], count[2], count[3], count[5], count[9],
	       count[6], count[7], count[8],
	       verdict.orphan_failed ? " (and failed tests of unknown clauses)" : "", dir);
	for (size_t i = 0; i < verdict.nwhy; i++)
		printf("  - %s\n", verdict.why[i]);
	for (size_t i = 0; i < nstale; i++)
		printf("  stale expectation: %s\n", stale[i]);
	/* What the expectations hid is in the verdict line, never only in a
	 * report: "CONFORMANT" with 3 expected failures is not CONFORMANT. */
	char used[256] = "";
	if (expects->n)
		snprintf(used, sizeof(used),
			 "; %zu expected failures, %zu expected flakes; expectations: %zu entries, "
			 "%zu stale",
			 verdict.expected_failures, verdict.flakes, expects->n, nstale);
	printf("verdict: %s%s%s (%zu of %zu MUST clauses failed%s%s)\n",
	       rs_verdict_name(verdict.code), verdict.code == RS_CONFORMANT_EXCEPT ? ": " : "",
	       verdict.code == RS_CONFORMANT_EXCEPT ? verdict.except : "", verdict.must_failed,
	       verdict.must_clauses, used, verdict.nwhy ? "; why: above" : "");
	int ret = rs_verdict_exit_status(&verdict);
	for (size_t i = 0; i < nstale; i++)
		free(stale[i]);
	free(stale);
	rs_verdict_free(&verdict);
	free(cells);
	free(rs.r);
	free(rs.cols);
	rs_spec_free(&spec);
	return ret;
}
