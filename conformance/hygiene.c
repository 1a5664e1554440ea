/* SPDX-License-Identifier: MIT */
/* hygiene.c - see hygiene.h. */
#include "hygiene.h"

#include <dirent.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A test process audits one test: this is its state. */
enum { MAX_NAMES = 256 };
static bool fd_before[RS_MAX_FDS];
static char *root_before[MAX_NAMES];
static size_t nroot_before;
static char *made[MAX_NAMES];
static size_t nmade;
static const char *h_target, *h_dir;

int rs_fds_open(bool open[RS_MAX_FDS])
{
	int n = 0;
	memset(open, 0, RS_MAX_FDS * sizeof(*open));
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	int self = dirfd(d);
	for (struct dirent *e; (e = readdir(d));) {
		int fd = atoi(e->d_name);
		if (e->d_name[0] != '.' && fd != self && fd >= 0 && fd < RS_MAX_FDS) {
			open[fd] = true;
			n++;
		}
	}
	closedir(d);
	return n;
}

bool rs_fd_on(int fd, const char *target, char *what, size_t len)
{
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, what, len - 1);
	what[n > 0 ? n : 0] = '\0';
	/* "target", "target/...", or "target (deleted)" */
	size_t tl = strlen(target);
	return !strncmp(what, target, tl) &&
	       (what[tl] == '\0' || what[tl] == '/' || what[tl] == ' ');
}

/* The target's own entries that are not the suite's ("rs.*": test
 * directories, backend.c's probe files): the ones a port could litter beside
 * a test's directory. */
static size_t root_entries(char **names, size_t max)
{
	size_t n = 0;
	DIR *d = h_dir ? opendir(h_target) : NULL;
	if (!d)
		return 0;
	for (struct dirent *e; (e = readdir(d)) && n < max;)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    strncmp(e->d_name, "rs.", 3))
			names[n++] = strdup(e->d_name);
	closedir(d);
	return n;
}

void rs_hygiene_begin(const char *target, const char *test_dir)
{
	h_target = target;
	h_dir = test_dir;
	rs_fds_open(fd_before);
	nroot_before = root_entries(root_before, MAX_NAMES);
}

void rs_hygiene_made(const char *path)
{
	if (nmade < MAX_NAMES)
		made[nmade++] = strdup(path);
}

static void say(char *out, size_t len, const char *fmt, const char *a, const char *b)
{
	size_t used = strlen(out);
	if (used + 1 < len)
		snprintf(out + used, len - used, fmt, used ? "; " : "", a, b);
}

/* path was named by the test, or lies on the way to one that was. */
static bool was_made(const char *path)
{
	size_t n = strlen(path);
	for (size_t i = 0; i < nmade; i++)
		if (!strncmp(made[i], path, n) && (made[i][n] == '\0' || made[i][n] == '/'))
			return true;
	return false;
}

static char *h_files;
static size_t h_files_len;

static int check_entry(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	if (ftw->level > 0 && !was_made(p))
		say(h_files, h_files_len, "%s%s left in the test directory%s", p, "");
	return 0;
}

void rs_hygiene_end(char *fds, size_t fds_len, char *files, size_t files_len)
{
	fds[0] = files[0] = '\0';
	bool now[RS_MAX_FDS];
	rs_fds_open(now);
	for (int fd = 0; fd < RS_MAX_FDS; fd++) {
		char what[PATH_MAX];
		/* A descriptor elsewhere may be a cache kept for the process's
		 * life (HYGIENE-FD-1's own test looks for growth); one on the
		 * storage outlives every handle that could have needed it. */
		if (!now[fd] || fd_before[fd] || !rs_fd_on(fd, h_target, what, sizeof(what)))
			continue;
		char fdname[32];
		snprintf(fdname, sizeof(fdname), "fd %d", fd);
		say(fds, fds_len, "%s%s (%s) still open after every handle was closed", fdname,
		    what);
	}
	if (!h_dir)
		return;
	h_files = files;
	h_files_len = files_len;
	nftw(h_dir, check_entry, 16, FTW_PHYS);
	char *after[MAX_NAMES];
	size_t nafter = root_entries(after, MAX_NAMES);
	for (size_t i = 0; i < nafter; i++) {
		bool old = false;
		for (size_t k = 0; k < nroot_before && !old; k++)
			old = !strcmp(after[i], root_before[k]);
		if (!old)
			say(files, files_len, "%s%s/%s appeared next to the test directory",
			    h_target, after[i]);
		free(after[i]);
	}
}
