/* SPDX-License-Identifier: MIT */
/*
 * main.c - refstor-fsx: options (usage()), the run loop, the report of
 * a mismatch.  --backend alone: test on that fixture backend, which must be up.
 * --timeout: a call into the implementation that has not returned after that
 * long (default 20 s) ends the run: "fsx: HUNG: refstor_writev ...", exit 4.
 */
#include "fsx.h"
#include "../names.h"
#include "../calls.h"
#include "../watch.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* The path a fixture backend is tested on, from fixtures/refstor-fixture
 * (which honours REFSTOR_FIXTURE_ROOT); false if it is not up. */
static bool fixture_target(const char *name, char *path, size_t len)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "'%s' info '%s' 2>/dev/null", REFSTOR_FIXTURE_TOOL, name);
	FILE *p = popen(cmd, "r");
	if (!p)
		return false;
	char line[4200];
	bool found = false;
	while (fgets(line, sizeof(line), p))
		if (!strncmp(line, "path=", 5)) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(path, len, "%.4000s", line + 5);
			found = true;
		}
	return pclose(p) == 0 && found;
}

static void usage(FILE *f)
{
	fputs(
	    "usage: refstor-fsx [--impl SO] [--target DIR|DEV] [--backend NAME] [--seed N]\n"
	    "                   [--ops N] [--max-size BYTES] [--direct] [--ops-mix k=w,...]\n"
	    "                   [--duration SECONDS] [--no-faults] [--out DIR] [--no-shrink] [-v]\n"
	    "                   [--profile imago|keep-length]\n"
	    "                   [--timeout SECONDS]\n"
	    "       refstor-fsx --replay LOG [--impl SO] [--target DIR|DEV]\n"
	    "op kinds for --ops-mix: read write zeroes discard alloc resize flush sync reopen "
	    "recreate\n",
	    f);
}

static int parse_mix(struct fsx_conf *c, const char *mix)
{
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", mix);
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return -1;
		*eq = '\0';
		int k = fsx_kind_parse(tok);
		if (k < 0)
			return -1;
		c->weight[k] = (unsigned)strtoul(eq + 1, NULL, 10);
	}
	unsigned total = 0;
	for (int k = 0; k < OP_KINDS; k++)
		total += c->weight[k];
	return total ? 0 : -1;
}

static void save_log(const char *path, const struct fsx_conf *c, const struct fsx_seq *seq)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fsx: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fsx_log_header(f, c);
	for (size_t i = 0; i < seq->n; i++)
		fsx_log_op(f, i + 1, &seq->ops[i]);
	fclose(f);
}

static void print_replay_hint(const struct fsx_conf *c, const char *log)
{
	fprintf(stderr, "fsx: replay: refstor-fsx --replay %s --impl %s --target %s\n", log,
		c->impl_path, c->target);
}

/* A mismatch: say what and where, keep the log, shrink it, keep that too. */
static int report(struct fsx_conf *c, struct fsx_seq *seq, const char *why, const char *out,
		  bool shrink, bool verbose)
{
	fprintf(stderr, "fsx: MISMATCH at op %zu (seed %" PRIu64 ", %s%s on %s): %s\n", seq->n,
		c->seed, c->backend, c->direct ? ", direct" : "", c->target, why);
	size_t from = seq->n > 20 ? seq->n - 20 : 0;
	fprintf(stderr, "fsx: the last %zu ops:\n", seq->n - from);
	for (size_t i = from; i < seq->n; i++)
		fsx_log_op(stderr, i + 1, &seq->ops[i]);
	char log[4096], min[4096];
	mkdir(out, 0755);
	const char *tag = c->direct ? "-direct" : "";
	snprintf(log, sizeof(log), "%s/%" PRIu64 "%s.log", out, c->seed, tag);
	snprintf(min, sizeof(min), "%s/%" PRIu64 "%s.min.log", out, c->seed, tag);
	save_log(log, c, seq);
	fprintf(stderr, "fsx: the whole log: %s\n", log);
	print_replay_hint(c, log);
	if (!shrink)
		return 1;
	fsx_shrink(c, seq, verbose);
	save_log(min, c, seq);
	char why2[2048];
	long at = fsx_replay(c, seq, why2, sizeof(why2));
	fprintf(stderr, "fsx: shrunk to %zu op(s), saved in %s:\n", seq->n, min);
	for (size_t i = 0; i < seq->n; i++)
		fsx_log_op(stderr, i + 1, &seq->ops[i]);
	fprintf(stderr, "fsx: the shrunk log %s: %s\n", at >= 0 ? "fails with" : "no longer fails",
		at >= 0 ? why2 : "(flaky?)");
	print_replay_hint(c, min);
	return 1;
}

/* A filesystem without direct I/O has no direct run: a skip (77), as
 * fstests' _notrun, not a failure.  The kernel says so with EINVAL; any other
 * failure is left to the run, which reports it. */
static bool skip_direct(const struct fsx_conf *c)
{
	if (!c->direct || c->be.is_dev || c->be.direct.ok || c->be.direct.err != EINVAL)
		return false;
	printf("fsx: SKIP: %s has no direct I/O (open O_DIRECT: %s)\n", c->backend,
	       strerror(EINVAL));
	return true;
}

/* One seeded run of n ops (0: until the deadline). */
static int run_one(struct fsx_conf *c, uint64_t nops, time_t deadline, const char *out, bool shrink,
		   bool verbose, uint64_t *done)
{
	struct fsx_run r;
	struct fsx_seq seq = {0};
	uint64_t rng = c->seed;
	bool failed = false;
	if (fsx_start(&r, c)) {
		fprintf(stderr, "fsx: setup failed: %s\n", r.why);
		fsx_stop(&r);
		return 2;
	}
	c->granule = c->direct ? r.unit : 1;
	for (uint64_t i = 0; !failed && (!nops || i < nops) && (!deadline || time(NULL) < deadline);
	     i++) {
		struct fsx_op op;
		fsx_gen(&r, &rng, &op);
		fsx_seq_push(&seq, &op);
		fsx_op_free(&op);
		if (verbose)
			fsx_log_op(stderr, seq.n, &seq.ops[seq.n - 1]);
		failed = fsx_step(&r, &seq.ops[seq.n - 1]) != 0;
		*done += !failed;
	}
	fsx_stop(&r);
	int ret = failed ? report(c, &seq, r.why, out, shrink, verbose) : 0;
	fsx_seq_free(&seq);
	return ret;
}

static int do_replay(struct fsx_conf *c, const struct fsx_seq *seq, const char *log)
{
	char why[2048];
	struct fsx_run r;
	if (fsx_start(&r, c)) {
		fprintf(stderr, "fsx: setup failed: %s\n", r.why);
		fsx_stop(&r);
		return 2;
	}
	fsx_stop(&r);
	long at = fsx_replay(c, seq, why, sizeof(why));
	if (at < 0) {
		printf("fsx: replay of %zu op(s) from %s: no mismatch\n", seq->n, log);
		return 0;
	}
	fprintf(stderr, "fsx: replay: MISMATCH at op %ld of %s: %s\n", at + 1, log, why);
	return 1;
}

static int do_runs(struct fsx_conf *c, bool seeded, uint64_t nops, uint64_t duration,
		   const char *out, bool shrink)
{
	if (!seeded)
		c->seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 16);
	time_t deadline = duration ? time(NULL) + (time_t)duration : 0;
	uint64_t done = 0, runs = 0;
	int ret = 0;
	time_t t0 = time(NULL);
	uint64_t first = c->seed;
	/* A soak is many seeded runs back to back, each replayable by its seed. */
	do {
		ret = run_one(c, nops, deadline, out, shrink, c->verbose, &done);
		runs++;
		if (ret)
			break;
		c->seed++;
	} while (deadline && time(NULL) < deadline);
	printf("fsx: %s: %" PRIu64 " ops in %" PRIu64 " run(s), seed %" PRIu64 "%s, on %s%s (%s), "
	       "%lds\n",
	       ret ? "FAIL" : "PASS", done, runs, first, runs > 1 ? " onwards" : "", c->backend,
	       c->direct ? " direct" : "", c->target, (long)(time(NULL) - t0));
	return ret;
}

/* The per-op watchdog's verdict (watch.h): the hung call cannot be unwound,
 * so say it and end. */
static void hung(const char *call, double limit)
{
	fprintf(stderr,
		"fsx: HUNG: %s did not return within %.0f s (--timeout); the run cannot go on\n",
		call, limit);
	fflush(stderr);
	_exit(4);
}

int main(int argc, char **argv)
{
	/* A cancelled CI job takes fsx with it (its caller is the script). */
	pid_t caller = getppid();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != caller)
		return 2;
	double timeout = 20;
	struct fsx_conf c = {.impl_path = REFSTOR_REF_SO,
			     .backend = "file",
			     .max_size = 1 << 20,
			     .seed = 0,
			     .faults = true};
	const unsigned dflt[OP_KINDS] = {
	    [OP_READ] = 25,  [OP_WRITE] = 25, [OP_ZEROES] = 8, [OP_DISCARD] = 8, [OP_ALLOC] = 5,
	    [OP_RESIZE] = 8, [OP_FLUSH] = 2,  [OP_SYNC] = 2,   [OP_REOPEN] = 4,  [OP_RECREATE] = 2};
	memcpy(c.weight, dflt, sizeof(dflt));
	const char *replay = NULL, *out = REFSTOR_FSX_OUT, *target = NULL;
	uint64_t nops = 5000, duration = 0;
	bool shrink = true, seeded = false, backend_named = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		bool takes = true;
		if (!strcmp(a, "--impl") && v)
			c.impl_path = v;
		else if (!strcmp(a, "--target") && v)
			target = v;
		else if (!strcmp(a, "--backend") && v)
			c.backend = v, backend_named = true;
		else if (!strcmp(a, "--seed") && v)
			c.seed = strtoull(v, NULL, 0), seeded = true;
		else if (!strcmp(a, "--ops") && v)
			nops = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--max-size") && v)
			c.max_size = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--duration") && v)
			duration = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--profile") && v) {
			int p = refstor_profile_parse(v);
			if (p < 0) {
				fprintf(stderr, "fsx: --profile is imago or keep-length, not %s\n",
					v);
				return 2;
			}
			c.profile = (enum refstor_profile)p;
		} else if (!strcmp(a, "--timeout") && v) {
			char *end;
			timeout = strtod(v, &end);
			if (*end || !(timeout > 0)) {
				fprintf(stderr, "fsx: --timeout is a number of seconds, not %s\n",
					v);
				return 2;
			}
		} else if (!strcmp(a, "--out") && v)
			out = v;
		else if (!strcmp(a, "--replay") && v)
			replay = v;
		else if (!strcmp(a, "--ops-mix") && v) {
			memset(c.weight, 0, sizeof(c.weight));
			if (parse_mix(&c, v)) {
				fprintf(stderr, "fsx: bad --ops-mix '%s'\n", v);
				return 2;
			}
		} else {
			takes = false;
			if (!strcmp(a, "--direct"))
				c.direct = true;
			else if (!strcmp(a, "--no-faults"))
				c.faults = false;
			else if (!strcmp(a, "--no-shrink"))
				shrink = false;
			else if (!strcmp(a, "-v") || !strcmp(a, "--verbose"))
				c.verbose = true;
			else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
				usage(stdout);
				return 0;
			} else {
				fprintf(stderr, "fsx: unknown or incomplete option %s\n", a);
				usage(stderr);
				return 2;
			}
		}
		if (takes)
			i++;
	}
	struct fsx_seq seq = {0};
	char err[1024]; /* why setup failed, at any of its steps */
	if (replay && fsx_log_read(replay, &c, &seq, err, sizeof(err))) {
		fprintf(stderr, "fsx: %s\n", err);
		return 2;
	}
	static char fixture_path[4096];
	if (!target && backend_named &&
	    !fixture_target(c.backend, fixture_path, sizeof(fixture_path))) {
		fprintf(stderr,
			"fsx: backend %s is not up (fixtures/refstor-fixture up %s), or give "
			"--target\n",
			c.backend, c.backend);
		return 2;
	}
	if (!target && backend_named)
		target = fixture_path;
	c.target = target ? target : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	if (fsx_conf_probe(&c, err, sizeof(err))) {
		fprintf(stderr, "fsx: setup failed: %s\n", err);
		return 2;
	}
	struct rs_impl *impl = rs_impl_load(c.impl_path, err, sizeof(err));
	if (!impl) {
		fprintf(stderr, "fsx: %s\n", err);
		return 2;
	}
	/* Every call goes through calls.c, which the watchdog reads. */
	static struct rs_watch watch;
	c.impl = rs_calls_wrap(impl, &watch, c.profile);
	if (rs_watchdog_start(&watch, timeout, hung)) {
		fprintf(stderr, "fsx: cannot start the watchdog thread\n");
		return 2;
	}
	int ret = skip_direct(&c) ? 77
		  : replay        ? do_replay(&c, &seq, replay)
				  : do_runs(&c, seeded, nops, duration, out, shrink);
	fsx_seq_free(&seq);
	rs_impl_unload(impl);
	return ret;
}
