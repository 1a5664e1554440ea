/* SPDX-License-Identifier: MIT */
/*
 * Contract checks that no clause of docs/spec.md makes yet.  They belong in
 * the conformance suite, where every implementation is held to them; until a
 * clause takes each over, they hold the reference to it here.  Each names
 * the clause it would extend or become.
 */
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MiB = 1 << 20 };

/* Candidate CREATE-BAD-1 (RESIZE-BAD-1 for create): an unknown preallocation
 * mode or a size past INT64_MAX fails with -EINVAL and makes no file. */
T_TEST(gaps, create_with_a_bad_mode_or_size_makes_no_file)
{
	const char *p = t_path("img");
	refstor *s;
	struct refstor_create_opts o = {.open = {.path = p}, .prealloc = (enum refstor_prealloc)42};
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	o.prealloc = REFSTOR_PREALLOC_NONE;
	o.size = UINT64_MAX;
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	o.size = (uint64_t)INT64_MAX + 1;
	t_assert_err(refstor_create(&o, &s), -EINVAL);
	cr_assert_eq(access(p, F_OK), -1, "a refused create must not leave a file");
}

/* Candidate: BAD-NULL-1 for the output and buffer pointers of from_fd,
 * describe and resolve_relative_path (it covers NULL handles only). */
T_TEST(gaps, null_output_and_buffer_pointers_are_einval)
{
	const char *p = t_path("img");
	t_write_file(p, "", 0);
	int fd = open(p, O_RDONLY);
	t_assert_err(refstor_from_fd(fd, NULL), -EINVAL);
	cr_assert_neq(fcntl(fd, F_GETFD), -1, "the fd must still be the caller's");
	close(fd);
	refstor *s = t_open(p, false, false);
	t_assert_err(refstor_describe(s, NULL, 10), -EINVAL);
	char *out;
	t_assert_err(refstor_resolve_relative_path(s, NULL, &out), -EINVAL);
	t_assert_err(refstor_resolve_relative_path(s, "x", NULL), -EINVAL);
	refstor_close(s);
}

/* Candidate: PATH-REL-1's test, with "." components repeated before the
 * file name and a ".." inside the parent (kept: Path::parent() does not
 * normalise). */
T_TEST(gaps, parent_drops_repeated_dot_components_and_keeps_dot_dot)
{
	cr_assert_eq(chdir(t_scratch()), 0);
	cr_assert_eq(mkdir("sub", 0755), 0);
	t_write_file("img", "", 0);
	t_write_file("sub/img", "", 0);
	static const struct {
		const char *base, *want;
	} cases[] = {{"sub/././img", "sub/b"}, {"./sub/../img", "./sub/../b"}};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		refstor *s = t_open(cases[i].base, false, false);
		char *out;
		t_assert_ok(refstor_resolve_relative_path(s, "b", &out));
		cr_assert_str_eq(out, cases[i].want, "base %s", cases[i].base);
		free(out);
		refstor_close(s);
	}
}

/* Candidate VERSION-1: refstor_version() is "MAJOR.MINOR.PATCH" of the
 * refstor.h the implementation was built against. */
T_TEST(gaps, version_is_the_headers)
{
	char want[32];
	snprintf(want, sizeof(want), "%d.%d.%d", REFSTOR_VERSION_MAJOR, REFSTOR_VERSION_MINOR,
		 REFSTOR_VERSION_PATCH);
	cr_assert_str_eq(refstor_version(), want);
}

/* Candidate: BAD-RANGE-1's other side: a range that ends exactly at
 * INT64_MAX is valid, and reads as zeroes past the end. */
T_TEST(gaps, range_ending_at_int64_max_is_valid)
{
	const char *p = t_path("img");
	t_write_file(p, "abc", 3);
	refstor *s = t_open(p, false, false);
	char buf[10];
	memset(buf, 0xff, sizeof(buf));
	t_assert_ok(refstor_read(s, buf, sizeof(buf), (uint64_t)INT64_MAX - sizeof(buf)));
	cr_assert_eq(t_find_not(buf, sizeof(buf), 0), -1);
	refstor_close(s);
}

/* Candidate: RESIZE-GROW-1 from a handle whose size is past its file's
 * length (after ZERO-TRUNC-2's discard-by-truncate): growing fills from the
 * truncation point, so everything past it reads as zeroes. */
T_TEST(gaps, growing_after_a_tail_truncation_reads_zero_past_the_cut)
{
	const char *p = t_path("img");
	refstor *s = t_create(p, MiB, REFSTOR_PREALLOC_NONE);
	char *d = malloc(MiB);
	t_fill(d, MiB, 7);
	t_assert_ok(refstor_write(s, d, MiB, 0));
	t_assert_ok(refstor_discard(s, 4096, MiB));
	cr_assert_eq(t_file_size(p), 4096);
	t_assert_ok(refstor_resize(s, 2 * MiB, REFSTOR_PREALLOC_WRITE_DATA));
	cr_assert_eq(refstor_size(s), 2 * MiB);
	cr_assert_eq(t_file_size(p), 2 * MiB);
	char *b = malloc(2 * MiB);
	t_assert_ok(refstor_read(s, b, 2 * MiB, 0));
	cr_assert_arr_eq(b, d, 4096);
	cr_assert_eq(t_find_not(b + 4096, 2 * MiB - 4096, 0), -1);
	free(b);
	free(d);
	refstor_close(s);
}
