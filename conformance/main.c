/* SPDX-License-Identifier: MIT */
/*
 * main.c - refstor-conformance: run the suite, list clause -> tests, or merge
 * result files into the reports; usage() has the options.  --once also runs
 * the backend-independent tests (one run per mode); --check-impl says whether
 * the implementation loads and binds, --about-impl what it is (JSON: version,
 * missing functions, a self-test mutant's must_fail); --skip-run records a run
 * that cannot happen (every test NORUN, with why).
 *
 * The run's settings reach Criterion's worker processes (fresh processes) as
 * REFSTOR_CONF_* environment variables.
 */
#include "backend.h"
#include "expect.h"
#include "loader.h"
#include "names.h"
#include "report.h"
#include "spec.h"
#include "suite.h"
#include "watch.h"

#include <criterion/hooks.h>
#include <criterion/internal/ordered-set.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

extern const struct rs_clause_test *__start_rs_clauses[];
extern const struct rs_clause_test *__stop_rs_clauses[];

/* The hygiene audit (hygiene.h) runs after every test; its findings are
 * results of their own, one per run, charged to these clauses. */
static const struct rs_clause_test audits[] = {
    {"hygiene", "fds_after_every_test", "HYGIENE-FD-1", false},
    {"hygiene", "files_after_every_test", "HYGIENE-FILES-1", false},
    /* The health check after a backend's runs is refstor-check's (it needs
     * the fixture and the kernel log): listed, and not-run with the rest. */
    {"health", "after_the_runs", "HEALTH-1", false},
};
enum { NAUDITS = sizeof(audits) / sizeof(audits[0]), NRUNNER_AUDITS = 2 };
#define NTESTS ((size_t)(__stop_rs_clauses - __start_rs_clauses))

/* Per-test limit when none is given: ten times the slowest test measured on
 * this project's machines (the 2 s CONC stress), so that a sanitizer build
 * still fits and a hang costs a run seconds, not minutes. */
#define RS_DEFAULT_TIMEOUT 20.0

static void usage(FILE *f)
{
	fputs("usage: refstor-conformance [--impl SO] [--backend NAME] [--target PATH]\n"
	      "                           [--mode buffered|direct] [--role general|enospc] "
	      "[--once]\n"
	      "                           [--clause GLOB] [--results FILE] [--timeout SECONDS]\n"
	      "                           [--keep-going] [--no-rerun] [--expect FILE]...\n"
	      "                           [criterion options]\n"
	      "       refstor-conformance --list [--spec FILE]\n"
	      "       refstor-conformance --check-impl [--impl SO]\n"
	      "       refstor-conformance --report DIR [--spec FILE] [--meta KEY=VALUE]...\n"
	      "                           [--expect FILE]...\n"
	      "                           [--interrupted SIGNAL] RESULTS.jsonl...\n"
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
		for (size_t k = 0; k < NTESTS + NAUDITS; k++) {
			const struct rs_clause_test *t =
			    k < NTESTS ? __start_rs_clauses[k] : &audits[k - NTESTS];
			if (rs_clauses_match(t->clauses, c->id))
				printf("%s%s/%s%s", n++ ? ", " : " ", t->suite, t->name,
				       k < NTESTS ? "" : " (audit)");
		}
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
	printf("%zu clauses, %zu tests, %d problem(s)\n", spec.n, NTESTS, problems);
	rs_spec_free(&spec);
	return problems ? 1 : 0;
}

/* Tests the runner heard back from.  Criterion reports no POST_TEST for a
 * test that crashed (TEST_CRASH instead), and none at all for one whose
 * process vanished otherwise: those must not vanish from the results. */
enum { MAX_TESTS = 1024 };
static const struct criterion_test *reported[MAX_TESTS];
static size_t nreported;

/* The run's mode as results name it: a run of another profile than the
 * default is a column of its own ("buffered+keep-length"). */
static void run_mode(const struct rs_conf *c, char *out, size_t len)
{
	snprintf(out, len, "%s%s%s", c->direct ? "direct" : "buffered", c->profile ? "+" : "",
		 c->profile ? refstor_profile_name(c->profile) : "");
}

/* One result: a JSON line appended to REFSTOR_CONF_RESULTS (report.h). */
static void record(const struct rs_conf *c, const char *test, const char *clauses,
		   const char *status, float seconds, const char *why)
{
	const char *results = getenv("REFSTOR_CONF_RESULTS");
	FILE *f = results ? fopen(results, "a") : NULL;
	if (!f)
		return;
	struct rs_result r = {.seconds = seconds};
	run_mode(c, r.mode, sizeof(r.mode));
	snprintf(r.status, sizeof(r.status), "%s", status);
	snprintf(r.backend, sizeof(r.backend), "%s", c->backend);
	snprintf(r.test, sizeof(r.test), "%s", test);
	snprintf(r.clauses, sizeof(r.clauses), "%s", clauses);
	snprintf(r.message, sizeof(r.message), "%s", why);
	rs_result_write(f, &r);
	fclose(f);
}

/* The hygiene audit's findings over the run: how many tests it looked at,
 * and the first few that left something. */
enum { AUDIT_SHOWN = 3 };
static size_t audited; /* tests that got to their end: each audit looked at all */
static struct {
	size_t dirty;
	char shown[RS_MESSAGE_MAX];
} audit[NAUDITS];

static void audit_note(size_t a, const char *test, const char *finding)
{
	if (!finding[0])
		return;
	if (audit[a].dirty++ < AUDIT_SHOWN) {
		size_t used = strlen(audit[a].shown);
		snprintf(audit[a].shown + used, sizeof(audit[a].shown) - used, "%safter %s: %s",
			 used ? " | " : "", test, finding);
	}
}

/* A test hung: unless told to keep going, the rest of the run is not
 * started (main.c's state directory, read by rs_test_init). */
static void stop_run(const char *why)
{
	const char *state = getenv("REFSTOR_CONF_STATE");
	if (!state || getenv("REFSTOR_CONF_KEEP_GOING"))
		return;
	char p[1024];
	snprintf(p, sizeof(p), "%s/stop", state);
	FILE *f = fopen(p, "wx");
	if (!f)
		return; /* an earlier hang said it first */
	fprintf(f, "%s\n", why);
	fclose(f);
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
	if (getenv("REFSTOR_CONF_RERUN"))
		return; /* said once, by the run the test failed in */
	fprintf(stderr, "  rerun: %s%s%s --backends %s --modes %s%s%s --test '%s/%s'\n",
		rs_check_name(), impl_arg ? " --impl " : "", impl_arg ? impl_arg : "", c->backend,
		c->direct ? "direct" : "buffered", c->profile ? " --profile " : "",
		c->profile ? refstor_profile_name(c->profile) : "", t->category, t->name);
}

/* The runner's half of a test's end (false for a disabled test): remember
 * it reported, and remove its directory whatever became of its process.
 * Into w what the test process recorded (watch.h), all zero if it recorded
 * nothing (it died before its first line, or never started); into name
 * "suite/test", into in " in refstor_writev (after 20.0 s in it)" or ""
 * outside any call. */
static bool test_ended(const struct criterion_test *t, struct rs_watch *w, char name[256],
		       char in[128])
{
	if (t->data->disabled)
		return false;
	if (nreported < MAX_TESTS)
		reported[nreported++] = t;
	if (!rs_conf()->is_dev) {
		char dir[1024];
		rs_test_dir(t->category, t->name, dir, sizeof(dir));
		rs_remove_tree(dir);
	}
	const char *state = getenv("REFSTOR_CONF_STATE");
	if (!state || !rs_watch_read(state, t->category, t->name, w))
		memset(w, 0, sizeof(*w));
	snprintf(name, 256, "%s/%s", t->category, t->name);
	char call[64];
	double secs;
	in[0] = '\0';
	if (rs_watch_oldest(w, call, sizeof(call), &secs))
		snprintf(in, 128, " in %s (after %.1f s in it)", call, secs);
	return true;
}

/* A test that ran past its limit: why, and stop the rest of the run. */
static void hung(const struct criterion_test_stats *st, const char *name, const char *in, char *why,
		 size_t len)
{
	if (in[0])
		snprintf(why, len, "hung%s: stopped at the %.0f s limit (--timeout)", in,
			 st->test->data->timeout);
	else
		snprintf(why, len,
			 "timed out after %.0f s (--timeout), outside any call into the "
			 "implementation",
			 st->test->data->timeout);
	char stop[RS_MESSAGE_MAX];
	snprintf(stop, sizeof(stop),
		 "%s hung earlier in this run on %s; --keep-going runs the rest anyway", name,
		 rs_where());
	stop_run(stop);
}

/* One line per finished test into REFSTOR_CONF_RESULTS (see report.h). */
ReportHook(POST_TEST)(struct criterion_test_stats *st)
{
	struct rs_watch w;
	char name[256], in[128];
	if (!test_ended(st->test, &w, name, in))
		return;
	const struct rs_conf *c = rs_conf();
	const char *status = st->test_status == CR_STATUS_PASSED    ? "PASS"
			     : st->test_status == CR_STATUS_SKIPPED ? "SKIP"
								    : "FAIL";
	char why[RS_MESSAGE_MAX] = "";
	if (st->timed_out) {
		status = "FAIL";
		hung(st, name, in, why, sizeof(why));
	} else if (st->test_status == CR_STATUS_SKIPPED) {
		snprintf(why, sizeof(why), "%s", st->message ? st->message : "");
		if (!strncmp(why, RS_NIMP_PREFIX, strlen(RS_NIMP_PREFIX)))
			status = "NIMP";
		else if (!strncmp(why, RS_NA_PREFIX, strlen(RS_NA_PREFIX)))
			status = "NA";
		else if (!strncmp(why, RS_NORUN_PREFIX, strlen(RS_NORUN_PREFIX)))
			status = "NORUN";
	} else {
		failed_checks(st, why, sizeof(why));
	}
	if (!strcmp(status, "FAIL") && !why[0] && st->exit_code)
		snprintf(why, sizeof(why), "the test process exited with status %d%s",
			 st->exit_code, in);
	/* A clean exit before the body's end (a port calling exit(0)) is what
	 * Criterion counts as a pass: it is not one. */
	if (!strcmp(status, "PASS") && !w.finished) {
		status = "FAIL";
		snprintf(why, sizeof(why),
			 "the test process exited (status %d)%s before the test finished: the "
			 "implementation ended the process",
			 st->exit_code, in[0] ? in : " outside any call into the implementation");
	}
	if (w.finished) {
		audited++;
		audit_note(0, name, w.fds);
		audit_note(1, name, w.files);
	}
	record(c, name, st->test->data->description, status, st->elapsed_time, why);
	if (!strcmp(status, "FAIL"))
		print_rerun(c, st->test);
}

/* A signal killed the test process: a FAIL of its clauses, with the signal,
 * the call it happened in and whatever checks had failed before it. */
ReportHook(TEST_CRASH)(struct criterion_test_stats *st)
{
	struct rs_watch w;
	char name[256], in[128], checks[RS_MESSAGE_MAX - 256], why[RS_MESSAGE_MAX];
	if (!test_ended(st->test, &w, name, in))
		return;
	const struct rs_conf *c = rs_conf();
	failed_checks(st, checks, sizeof(checks));
	if (st->timed_out)
		hung(st, name, in, why, sizeof(why));
	else
		snprintf(why, sizeof(why), "crashed: killed by signal %d (%s)%s%s%s", st->signal,
			 strsignal(st->signal),
			 in[0] ? in : " outside any call into the implementation",
			 checks[0] ? "; before that: " : "", checks);
	record(c, name, st->test->data->description, "FAIL", st->elapsed_time, why);
	print_rerun(c, st->test);
}

/* One result per audit for the run: PASS when every test that got to its
 * end left nothing, FAIL with the first few that did. */
static void record_audits(const char *glob)
{
	for (size_t a = 0; a < NRUNNER_AUDITS; a++) {
		if (glob && !rs_clauses_match(audits[a].clauses, glob))
			continue;
		char name[128], why[RS_MESSAGE_MAX];
		snprintf(name, sizeof(name), "%s/%s", audits[a].suite, audits[a].name);
		const char *status = "PASS";
		if (!audited) {
			status = "SKIP";
			snprintf(why, sizeof(why), "no test got to its end on this run");
		} else if (audit[a].dirty) {
			status = "FAIL";
			snprintf(why, sizeof(why), "%zu of %zu tests left something: %.3900s%s",
				 audit[a].dirty, audited, audit[a].shown,
				 audit[a].dirty > AUDIT_SHOWN ? " | ..." : "");
		} else {
			snprintf(why, sizeof(why), "checked after %zu tests", audited);
		}
		record(rs_conf(), name, audits[a].clauses, status, 0, why);
	}
}

/* Record every test (of clauses matching glob) as not run, with why: the
 * backend could not be brought up. */
static int skip_run(const char *why, const char *glob, const char *status, bool once)
{
	const char *results = getenv("REFSTOR_CONF_RESULTS");
	if (!results) {
		fprintf(stderr, "refstor-conformance: --skip-run needs --results FILE\n");
		return 2;
	}
	/* A run cut short (a spent budget, a signal) keeps what it recorded;
	 * only the rest is not run.  What it recorded is read as results (a
	 * test named inside another's message does not count); no file yet
	 * is none. */
	struct rs_result *have = NULL;
	size_t nhave = 0;
	if (rs_results_read(results, &have, &nhave) && errno != ENOENT)
		fprintf(stderr, "refstor-conformance: cannot read %s (%s): recording every test\n",
			results, strerror(errno));
	for (size_t i = 0; i < NAUDITS + NTESTS; i++) {
		const struct rs_clause_test *t =
		    i < NAUDITS ? &audits[i] : __start_rs_clauses[i - NAUDITS];
		/* The backend-independent tests run on another backend. */
		if ((t->once && !once) || (glob && !rs_clauses_match(t->clauses, glob)))
			continue;
		char name[256];
		snprintf(name, sizeof(name), "%s/%s", t->suite, t->name);
		size_t k = 0;
		while (k < nhave && strcmp(have[k].test, name))
			k++;
		if (k < nhave)
			continue;
		/* A clause of the other profile does not apply to this run at all. */
		const char *other = getenv("REFSTOR_CONF_OTHER_PROFILE");
		bool elsewhere = other && rs_clauses_all_match(t->clauses, other);
		record(rs_conf(), name, t->clauses, elsewhere ? "SKIP" : status, 0,
		       elsewhere ? "a clause of another profile" : why);
	}
	free(have);
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
	struct rs_backend b;
	if (rs_backend_probe(&b, c->target, RS_PROBE_DIRECT) || b.direct.ok)
		return NULL; /* a bad target is the tests' to report */
	snprintf(why, len, "%s has no direct I/O (%s)", c->backend, b.direct.why);
	return why;
}

/* A run of a profile the implementation does not offer: every test would
 * be "not implemented"; say so once.  A port implements a profile other than
 * imago when it reports ABI 1.0 or later and opens a handle with it
 * (PROFILE-OPT-1: one that lacks it refuses it with ENOTSUP). */
static const char *profile_missing(char *why, size_t len)
{
	const struct rs_conf *c = rs_conf();
	char err[1024], path[4200];
	const struct rs_impl *i = rs_impl_load(c->impl, err, sizeof(err));
	if (!i)
		return NULL; /* the loader check has said why */
	if (!i->abi_version || i->abi_version() < 100) {
		snprintf(why, len, RS_NIMP_PREFIX "the %s profile (the implementation is ABI %s)",
			 refstor_profile_name(c->profile),
			 i->abi_version ? "0.x: refstor_abi_version() < 100"
					: "0.1: no refstor_abi_version");
		return why;
	}
	snprintf(path, sizeof(path), "%s/rs.profile.%d", c->target, (int)getpid());
	struct refstor_create_opts o = {
	    .open = {.path = c->is_dev ? c->target : path, .profile = c->profile}};
	refstor *s = NULL;
	int r = c->is_dev ? i->open(&o.open, &s) : i->create ? i->create(&o, &s) : 0;
	if (s)
		i->close(s);
	if (!c->is_dev)
		unlink(path);
	if (r != -ENOTSUP)
		return NULL; /* another failure is the tests' to report */
	snprintf(why, len, RS_NIMP_PREFIX "the %s profile (refused with ENOTSUP: %s)",
		 refstor_profile_name(c->profile), i->last_error ? i->last_error() : "");
	return why;
}

/* profile_missing, in a child: a port that crashes there is the tests' to
 * report, not the runner's end. */
static const char *no_profile(char *why, size_t len)
{
	int fds[2];
	if (rs_conf()->profile == REFSTOR_PROFILE_IMAGO || pipe(fds))
		return NULL;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		const char *w = profile_missing(why, len);
		if (w && write(fds[1], w, strlen(w)) < 0)
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	ssize_t n = pid > 0 ? read(fds[0], why, len - 1) : 0;
	close(fds[0]);
	if (pid > 0)
		waitpid(pid, NULL, 0);
	if (n <= 0)
		return NULL;
	why[n] = '\0';
	return why;
}

/* Rerun test alone in a fresh runner; its result into *out.  False if it
 * gave none. */
static bool rerun_one(const char *test, double timeout, struct rs_result *out)
{
	char tmp[] = "/tmp/refstor-rerun.XXXXXX", secs[32];
	int fd = mkstemp(tmp);
	if (fd < 0)
		return false;
	close(fd);
	snprintf(secs, sizeof(secs), "%g", timeout);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("REFSTOR_CONF_RESULTS", tmp, 1);
		setenv("REFSTOR_CONF_RERUN", "1", 1);
		/* --once: the test may be a backend-independent one; the filter
		 * keeps it alone. */
		execl("/proc/self/exe", "refstor-conformance", "--timeout", secs, "--once",
		      "--filter", test, (char *)NULL);
		_exit(127);
	}
	bool found = false;
	if (pid > 0 && waitpid(pid, NULL, 0) == pid) {
		struct rs_result *r = NULL;
		size_t n = 0;
		if (!rs_results_read(tmp, &r, &n))
			for (size_t i = 0; i < n && !found; i++)
				if (!strcmp(r[i].test, test)) {
					*out = r[i];
					found = true;
				}
		free(r);
	}
	unlink(tmp);
	return found;
}

/* A failed test is run once more, alone (as deqp-runner and LKFT do): when
 * that passes, it is a FLAKE, not a FAIL; a flake still fails the verdict
 * unless an --expect file says flake (expect.h).  A hang is not rerun (it
 * would cost its limit again), nor are the audits, which are of the run. */
static void rerun_failures(double timeout)
{
	const char *results = getenv("REFSTOR_CONF_RESULTS"), *state = getenv("REFSTOR_CONF_STATE");
	char stop[1024];
	snprintf(stop, sizeof(stop), "%s/stop", state ? state : "");
	struct rs_result *r = NULL;
	size_t n = 0;
	if (!results || getenv("REFSTOR_CONF_RERUN") || getenv("REFSTOR_CONF_NO_RERUN") ||
	    !access(stop, F_OK) || rs_results_read(results, &r, &n)) {
		free(r);
		return;
	}
	bool flaked = false;
	for (size_t i = 0; i < n; i++) {
		struct rs_result again;
		if (strcmp(r[i].status, "FAIL") || !strncmp(r[i].message, "hung", 4) ||
		    !strncmp(r[i].message, "timed out", 9) || !strncmp(r[i].test, "hygiene/", 8))
			continue;
		fprintf(stderr, "refstor-conformance: %s failed: running it once more, alone\n",
			r[i].test);
		if (!rerun_one(r[i].test, timeout, &again) || strcmp(again.status, "PASS"))
			continue;
		char msg[RS_MESSAGE_MAX];
		snprintf(msg, sizeof(msg), "failed, then passed when rerun: %.4000s", r[i].message);
		memcpy(r[i].message, msg, sizeof(msg));
		snprintf(r[i].status, sizeof(r[i].status), "FLAKE");
		flaked = true;
	}
	FILE *f = flaked ? fopen(results, "w") : NULL;
	for (size_t i = 0; f && i < n; i++)
		rs_result_write(f, &r[i]);
	if (f)
		fclose(f);
	free(r);
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

/* , "key": [the words of s, split at any of the characters in seps] */
static void json_list(const char *key, const char *s, const char *seps)
{
	char buf[1024];
	snprintf(buf, sizeof(buf), "%s", s);
	printf(", \"%s\": [", key);
	int n = 0;
	for (char *save, *w = strtok_r(buf, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
		printf("%s", n++ ? ", " : "");
		rs_json_string(stdout, w);
	}
	printf("]");
}

/* --about-impl: what the implementation is, as JSON on one line: its path,
 * version, the ABI functions it lacks, the limits it declares (as the
 * verdict names them, ", "-separated) and, for the self-test's own
 * implementations (selftest/mutant.h), what it must fail. */
static void about_impl(const struct rs_impl *impl, const char *missing)
{
	const char *must_fail = dlsym(impl->dl, "refstor_mutant_must_fail");
	const char *what = dlsym(impl->dl, "refstor_mutant_what");
	printf("{\"impl\": ");
	rs_json_string(stdout, impl->path);
	printf(", \"version\": ");
	rs_json_string(stdout, impl->version ? impl->version() : NULL);
	json_list("missing", missing, ", ");
	char limits[256] = "";
	uint64_t declared = rs_impl_limits(impl);
	for (uint64_t bit = 1; bit; bit <<= 1) {
		const struct rs_limit_name *l = (declared & bit) ? rs_limit_named(bit) : NULL;
		size_t n = strlen(limits);
		if (l)
			snprintf(limits + n, sizeof(limits) - n, "%s%s", n ? ", " : "", l->name);
	}
	printf(", \"limits\": ");
	rs_json_string(stdout, limits);
	if (must_fail) {
		json_list("must_fail", must_fail, " ");
		printf(", \"what\": ");
		rs_json_string(stdout, what);
	}
	printf("}\n");
}

/* What --check-impl and --about-impl print, and the warning for missing
 * functions: said by the loader's child (loader.h). */
struct loaded_impl {
	bool check, about;
};

static void describe_impl(const struct rs_impl *impl, void *arg)
{
	const struct loaded_impl *what = arg;
	char missing[1024];
	rs_impl_missing(impl, missing, sizeof(missing));
	if (missing[0])
		fprintf(stderr,
			"refstor-conformance: %s does not implement %s: the tests that need them "
			"are NOT IMPLEMENTED, and the verdict at best INCOMPLETE\n",
			impl->path, missing);
	if (what->check)
		printf("%s: loads; version %s\n", impl->path,
		       impl->version ? impl->version() : "(refstor_version not implemented)");
	if (what->about)
		about_impl(impl, missing);
}

static const struct rs_clause_test *clause_test(const struct criterion_test *test)
{
	for (const struct rs_clause_test **t = __start_rs_clauses; t < __stop_rs_clauses; t++)
		if (!strcmp((*t)->suite, test->category) && !strcmp((*t)->name, test->name))
			return *t;
	return NULL;
}

/* Keep only the tests of clauses matching glob (NULL: all), and the
 * backend-independent ones only on the run that is given --once; a test an
 * expectation says to skip is not run, but recorded as SKIP, naming it. */
static size_t select_tests(struct criterion_test_set *set, const char *glob, bool once,
			   double timeout, struct rs_expects *ex)
{
	char mode[32];
	run_mode(rs_conf(), mode, sizeof(mode));
	size_t kept = 0;
	struct criterion_suite_set *suite;
	FOREACH_SET(suite, set->suites)
	{
		struct criterion_test *test;
		FOREACH_SET(test, suite->tests)
		{
			const struct rs_clause_test *ct = clause_test(test);
			const char *cl = test->data->description ? test->data->description : "";
			struct rs_expect *skip;
			if ((glob && !rs_clauses_match(cl, glob)) || (ct && ct->once && !once)) {
				test->data->disabled = true;
			} else if ((skip = rs_expect_match(ex, RS_EXPECT_SKIP, cl,
							   rs_conf()->backend, mode))) {
				char why[600], name[256];
				rs_expect_skip_message(skip, why, sizeof(why));
				snprintf(name, sizeof(name), "%s/%s", test->category, test->name);
				record(rs_conf(), name, cl, "SKIP", 0, why);
				test->data->disabled = true;
				kept++; /* selected, and its result is that SKIP */
			} else {
				kept++;
			}
			test->data->timeout = timeout;
		}
	}
	return kept;
}

int main(int argc, char **argv)
{
	const char *spec = REFSTOR_SPEC_MD, *report_dir = NULL, *clause = NULL, *skip_why = NULL;
	bool list = false, check_impl = false, once = false, about = false;
	double timeout = RS_DEFAULT_TIMEOUT;
	/* --report's: what the report says about the run (report.h). */
	enum { MAX_META = 64 };
	const char *meta_keys[MAX_META], *meta_values[MAX_META];
	struct rs_run_info info = {meta_keys, meta_values, 0, 0};
	struct rs_expects expects = {0};
	char err[1024];
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
		else if (!strcmp(a, "--profile"))
			env = "REFSTOR_CONF_PROFILE";
		else if (!strcmp(a, "--results"))
			env = "REFSTOR_CONF_RESULTS";
		if (env || !strcmp(a, "--spec") || !strcmp(a, "--report") ||
		    !strcmp(a, "--clause") || !strcmp(a, "--skip-run") || !strcmp(a, "--timeout") ||
		    !strcmp(a, "--meta") || !strcmp(a, "--interrupted") || !strcmp(a, "--expect")) {
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
			} else if (!strcmp(a, "--meta")) {
				char *eq = strchr(v, '=');
				if (!eq || info.n == MAX_META) {
					fprintf(
					    stderr,
					    "refstor-conformance: --meta KEY=VALUE (at most %d), "
					    "not %s\n",
					    MAX_META, v);
					return 2;
				}
				*eq = '\0';
				meta_keys[info.n] = v;
				meta_values[info.n++] = eq + 1;
			} else if (!strcmp(a, "--expect")) {
				if (rs_expect_load(v, &expects, err, sizeof(err))) {
					fprintf(stderr, "refstor-conformance: %s\n", err);
					return 2;
				}
			} else if (!strcmp(a, "--interrupted")) {
				info.interrupted = atoi(v);
			} else if (!strcmp(a, "--timeout")) {
				char *end;
				timeout = strtod(v, &end);
				if (*end || !(timeout > 0 && timeout <= 86400)) {
					fprintf(stderr,
						"refstor-conformance: --timeout is a number of "
						"seconds in (0, 86400], not %s\n",
						v);
					return 2;
				}
			} else {
				clause = v;
			}
		} else if (!strcmp(a, "--list")) {
			list = true;
		} else if (!strcmp(a, "--check-impl")) {
			check_impl = true;
		} else if (!strcmp(a, "--once")) {
			once = true;
		} else if (!strcmp(a, "--keep-going")) {
			setenv("REFSTOR_CONF_KEEP_GOING", "1", 1);
		} else if (!strcmp(a, "--no-rerun")) {
			setenv("REFSTOR_CONF_NO_RERUN", "1", 1);
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
		return rs_report(report_dir, spec, &info, &expects, argc - 1, argv + 1);
	if (skip_why)
		return skip_run(skip_why, clause, "NORUN", once);

	const char *mode = getenv("REFSTOR_CONF_MODE"), *prof = getenv("REFSTOR_CONF_PROFILE");
	if (mode && strcmp(mode, "buffered") && strcmp(mode, "direct")) {
		fprintf(stderr, "refstor-conformance: --mode is buffered or direct, not %s\n",
			mode);
		return 2;
	}
	if (prof && refstor_profile_parse(prof) < 0) {
		fprintf(stderr, "refstor-conformance: --profile is imago or keep-length, not %s\n",
			prof);
		return 2;
	}
	/* A run killed with its caller (a CI job cancelled with SIGKILL) must
	 * not go on writing into the next run's backends: the tests follow
	 * the runner (rs_test_init), the runner follows its caller. */
	pid_t caller = getppid();
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != caller)
		return 2;
	/* A port that cannot be loaded, or lacks a core function, is an
	 * error of the run, not a list of failed tests.  Its first load is in
	 * a child, so that a constructor that crashes is named as such. */
	struct loaded_impl what = {check_impl, about};
	if (rs_loader_check(rs_conf()->impl, describe_impl, &what, err, sizeof(err))) {
		fprintf(stderr, "refstor-conformance: %s\n", err);
		return 2;
	}
	if (check_impl || about)
		return 0;

	char why[512];
	if (no_direct_io(why, sizeof(why)))
		return skip_run(why, clause, "SKIP", once);
	/* The tests of the other profile's clauses skip (rs_test_init); which
	 * those are, the spec says once for the whole run. */
	struct rs_spec sp = {0};
	char other[4096];
	int bad = rs_spec_load(spec, &sp, why, sizeof(why));
	if (!bad && rs_spec_other_profiles(&sp, refstor_profile_name(rs_conf()->profile), other,
					   sizeof(other)))
		bad = snprintf(why, sizeof(why), "%s: too many clauses of one profile", spec);
	rs_spec_free(&sp);
	if (bad) {
		fprintf(stderr, "refstor-conformance: %s\n", why);
		return 2;
	}
	setenv("REFSTOR_CONF_OTHER_PROFILE", other, 1);
	if (no_profile(why, sizeof(why)))
		return skip_run(why, clause, "NIMP", once);
	/* A small filesystem to fill is for the ENOSPC clauses alone: the rest
	 * are not even started there. */
	if (!strcmp(rs_conf()->role, "enospc") && !clause)
		clause = "ENOSPC-*";
	struct criterion_test_set *tests = criterion_initialize();
	if (!select_tests(tests, clause, once, timeout, &expects)) {
		fprintf(stderr, "refstor-conformance: no test to run%s%s\n",
			clause ? " for clauses matching " : "", clause ? clause : "");
		criterion_finalize(tests);
		return 2;
	}
	/* Where each test records what it is doing and that its body got to
	 * its end (watch.h), and where a hang stops the rest of the run. */
	char state[] = "/tmp/refstor-conformance-state.XXXXXX";
	if (!mkdtemp(state)) {
		perror("refstor-conformance: mkdtemp");
		criterion_finalize(tests);
		return 2;
	}
	setenv("REFSTOR_CONF_STATE", state, 1);
	char self[32];
	snprintf(self, sizeof(self), "%d", (int)getpid());
	setenv("REFSTOR_CONF_RUNNER", self, 1);
	int result = 0;
	if (criterion_handle_args(argc, argv, true)) {
		result = !criterion_run_all_tests(tests);
		if (record_silent(tests))
			result = 1;
		if (result)
			rerun_failures(timeout);
		record_audits(clause);
		for (size_t a = 0; a < NAUDITS; a++)
			if (audit[a].dirty)
				result = 1;
	}
	rs_remove_tree(state);
	criterion_finalize(tests);
	return result;
}
