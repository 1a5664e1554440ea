/* SPDX-License-Identifier: MIT */
/*
 * judge.h - holding an implementation to conformance/model.h: the comparison
 * that refstor-fsx and refstor-fuzz share.  The model says what is allowed;
 * this decides, from what the implementation returned and what the storage
 * shows through raw syscalls, which allowed outcome it took, or says why it
 * took none.  One copy, so that both front ends judge alike.
 */
#ifndef REFSTOR_CONF_JUDGE_H
#define REFSTOR_CONF_JUDGE_H

#include "model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { JUDGE_SCRATCH = 1 << 16 };

/* Where the image is, and room to read it back: scratch holds
 * 2 * JUDGE_SCRATCH bytes (the file's, and the model's). */
struct judge_target {
	const char *path; /* the image file, or the block device */
	bool is_dev;
	uint64_t dev_upto; /* a device: the bytes compared (the model's cap) */
	uint8_t *scratch;
};

/* Compare the image through raw syscalls (the fault interposer does not see
 * them) with m: whether it exists, its length, its bytes.  0, or -1 with why. */
int judge_physical(const struct judge_target *t, const struct model_state *m, char *why,
		   size_t len);

/* The storage against a candidate next state: 0 when it matches, else -1
 * with why.  A front end's check (sizes of its handles, judge_physical). */
typedef int (*judge_check_fn)(void *ctx, const struct model_state *next, char *why, size_t len);

/*
 * The implementation returned ret for op (what: its name for messages),
 * whose expectation is ex, leaving message msg (refstor_last_error(); token:
 * a sentinel an earlier call left, which must not still be there after a
 * failure, or NULL).  Find the outcomes that allow ret, let check pick the
 * one the storage shows when there are several, and make it m's next state
 * (*taken, if asked).  0, or -1 with why set.
 */
int judge_op(struct model_state *m, const struct model_op *op, const struct model_expect *ex,
	     int ret, const char *what, const char *msg, const char *token, judge_check_fn check,
	     void *ctx, struct model_outcome *taken, char *why, size_t len);

#endif
