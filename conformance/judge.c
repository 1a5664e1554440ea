/* SPDX-License-Identifier: MIT */
/* judge.c - see judge.h. */
#include "judge.h"
#include "names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The file as the kernel has it, bypassing the interposer. */
static ssize_t raw_pread(int fd, void *buf, size_t len, uint64_t off)
{
	return syscall(SYS_pread64, fd, buf, len, (off_t)off);
}

int judge_physical(const struct judge_target *t, const struct model_state *m, char *why, size_t len)
{
	struct stat st;
	if (!m->exists) {
		if (!syscall(SYS_newfstatat, AT_FDCWD, t->path, &st, 0)) {
			snprintf(why, len, "%s exists, the model says it does not (CREATE-UNDO-1)",
				 t->path);
			return -1;
		}
		return 0;
	}
	uint64_t upto = t->is_dev ? t->dev_upto : m->phys;
	if (!t->is_dev) {
		if (syscall(SYS_newfstatat, AT_FDCWD, t->path, &st, 0)) {
			snprintf(why, len, "stat %s: %s", t->path, strerror(errno));
			return -1;
		}
		if ((uint64_t)st.st_size != m->phys) {
			snprintf(why, len, "the file's length is %lld, the model says %" PRIu64,
				 (long long)st.st_size, m->phys);
			return -1;
		}
	}
	int fd = (int)syscall(SYS_openat, AT_FDCWD, t->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, len, "open %s: %s", t->path, strerror(errno));
		return -1;
	}
	int ret = 0;
	uint8_t *have = t->scratch, *want = t->scratch + JUDGE_SCRATCH;
	for (uint64_t off = 0; off < upto && !ret; off += JUDGE_SCRATCH) {
		size_t n = upto - off < JUDGE_SCRATCH ? (size_t)(upto - off) : JUDGE_SCRATCH;
		ssize_t got = raw_pread(fd, have, n, off);
		if (got != (ssize_t)n) {
			snprintf(why, len, "pread %s at %" PRIu64 ": %zd", t->path, off, got);
			ret = -1;
			break;
		}
		model_bytes(m, off, want, n);
		if (!memcmp(have, want, n))
			continue;
		for (size_t i = 0; i < n; i++)
			if (have[i] != want[i]) {
				snprintf(why, len,
					 "the file differs from the model at offset %" PRIu64
					 ": expected 0x%02x, the file has 0x%02x",
					 off + i, want[i], have[i]);
				ret = -1;
				break;
			}
	}
	syscall(SYS_close, fd);
	return ret;
}

/* "0 (ZERO-TRUNC-1); or -EINVAL (ZERO-ALIGN-1)": every outcome ex allows. */
static const char *judge_allowed(const struct model_expect *ex, char *buf, size_t len)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int i = 0; i < ex->n && n < len; i++) {
		char rets[160];
		n += (size_t)snprintf(buf + n, len - n, "%s%s (%s)", i ? "; or " : "",
				      model_rets_str(&ex->o[i], rets, sizeof(rets)),
				      ex->o[i].clause);
	}
	return buf;
}

int judge_op(struct model_state *m, const struct model_op *op, const struct model_expect *ex,
	     int ret, const char *what, const char *msg, const char *token, judge_check_fn check,
	     void *ctx, struct model_outcome *taken, char *why, size_t len)
{
	char want[1024];
	if (ex->unmodelled) {
		snprintf(why, len, "%s: the model does not predict this (%s)", what, ex->why);
		return -1;
	}
	int cand[MODEL_MAX_OUTCOMES], nc = 0;
	for (int i = 0; i < ex->n; i++)
		if (model_allows(&ex->o[i], ret))
			cand[nc++] = i;
	if (!nc) {
		snprintf(why, len, "%s returned %d (%s), the model expects %s; message \"%s\"",
			 what, ret,
			 ret < 0 ? rs_errno_name(ret)
			 : ret   ? "not an errno"
				 : "success",
			 judge_allowed(ex, want, sizeof(want)), msg);
		return -1;
	}
	/* ERR-RET-1: a failure says why, in a message of its own. */
	if (ret < 0 && !msg[0]) {
		snprintf(why, len, "%s failed with %d but left no refstor_last_error() message",
			 what, ret);
		return -1;
	}
	if (ret < 0 && token && token[0] && strstr(msg, token)) {
		snprintf(why, len,
			 "%s failed with %d but left no message of its own: "
			 "refstor_last_error() still says \"%s\" from an earlier call",
			 what, ret, msg);
		return -1;
	}
	const struct model_outcome *o = &ex->o[cand[0]];
	if (nc > 1) {
		/* Several outcomes go with ret: the storage tells which. */
		char first[1024] = "";
		o = NULL;
		for (int k = 0; k < nc && !o; k++) {
			struct model_state next;
			if (model_copy(&next, m)) {
				snprintf(why, len, "out of memory for the model");
				return -1;
			}
			model_apply(&next, op, &ex->o[cand[k]]);
			if (!check(ctx, &next, k ? why : first, k ? len : sizeof(first)))
				o = &ex->o[cand[k]];
			model_free(&next);
		}
		if (!o) {
			snprintf(why, len,
				 "%s returned %d, and the storage matches none of the %d outcomes "
				 "the model allows with it (%s); as %s: %s",
				 what, ret, nc, judge_allowed(ex, want, sizeof(want)),
				 ex->o[cand[0]].clause, first);
			return -1;
		}
		why[0] = '\0';
	}
	if (taken)
		*taken = *o;
	model_apply(m, op, o);
	return 0;
}
