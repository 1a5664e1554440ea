/* SPDX-License-Identifier: MIT */
/*
 * refstor-bench - micro-benchmarks of an implementation of the refstor ABI
 * against the raw syscalls it wraps, one run per invocation, one JSON object
 * per run on stdout.  The drivers (bench/threads, bench/zeroing) repeat and
 * interleave the runs and compute the ratios.
 *
 *   refstor-bench threads --target FILE --via raw|refstor --op read|write
 *                 [--threads N] [--seconds S] [--size SIZE] [--bs N] [--direct] [--impl SO]
 *   refstor-bench zeroing --target FILE --op OP --length SIZE [--impl SO]
 *
 * Exit 0 after a run, 1 when the implementation failed a call (the message
 * in the JSON's "error"), 2 on bad usage or setup.
 */
#include "bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool bench_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (end == s || s[0] == '-')
		return false;
	unsigned shift = 0;
	switch (*end) {
	case '\0':
		break;
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	default:
		return false;
	}
	if (*end && end[1])
		return false;
	if (v > (UINT64_MAX >> shift))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

void bench_json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

int bench_fill(int fd, uint64_t end, const char *path)
{
	enum { CHUNK = 1 << 20 };
	char *buf = malloc(CHUNK);
	if (!buf)
		return bench_fail("out of memory");
	for (size_t i = 0; i < CHUNK; i++)
		buf[i] = (char)(i * 7 + 1);
	int r = 0;
	for (uint64_t off = 0; off < end && !r; off += CHUNK) {
		size_t n = end - off < CHUNK ? (size_t)(end - off) : CHUNK;
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			r = bench_fail("laying out %s: %s", path, strerror(errno));
	}
	free(buf);
	return r;
}

int bench_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("refstor-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	return 2;
}

static int usage(void)
{
	fputs("usage: refstor-bench threads --target FILE --via raw|refstor --op read|write\n"
	      "                     [--threads N] [--seconds S] [--size SIZE] [--bs N] [--direct]"
	      " [--impl SO]\n"
	      "       refstor-bench zeroing --target FILE --op OP --length SIZE [--impl SO]\n",
	      stderr);
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	/* The common options are taken out here; the rest goes to the subcommand. */
	struct bench_opts o = {.impl_path = REFSTOR_REF_SO};
	char **rest = calloc((size_t)argc, sizeof(*rest));
	if (!rest)
		return bench_fail("out of memory");
	int n = 0;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--impl") && i + 1 < argc)
			o.impl_path = argv[++i];
		else if (!strcmp(argv[i], "--target") && i + 1 < argc)
			o.target = argv[++i];
		else if (!strcmp(argv[i], "--direct"))
			o.direct = true;
		else
			rest[n++] = argv[i];
	}
	int r;
	if (!o.target)
		r = bench_fail("--target is required");
	else if (!strcmp(argv[1], "threads"))
		r = bench_threads(&o, n, rest);
	else if (!strcmp(argv[1], "zeroing"))
		r = bench_zeroing(&o, n, rest);
	else
		r = usage();
	free(rest);
	return r;
}
