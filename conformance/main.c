/* SPDX-License-Identifier: MIT */
/*
 * main.c - refstor-conformance: run the suite, list clause -> tests, or merge
 * result files into the reports.
 *
 *   refstor-conformance [--impl SO] [--backend NAME] [--target PATH]
 *                       [--mode buffered|direct] [--role general|enospc] [--once]
 *                       [--clause GLOB] [--results FILE] [Criterion options]
 *       --once: also run the backend-independent tests (one run per mode)
 *   refstor-conformance --list [--spec FILE]
 *   refstor-conformance --check-impl [--impl SO]   (does it load and bind?)
 *   refstor-conformance --about-impl [--impl SO]   (JSON: version, missing functions,
 *                                                   a self-test mutant's must_fail)
 *   refstor-conformance --report DIR [--spec FILE] RESULTS.tsv...
 *   refstor-conformance --skip-run REASON --backend NAME --mode M --results FILE
 *       (a run that cannot happen: every test is recorded NORUN, with why)
 *
 * The run's settings reach Criterion's worker processes (fresh processes) as
 * REFSTOR_CONF_* environment variables.
 */
#include "report.h"
#include "spec.h"
#include "suite.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const struct rs_clause_test *__start_rs_clauses[];
extern const struct rs_clause_test *__stop_rs_clauses[];

static void usage(FILE *f)
{
	fputs("usage: refstor-conformance [--impl SO] [--backend NAME] [--target PATH]\n"
	      "                           [--mode buffered|direct] [--role general|enospc] "
	      "[--once]\n"
	      "                           [--clause GLOB] [--results FILE] [criterion options]\n"
	      "       refstor-conformance --list [--spec FILE]\n"
	      "       refstor-conformance --check-impl [--impl SO]\n"
	      "       refstor-conformance --report DIR [--spec FILE] RESULTS.tsv...\n"
	      "       refstor-conformance --skip-run REASON --backend NAME --mode MODE --results "
	      "FILE\n",
	      f);
}

/* clause -> tests, and every clause without a test or a basis, or test without
 * a clause. */
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
		if (!rs_basis_ok(c)) {
			printf(" NO BASIS (a line \"Basis: original: ...\", \"FIX: ...\" or \"ADD: "
			       "...\")");
			problems++;
		}
		printf("\n");
	}
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++) {
		/* A failure is charged to every clause its test names: one each. */
		if (strchr((*t)->clauses, ' ')) {
			printf(
			    "%s/%s names several clauses (%s): a failure would be charged to all "
			    "of them\n",
			    (*t)->suite, (*t)->name, (*t)->clauses);
			problems++;
		}
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
 * test that crashed (TEST_CRASH instead), and none at all for one whose
 * process vanished otherwise: those must not vanish from the results. */
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

/* Did the body of test suite/name get to its end (rs_test_done)? */
static bool body_finished(const char *name)
{
	const char *done = getenv("REFSTOR_CONF_DONE");
	FILE *f = done ? fopen(done, "r") : NULL;
	if (!f)
		return false;
	char line[512];
	bool found = false;
	while (!found && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		found = !strcmp(line, name);
	}
	fclose(f);
	return found;
}

/* Every failed check, in the order they failed, joined by " | ". */
static void failed_checks(const struct criterion_test_stats *st, char *out, size_t len)
{
	const struct criterion_assert_stats *a[256];
	size_t n = 0;
	for (const struct criterion_assert_stats *p = st->asserts; p && n < 256; p = p->next)
		if (!p->passed)
			a[n++] = p;
	out[0] = '\0';
	/* Criterion keeps them newest first. */
	for (size_t i = n; i-- > 0;) {
		size_t used = strlen(out);
		snprintf(out + used, len - used, "%s%s", used ? " | " : "",
			 a[i]->message ? a[i]->message : "assertion failed");
	}
}

static void print_rerun(const struct rs_conf *c, const struct criterion_test *t)
{
	const char *impl_arg = getenv("REFSTOR_CONF_IMPL_ARG");
	fprintf(stderr, "  rerun: ci/conformance%s%s --backends %s --modes %s --test '%s/%s'\n",
		impl_arg ? " --impl " : "", impl_arg ? impl_arg : "", c->backend,
		c->direct ? "direct" : "buffered", t->category, t->name);
}

/* The runner's half of a test's end: remember it reported, and remove its
 * directory whatever became of its process. */
static void note_reported(const struct criterion_test *t)
{
	if (nreported < MAX_TESTS)
		reported[nreported++] = t;
	if (!rs_conf()->is_dev) {
		char dir[1024];
		rs_test_dir(t->category, t->name, dir, sizeof(dir));
		rs_remove_tree(dir);
	}
}

/* One line per finished test into REFSTOR_CONF_RESULTS (see report.h). */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	if (st->test->data->disabled)
		return;
	note_reported(st->test);
	const struct rs_conf *c = rs_conf();
	char name[256];
	snprintf(name, sizeof(name), "%s/%s", st->test->category, st->test->name);
	const char *status = st->test_status == CR_STATUS_PASSED    ? "PASS"
			     : st->test_status == CR_STATUS_SKIPPED ? "SKIP"
								    : "FAIL";
	char why[RS_MESSAGE_MAX] = "";
	if (st->timed_out) {
		snprintf(why, sizeof(why), "timed out");
	} else if (st->test_status == CR_STATUS_SKIPPED) {
		snprintf(why, sizeof(why), "%s", st->message ? st->message : "");
		if (!strncmp(why, RS_NIMP_PREFIX, strlen(RS_NIMP_PREFIX)))
			status = "NIMP";
	} else {
		failed_checks(st, why, sizeof(why));
	}
	if (st->test_status == CR_STATUS_FAILED && !why[0] && st->exit_code)
		snprintf(why, sizeof(why), "the test process exited with status %d", st->exit_code);
	/* A clean exit before the body's end (a port calling exit(0)) is what
	 * Criterion counts as a pass: it is not one. */
	if (!strcmp(status, "PASS") && !body_finished(name)) {
		status = "FAIL";
		snprintf(why, sizeof(why),
			 "the test process exited (status %d) before the test finished: the "
			 "implementation ended the process",
			 st->exit_code);
	}
	record(c, name, st->test->data->description, status, st->elapsed_time, why);
	if (!strcmp(status, "FAIL"))
		print_rerun(c, st->test);
}

/* A signal killed the test process: a FAIL of its clauses, with the signal
 * and whatever checks had failed before it. */
ReportHook(TEST_CRASH)(struct criterion_test_stats *st)
{
	if (st->test->data->disabled)
		return;
	note_reported(st->test);
	const struct rs_conf *c = rs_conf();
	char name[256], checks[RS_MESSAGE_MAX - 128], why[RS_MESSAGE_MAX];
	snprintf(name, sizeof(name), "%s/%s", st->test->category, st->test->name);
	failed_checks(st, checks, sizeof(checks));
	snprintf(why, sizeof(why), "crashed: killed by signal %d (%s)%s%s", st->signal,
		 strsignal(st->signal), checks[0] ? "; before that: " : "", checks);
	record(c, name, st->test->data->description, "FAIL", st->elapsed_time, why);
	print_rerun(c, st->test);
}

/* Record every test (of clauses matching glob) as not run, with why: the
 * backend could not be brought up. */
static int skip_run(const char *why, const char *glob, const char *status, bool once)
{
	if (!getenv("REFSTOR_CONF_RESULTS")) {
		fprintf(stderr, "refstor-conformance: --skip-run needs --results FILE\n");
		return 2;
	}
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++) {
		/* The backend-independent tests run on another backend. */
		if (((*t)->once && !once) || (glob && !rs_clauses_match((*t)->clauses, glob)))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%s/%s", (*t)->suite, (*t)->name);
		record(rs_conf(), name, (*t)->clauses, status, 0, why);
	}
	return 0;
}

/* A direct run on a filesystem without direct I/O (ramfs): every test would
 * skip, one process each; say so once instead.  Returns the reason, or NULL
 * when the run can go ahead. */
static const char *no_direct_io(char *why, size_t len)
{
	const struct rs_conf *c = rs_conf();
	if (!c->direct || c->is_dev)
		return NULL;
	char p[1100];
	snprintf(p, sizeof(p), "%s/direct-probe.%d", c->target, (int)getpid());
	int fd = open(p, O_RDWR | O_CREAT | O_DIRECT, 0644);
	int e = errno;
	if (fd >= 0)
		close(fd);
	unlink(p);
	if (fd >= 0 || e == ENOENT || e == EACCES)
		return NULL; /* a bad target is the tests' to report */
	snprintf(why, len, "%s has no direct I/O (open O_DIRECT: %s)", c->backend, strerror(e));
	return why;
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
			       "the test process ended without reporting a result");
			silent++;
		}
	}
	return silent;
}

static void json_string(const char *s)
{
	putchar('"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		if (*p == '"' || *p == '\\')
			printf("\\%c", *p);
		else if (*p < 0x20)
			printf("\\u%04x", *p);
		else
			putchar(*p);
	}
	putchar('"');
}

/* --about-impl: what the implementation is, as JSON on one line: its path,
 * version, the ABI functions it lacks and, for the self-test's own
 * implementations (selftest/mutant.h), what it must fail. */
static void about_impl(const struct rs_impl *impl, const char *missing)
{
	const char *must_fail = dlsym(impl->dl, "refstor_mutant_must_fail");
	const char *what = dlsym(impl->dl, "refstor_mutant_what");
	printf("{\"impl\": ");
	json_string(impl->path);
	printf(", \"version\": ");
	json_string(impl->version ? impl->version() : NULL);
	printf(", \"missing\": [");
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", missing);
	int n = 0;
	for (char *save, *f = strtok_r(buf, ", ", &save); f; f = strtok_r(NULL, ", ", &save)) {
		printf("%s", n++ ? ", " : "");
		json_string(f);
	}
	printf("]");
	if (must_fail) {
		printf(", \"must_fail\": [");
		snprintf(buf, sizeof(buf), "%s", must_fail);
		n = 0;
		for (char *save, *c = strtok_r(buf, " ", &save); c;
		     c = strtok_r(NULL, " ", &save)) {
			printf("%s", n++ ? ", " : "");
			json_string(c);
		}
		printf("], \"what\": ");
		json_string(what);
	}
	printf("}\n");
}

static const struct rs_clause_test *clause_test(const struct criterion_test *test)
{
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++)
		if (!strcmp((*t)->suite, test->category) && !strcmp((*t)->name, test->name))
			return *t;
	return NULL;
}

/* Keep only the tests of clauses matching glob (NULL: all), and the
 * backend-independent ones only on the run that is given --once. */
static size_t select_tests(struct criterion_test_set *set, const char *glob, bool once)
{
	size_t kept = 0;
	struct criterion_suite_set *suite;
	FOREACH_SET(suite, set->suites)
	{
		struct criterion_test *test;
		FOREACH_SET(test, suite->tests)
		{
			const struct rs_clause_test *ct = clause_test(test);
			const char *cl = test->data->description ? test->data->description : "";
			if ((glob && !rs_clauses_match(cl, glob)) || (ct && ct->once && !once))
				test->data->disabled = true;
			else
				kept++;
		}
	}
	return kept;
}

int main(int argc, char **argv)
{
	const char *spec = REFSTOR_SPEC_MD, *report_dir = NULL, *clause = NULL, *skip_why = NULL;
	bool list = false, check_impl = false, once = false, about = false;
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
		} else if (!strcmp(a, "--once")) {
			once = true;
		} else if (!strcmp(a, "--about-impl")) {
			about = true;
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
		return skip_run(skip_why, clause, "NORUN", false);

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
			"refstor-conformance: %s does not implement %s: the tests that need them "
			"are NOT IMPLEMENTED, and the verdict at best INCOMPLETE\n",
			rs_conf()->impl, missing);
	if (check_impl)
		printf("%s: loads; version %s\n", rs_conf()->impl,
		       impl->version ? impl->version() : "(refstor_version not implemented)");
	if (about)
		about_impl(impl, missing);
	/* The tests load it themselves, each in its own process. */
	rs_impl_unload(impl);
	if (check_impl || about)
		return 0;

	char why[512];
	if (no_direct_io(why, sizeof(why)))
		return skip_run(why, clause, "SKIP", once);
	/* A small filesystem to fill is for the ENOSPC clauses alone: the rest
	 * are not even started there. */
	if (!strcmp(rs_conf()->role, "enospc") && !clause)
		clause = "ENOSPC-*";
	struct criterion_test_set *tests = criterion_initialize();
	if (!select_tests(tests, clause, once)) {
		fprintf(stderr, "refstor-conformance: no test to run%s%s\n",
			clause ? " for clauses matching " : "", clause ? clause : "");
		criterion_finalize(tests);
		return 2;
	}
	/* Where each test body records that it got to its end (suite.h). */
	char done[] = "/tmp/refstor-conformance-done.XXXXXX";
	int dfd = mkstemp(done);
	if (dfd < 0) {
		perror("refstor-conformance: mkstemp");
		criterion_finalize(tests);
		return 2;
	}
	close(dfd);
	setenv("REFSTOR_CONF_DONE", done, 1);
	int result = 0;
	if (criterion_handle_args(argc, argv, true)) {
		result = !criterion_run_all_tests(tests);
		if (record_silent(tests))
			result = 1;
	}
	unlink(done);
	criterion_finalize(tests);
	return result;
}
