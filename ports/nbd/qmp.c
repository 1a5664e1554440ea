/* SPDX-License-Identifier: MIT */
/* qmp.c - see qmp.h. */
#include "qmp.h"
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void rn_qmp_init(struct rn_qmp *q, int fd)
{
	q->fd = fd;
	q->len = 0;
	q->skipping = false;
}

void rn_qmp_close(struct rn_qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	rn_qmp_init(q, -1);
}

/* The next line (without its end) into line; 0, or a negative errno. */
static int rn_qmp_line(struct rn_qmp *q, char *line, size_t len, int64_t deadline_ns)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);
		if (nl) {
			size_t n = (size_t)(nl - q->buf);
			bool skipped = q->skipping;
			q->skipping = false;
			if (!skipped) {
				size_t c = n < len - 1 ? n : len - 1;
				memcpy(line, q->buf, c);
				line[c] = '\0';
				if (c && line[c - 1] == '\r')
					line[c - 1] = '\0';
			}
			memmove(q->buf, nl + 1, q->len - n - 1);
			q->len -= n + 1;
			if (!skipped)
				return 0;
			continue;
		}
		if (q->len == sizeof(q->buf)) {
			/* A line longer than we care for (a big query result):
			 * nothing we wait for is that long. */
			q->skipping = true;
			q->len = 0;
		}
		int64_t left = deadline_ns - rn_now_ns();
		if (left <= 0)
			return -ETIMEDOUT;
		struct pollfd p = {q->fd, POLLIN, 0};
		int r = poll(&p, 1, (int)((left + 999999) / 1000000));
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r <= 0)
			continue;
		ssize_t got = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
		if (got == 0)
			return -EPIPE; /* the server exited */
		if (got < 0 && errno != EINTR && errno != EAGAIN)
			return -errno;
		if (got > 0)
			q->len += (size_t)got;
	}
}

/* The "desc" of an error reply, unescaped enough to read. */
static void rn_qmp_desc(const char *line, char *why, size_t len)
{
	const char *d = strstr(line, "\"desc\": \"");
	size_t n = 0;
	if (d) {
		for (d += 9; *d && *d != '"' && n + 1 < len; d++) {
			if (*d == '\\' && d[1])
				d++;
			why[n++] = *d;
		}
	} else {
		n = (size_t)snprintf(why, len, "%s", line);
		if (n >= len)
			n = len - 1;
	}
	if (len)
		why[n] = '\0';
}

static int rn_qmp_send(struct rn_qmp *q, const char *cmd)
{
	size_t n = strlen(cmd);
	for (size_t off = 0; off < n;) {
		/* MSG_NOSIGNAL: a monitor that went away must not kill us with
		 * SIGPIPE. */
		ssize_t w = send(q->fd, cmd + off, n - off, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	return 0;
}

int rn_qmp_run(struct rn_qmp *q, const char *cmd, const char *event, int64_t deadline_ns, char *why,
	       size_t len)
{
	char want[128] = "";
	if (event)
		snprintf(want, sizeof(want), "\"event\": \"%s\"", event);
	int r = rn_qmp_send(q, cmd);
	if (r) {
		snprintf(why, len, "QMP monitor: cannot send: %s", strerror(-r));
		return r;
	}
	bool replied = false, seen = !event;
	int result = 0;
	char line[2048];
	while (!replied || !seen) {
		r = rn_qmp_line(q, line, sizeof(line), deadline_ns);
		if (r) {
			snprintf(why, len, "QMP monitor: %s %s",
				 r == -ETIMEDOUT ? "no answer within the timeout to"
						 : "closed while waiting for the answer to",
				 cmd);
			return r == -ETIMEDOUT ? -ETIMEDOUT : -EIO;
		}
		if (!strncmp(line, "{\"return\"", 9)) {
			replied = true;
		} else if (!strncmp(line, "{\"error\"", 8)) {
			replied = true;
			rn_qmp_desc(line, why, len);
			result = 1;
			seen = true; /* a failed command sends no event */
		} else if (event && strstr(line, want)) {
			seen = true;
		}
	}
	return result;
}

int rn_qmp_start(struct rn_qmp *q, int64_t deadline_ns, char *why, size_t len)
{
	char line[2048];
	int r;
	do {
		r = rn_qmp_line(q, line, sizeof(line), deadline_ns);
		if (r) {
			snprintf(why, len, "QMP monitor: %s",
				 r == -ETIMEDOUT ? "no greeting within the timeout"
						 : "closed before its greeting");
			return r == -ETIMEDOUT ? -ETIMEDOUT : -EIO;
		}
	} while (strncmp(line, "{\"QMP\"", 6));
	r = rn_qmp_run(q, "{\"execute\": \"qmp_capabilities\"}\n", NULL, deadline_ns, why, len);
	return r > 0 ? -EIO : r;
}
