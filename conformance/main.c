/* SPDX-License-Identifier: MIT */
/*
 * main.c - refstor-conformance: run the suite, list clause -> tests, or merge
 * result files into the reports.
 *
 *   refstor-conformance [--impl SO] [--backend NAME] [--target PATH]
 *                       [--mode buffered|direct] [--role general|enospc]
 *                       [--clause GLOB] [--results FILE] [Criterion options]
 *   refstor-conformance --list [--spec FILE]
 *   refstor-conformance --check-impl [--impl SO]   (does it load and bind?)
 *   refstor-conformance --report DIR [--spec FILE] RESULTS.tsv...
 *   refstor-conformance --skip-run REASON --backend NAME --mode M --results FILE
 *       (a run that cannot happen: every test is recorded as skipped, why)
 *
 * The run's settings reach Criterion's worker processes (fresh processes) as
 * REFSTOR_CONF_* environment variables.
 */
#include "report.h"
#include "spec.h"
#include "suite.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct rs_clause_test *__start_rs_clauses[];
extern const struct rs_clause_test *__stop_rs_clauses[];

static void usage(FILE *f)
{
	fputs("usage: refstor-conformance [--impl SO] [--backend NAME] [--target PATH]\n"
	      "                           [--mode buffered|direct] [--role general|enospc]\n"
	      "                           [--clause GLOB] [--results FILE] [criterion options]\n"
	      "       refstor-conformance --list [--spec FILE]\n"
	      "       refstor-conformance --check-impl [--impl SO]\n"
	      "       refstor-conformance --report DIR [--spec FILE] RESULTS.tsv...\n"
	      "       refstor-conformance --skip-run REASON --backend NAME --mode MODE --results "
	      "FILE\n",
	      f);
}

/* clause -> tests, and every clause without a test or test without a clause. */
static int list_clauses(const char *spec_path)
{
	struct rs_spec spec;
	char err[512];
	if (rs_spec_load(spec_path, &spec, err, sizeof(err))) {
		fprintf(stderr, "refstor-conformance: %s\n", err);
		return 2;
	}
	int problems = 0;
	for (size_t i = 0; i < spec.n; i++) {
		const struct rs_clause *c = &spec.clauses[i];
		printf("%-24s %-6s", c->id, c->level);
		int n = 0;
		for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses;
		     t++)
			if (rs_clauses_match((*t)->clauses, c->id))
				printf("%s%s/%s", n++ ? ", " : " ", (*t)->suite, (*t)->name);
		if (!n) {
			printf(" NO TEST");
			problems++;
		}
		printf("\n");
	}
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", (*t)->clauses);
		for (char *save, *id = strtok_r(buf, " ", &save); id;
		     id = strtok_r(NULL, " ", &save))
			if (!rs_spec_find(&spec, id)) {
				printf("%s/%s names %s, which docs/spec.md does not define\n",
				       (*t)->suite, (*t)->name, id);
				problems++;
			}
	}
	printf("%zu clauses, %zu tests, %d problem(s)\n", spec.n,
	       (size_t)(__stop_rs_clauses - __start_rs_clauses), problems);
	rs_spec_free(&spec);
	return problems ? 1 : 0;
}

/* Tests the runner heard back from.  Criterion reports no POST_TEST for a
 * test that crashed in its setup or teardown: those must not vanish. */
enum { MAX_TESTS = 1024 };
static const struct criterion_test *reported[MAX_TESTS];
static size_t nreported;

static void record(const struct rs_conf *c, const char *test, const char *clauses,
		   const char *status, float seconds, const char *why)
{
	const char *results = getenv("REFSTOR_CONF_RESULTS");
	FILE *f = results ? fopen(results, "a") : NULL;
	if (!f)
		return;
	struct rs_result r = {.seconds = seconds};
	snprintf(r.mode, sizeof(r.mode), "%s", c->direct ? "direct" : "buffered");
	snprintf(r.status, sizeof(r.status), "%s", status);
	snprintf(r.backend, sizeof(r.backend), "%s", c->backend);
	snprintf(r.test, sizeof(r.test), "%s", test);
	snprintf(r.clauses, sizeof(r.clauses), "%s", clauses);
	snprintf(r.message, sizeof(r.message), "%s", why);
	rs_result_write(f, &r);
	fclose(f);
}

/* One line per finished test into REFSTOR_CONF_RESULTS (see report.h). */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	if (st->test->data->disabled)
		return;
	if (nreported < MAX_TESTS)
		reported[nreported++] = st->test;
	const struct rs_conf *c = rs_conf();
	const char *status = st->test_status == CR_STATUS_PASSED    ? "PASS"
			     : st->test_status == CR_STATUS_SKIPPED ? "SKIP"
								    : "FAIL";
	char why[1024] = "";
	if (st->timed_out)
		snprintf(why, sizeof(why), "timed out");
	else if (st->crashed)
		snprintf(why, sizeof(why), "crashed (signal %d)", st->signal);
	else if (st->test_status == CR_STATUS_SKIPPED && st->message)
		snprintf(why, sizeof(why), "%s", st->message);
	else
		for (struct criterion_assert_stats *a = st->asserts; a; a = a->next)
			if (!a->passed) {
				snprintf(why, sizeof(why), "%s",
					 a->message ? a->message : "assertion failed");
				break;
			}
	if (st->test_status == CR_STATUS_FAILED && !why[0] && st->exit_code)
		snprintf(why, sizeof(why), "exited with status %d", st->exit_code);
	char name[256];
	snprintf(name, sizeof(name), "%s/%s", st->test->category, st->test->name);
	record(c, name, st->test->data->description, status, st->elapsed_time, why);
	if (st->test_status == CR_STATUS_FAILED) {
		const char *impl = getenv("REFSTOR_CONF_IMPL_ARG");
		fprintf(stderr,
			"  rerun: ci/conformance%s%s --backends %s --modes %s --test '%s/%s'\n",
			impl ? " --impl " : "", impl ? impl : "", c->backend,
			c->direct ? "direct" : "buffered", st->test->category, st->test->name);
	}
}

/* Record every test (of clauses matching glob) as skipped, with why. */
static int skip_run(const char *why, const char *glob)
{
	if (!getenv("REFSTOR_CONF_RESULTS")) {
		fprintf(stderr, "refstor-conformance: --skip-run needs --results FILE\n");
		return 2;
	}
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++) {
		if (glob && !rs_clauses_match((*t)->clauses, glob))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%s/%s", (*t)->suite, (*t)->name);
		record(rs_conf(), name, (*t)->clauses, "SKIP", 0, why);
	}
	return 0;
}

/* Every enabled test that never reported is a failure of the run. */
static size_t record_silent(struct criterion_test_set *set)
{
	size_t silent = 0;
	struct criterion_suite_set *suite;
	FOREACH_SET(suite, set->suites)
	{
		struct criterion_test *test;
		FOREACH_SET(test, suite->tests)
		{
			if (test->data->disabled)
				continue;
			size_t i = 0;
			while (i < nreported && (strcmp(reported[i]->name, test->name) ||
						 strcmp(reported[i]->category, test->category)))
				i++;
			if (i < nreported)
				continue;
			char name[256];
			snprintf(name, sizeof(name), "%s/%s", test->category, test->name);
			record(rs_conf(), name,
			       test->data->description ? test->data->description : "", "FAIL", 0,
			       "crashed during setup or teardown: no result");
			silent++;
		}
	}
	return silent;
}

/* Keep only the tests of clauses matching glob. */
static size_t select_clauses(struct criterion_test_set *set, const char *glob)
{
	size_t kept = 0;
	struct criterion_suite_set *suite;
	FOREACH_SET(suite, set->suites)
	{
		struct criterion_test *test;
		FOREACH_SET(test, suite->tests)
		{
			const char *cl = test->data->description ? test->data->description : "";
			if (rs_clauses_match(cl, glob))
				kept++;
			else
				test->data->disabled = true;
		}
	}
	return kept;
}

int main(int argc, char **argv)
{
	const char *spec = REFSTOR_SPEC_MD, *report_dir = NULL, *clause = NULL, *skip_why = NULL;
	bool list = false, check_impl = false;
	/* Our options come out of argv; the rest goes to Criterion. */
	int out = 1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *env = NULL;
		if (!strcmp(a, "--impl"))
			env = "REFSTOR_CONF_IMPL";
		else if (!strcmp(a, "--backend"))
			env = "REFSTOR_CONF_BACKEND";
		else if (!strcmp(a, "--target"))
			env = "REFSTOR_CONF_TARGET";
		else if (!strcmp(a, "--mode"))
			env = "REFSTOR_CONF_MODE";
		else if (!strcmp(a, "--role"))
			env = "REFSTOR_CONF_ROLE";
		else if (!strcmp(a, "--results"))
			env = "REFSTOR_CONF_RESULTS";
		if (env || !strcmp(a, "--spec") || !strcmp(a, "--report") ||
		    !strcmp(a, "--clause") || !strcmp(a, "--skip-run")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "refstor-conformance: %s needs a value\n", a);
				usage(stderr);
				return 2;
			}
			const char *v = argv[++i];
			if (env) {
				setenv(env, v, 1);
				if (!strcmp(a, "--impl"))
					setenv("REFSTOR_CONF_IMPL_ARG", v, 1);
			} else if (!strcmp(a, "--spec")) {
				spec = v;
			} else if (!strcmp(a, "--report")) {
				report_dir = v;
			} else if (!strcmp(a, "--skip-run")) {
				skip_why = v;
			} else {
				clause = v;
			}
		} else if (!strcmp(a, "--list")) {
			list = true;
		} else if (!strcmp(a, "--check-impl")) {
			check_impl = true;
		} else if (!strcmp(a, "--usage")) {
			usage(stdout);
			return 0;
		} else {
			argv[out++] = argv[i];
		}
	}
	argc = out;
	argv[argc] = NULL;

	if (list)
		return list_clauses(spec);
	if (report_dir)
		return rs_report(report_dir, spec, argc - 1, argv + 1);
	if (skip_why)
		return skip_run(skip_why, clause);

	const char *mode = getenv("REFSTOR_CONF_MODE");
	if (mode && strcmp(mode, "buffered") && strcmp(mode, "direct")) {
		fprintf(stderr, "refstor-conformance: --mode is buffered or direct, not %s\n",
			mode);
		return 2;
	}
	/* A port that cannot be loaded, or lacks a core function, is an
	 * error of the run, not a list of failed tests. */
	char err[1024], missing[1024];
	struct rs_impl *impl = rs_impl_load(rs_conf()->impl, err, sizeof(err));
	if (!impl) {
		fprintf(stderr, "refstor-conformance: %s\n", err);
		return 2;
	}
	rs_impl_missing(impl, missing, sizeof(missing));
	if (missing[0])
		fprintf(stderr,
			"refstor-conformance: %s does not implement %s: their clauses skip\n",
			rs_conf()->impl, missing);
	if (check_impl)
		printf("%s: loads; version %s\n", rs_conf()->impl,
		       impl->version ? impl->version() : "(refstor_version not implemented)");
	/* The tests load it themselves, each in its own process. */
	rs_impl_unload(impl);
	if (check_impl)
		return 0;

	struct criterion_test_set *tests = criterion_initialize();
	if (clause && !select_clauses(tests, clause)) {
		fprintf(stderr, "refstor-conformance: no test checks a clause matching %s\n",
			clause);
		criterion_finalize(tests);
		return 2;
	}
	int result = 0;
	if (criterion_handle_args(argc, argv, true)) {
		result = !criterion_run_all_tests(tests);
		if (record_silent(tests))
			result = 1;
	}
	criterion_finalize(tests);
	return result;
}
