/* SPDX-License-Identifier: MIT */
/* server.c - start, watch and stop one server process (see server.h). */
#include "server.h"
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void rn_server_init(struct rn_server *srv)
{
	srv->name = "";
	srv->pid = 0;
	srv->pidfd = -1;
	srv->err_fd = -1;
	srv->tail_len = 0;
	srv->tail[0] = '\0';
	pthread_mutex_init(&srv->tail_lock, NULL);
}

void rn_server_destroy(struct rn_server *srv)
{
	pthread_mutex_destroy(&srv->tail_lock);
}

/* program's path: searched on PATH here, before fork, because execvp is not
 * async-signal-safe (it may allocate) and because "not installed" is then a
 * clear ENOENT of its own instead of a child that died. */
static int rn_find_program(const char *program, char *out, size_t len)
{
	if (strchr(program, '/')) {
		snprintf(out, len, "%s", program);
		return access(out, X_OK) ? -errno : 0;
	}
	const char *path = getenv("PATH");
	if (!path || !path[0])
		path = "/usr/local/bin:/usr/bin:/bin";
	int err = -ENOENT;
	for (const char *p = path; *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n > 0 && (size_t)snprintf(out, len, "%.*s/%s", (int)n, p, program) < len) {
			if (!access(out, X_OK))
				return 0;
			if (errno == EACCES)
				err = -EACCES;
		}
		p += n + (end != NULL);
	}
	return err;
}

/* In the child, between fork and exec: async-signal-safe calls only (the
 * parent may have other threads, whose locks the child inherits held). */
static void rn_child_write(const char *text)
{
	ssize_t r = write(2, text, strlen(text));
	(void)r;
}

static __attribute__((noreturn)) void rn_child(pid_t parent, const char *path, char *const argv[],
					       const int fds[RN_CHILD_FDS], const sigset_t *mask)
{
	/*
	 * Die with us: if this process goes away without closing the handle
	 * (killed, or exit() without refstor_close), the server must not
	 * outlive it.  Note that PR_SET_PDEATHSIG fires when the *thread*
	 * that forked exits, not the process: a handle opened in a thread that
	 * then ends loses its server (nbdkit's --exit-with-parent has the same
	 * rule).  Open handles from threads that outlive them.
	 */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() != parent)
		_exit(127); /* the parent died before prctl took effect */

	/* Back to the defaults: exec keeps ignored signals ignored and the
	 * mask as it is, and the server should see SIGTERM as SIGTERM. */
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &dfl, NULL);

	/* First every source out of the way (above the targets), then each
	 * to its place: a source may itself sit on another's target, and
	 * dup2 onto itself would keep FD_CLOEXEC. */
	int high[RN_CHILD_FDS];
	for (int i = 0; i < RN_CHILD_FDS; i++) {
		high[i] = fds[i] >= 0 ? fcntl(fds[i], F_DUPFD, RN_CHILD_FDS) : -1;
		if (fds[i] >= 0 && high[i] < 0) {
			rn_child_write("refstor-nbd: cannot pass a descriptor to the server\n");
			_exit(127);
		}
	}
	for (int i = 0; i < RN_CHILD_FDS; i++) {
		if (high[i] >= 0)
			dup2(high[i], i);
		else
			close(i);
	}
	close_range(RN_CHILD_FDS, ~0U, 0);
	sigprocmask(SIG_SETMASK, mask, NULL);
	execv(path, argv);
	rn_child_write("refstor-nbd: cannot execute ");
	rn_child_write(path);
	rn_child_write("\n");
	_exit(127);
}

int rn_server_start(struct rn_server *srv, const char *program, char *const argv[],
		    const int fds[RN_CHILD_FDS], const char *op, const char *what)
{
	char path[PATH_MAX];
	srv->name = program;
	int r = rn_find_program(program, path, sizeof(path));
	if (r)
		return rs_failf(-r, true, what, "%s %s: cannot run %s (not on PATH?)", op, what,
				program);

	/* Non-blocking at both ends: we never wait for the server to write,
	 * and a server that logs more than the pipe holds while nobody reads
	 * loses lines instead of stopping in write(2). */
	int err[2];
	if (pipe2(err, O_CLOEXEC | O_NONBLOCK))
		return rs_failf(errno, true, what, "%s %s: pipe", op, what);
	int child_fds[RN_CHILD_FDS];
	memcpy(child_fds, fds, sizeof(child_fds));
	child_fds[2] = err[1];

	/* No signal handler of ours may run in the child before exec. */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid == 0)
		rn_child(parent, path, argv, child_fds, &old);
	int fork_errno = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	close(err[1]);
	if (pid < 0) {
		close(err[0]);
		return rs_failf(fork_errno, true, what, "%s %s: fork for %s", op, what, program);
	}
	srv->pid = pid;
	srv->err_fd = err[0];
	/* The child is ours and not reaped yet, so its pid cannot have been
	 * reused: the pidfd names it for sure, and signals through it cannot
	 * hit another process even if someone else reaps it later. */
	srv->pidfd = pidfd_open(pid, 0);
	return 0;
}

/* Read what is there; true once the server has closed its end (exited). */
static bool rn_drain(struct rn_server *srv)
{
	if (srv->err_fd < 0)
		return true;
	pthread_mutex_lock(&srv->tail_lock);
	char buf[1024];
	ssize_t n;
	while ((n = read(srv->err_fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		/* Keep the last RN_TAIL_MAX - 1 bytes. */
		size_t add = (size_t)n;
		const char *from = buf;
		if (add >= RN_TAIL_MAX - 1) {
			from += add - (RN_TAIL_MAX - 1);
			add = RN_TAIL_MAX - 1;
			srv->tail_len = 0;
		} else if (srv->tail_len + add > RN_TAIL_MAX - 1) {
			size_t drop = srv->tail_len + add - (RN_TAIL_MAX - 1);
			memmove(srv->tail, srv->tail + drop, srv->tail_len - drop);
			srv->tail_len -= drop;
		}
		memcpy(srv->tail + srv->tail_len, from, add);
		srv->tail_len += add;
		srv->tail[srv->tail_len] = '\0';
	}
	pthread_mutex_unlock(&srv->tail_lock);
	return n == 0;
}

void rn_server_drain(struct rn_server *srv)
{
	rn_drain(srv);
}

void rn_server_collect(struct rn_server *srv, int64_t deadline_ns)
{
	while (!rn_drain(srv)) {
		int64_t left = deadline_ns - rn_now_ns();
		if (left <= 0)
			return;
		struct pollfd p = {srv->err_fd, POLLIN, 0};
		if (poll(&p, 1, (int)((left + 999999) / 1000000)) < 0 && errno != EINTR)
			return;
	}
}

void rn_server_said(struct rn_server *srv, char *buf, size_t len)
{
	pthread_mutex_lock(&srv->tail_lock);
	size_t n = 0;
	const char *t = srv->tail;
	/* Trailing newlines say nothing; inner ones become " / ". */
	size_t end = srv->tail_len;
	while (end > 0 && (t[end - 1] == '\n' || t[end - 1] == '\r' || t[end - 1] == ' '))
		end--;
	for (size_t i = 0; i < end && n + 4 < len; i++) {
		if (t[i] == '\n') {
			memcpy(buf + n, " / ", 3);
			n += 3;
		} else if (t[i] != '\r') {
			buf[n++] = t[i];
		}
	}
	if (len)
		buf[n] = '\0';
	pthread_mutex_unlock(&srv->tail_lock);
}

/* Whether it has exited (without reaping it). */
static bool rn_server_exited(struct rn_server *srv)
{
	if (!srv->pid)
		return true;
	if (srv->pidfd >= 0) {
		struct pollfd p = {srv->pidfd, POLLIN, 0};
		return poll(&p, 1, 0) > 0;
	}
	siginfo_t si = {0};
	return waitid(P_PID, (id_t)srv->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
	       si.si_pid == srv->pid;
}

static void rn_signal(struct rn_server *srv, int sig)
{
	if (srv->pidfd >= 0)
		pidfd_send_signal(srv->pidfd, sig, NULL, 0);
	else
		kill(srv->pid, sig);
}

/* Wait for it to exit, up to timeout_ms; true if it did. */
static bool rn_wait_exit(struct rn_server *srv, int timeout_ms)
{
	int64_t deadline = rn_now_ns() + (int64_t)timeout_ms * 1000000;
	for (;;) {
		if (rn_server_exited(srv))
			return true;
		int64_t left = deadline - rn_now_ns();
		if (left <= 0)
			return false;
		if (srv->pidfd >= 0) {
			struct pollfd p = {srv->pidfd, POLLIN, 0};
			poll(&p, 1, (int)((left + 999999) / 1000000));
		} else {
			nanosleep(&(struct timespec){0, 10 * 1000 * 1000}, NULL);
		}
	}
}

void rn_server_stop(struct rn_server *srv)
{
	if (srv->pid > 0) {
		if (!rn_server_exited(srv)) {
			rn_signal(srv, SIGTERM);
			if (!rn_wait_exit(srv, 2000))
				rn_signal(srv, SIGKILL);
		}
		/* ECHILD: SIGCHLD is ignored in this process (the kernel reaped
		 * it) or someone else reaped it: gone either way. */
		while (waitpid(srv->pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (srv->pidfd >= 0)
		close(srv->pidfd);
	if (srv->err_fd >= 0)
		close(srv->err_fd);
	srv->pid = 0;
	srv->pidfd = -1;
	srv->err_fd = -1;
}
