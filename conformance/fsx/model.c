/* SPDX-License-Identifier: MIT */
/* model.c - fsx's side of conformance/model.h: the backend it describes to
 * the model, and its caps and faults in the model's terms.  The rules
 * themselves live in conformance/model.c. */
#include "fsx.h"
#include "../backend.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

int fsx_conf_probe(struct fsx_conf *c, char *why, size_t len)
{
	struct stat st;
	if (stat(c->target, &st)) {
		snprintf(why, len, "target %s: %s", c->target, strerror(errno));
		return -1;
	}
	if (rs_backend_probe(&c->be, c->target, RS_PROBE_ALL)) {
		snprintf(why, len, "probing %s: %s", c->target, c->be.why);
		return -1;
	}
	if (c->be.is_dev && c->max_size > c->be.dev_size)
		c->max_size = c->be.dev_size;
	return 0;
}

int fsx_model_init(struct model_state *m, const struct fsx_conf *c)
{
	const struct rs_backend *b = &c->be;
	struct model_backend be = {
	    .is_dev = b->is_dev,
	    .dev_size = b->dev_size,
	    .sector = b->is_dev && b->logical_block ? b->logical_block : 1,
	    .can_punch = b->punch.ok,
	    .can_zero_range = b->zero_range.ok,
	    .can_allocate = b->allocate.ok,
	    .can_direct = b->direct.ok,
	    .direct_align = b->dio_offset,
	};
	return model_init(m, &be, c->max_size,
			  c->profile == REFSTOR_PROFILE_KEEP_LENGTH ? MODEL_PROFILE_KEEP_LENGTH
								    : MODEL_PROFILE_DEFAULT);
}

/* The errno the emulated filesystem's fallocate fails with (0: native). */
int fsx_cap_errno(enum fsx_cap cap)
{
	static const int e[CAP_KINDS] = {0, EOPNOTSUPP, ENODEV, ENXIO, ENOTTY};
	return (unsigned)cap < CAP_KINDS ? e[cap] : 0;
}

enum model_fault fsx_model_fault(enum fsx_fault f)
{
	static const enum model_fault m[F_KINDS] = {
	    [F_SHORT] = MODEL_FAULT_SHORT,
	    [F_EINTR] = MODEL_FAULT_EINTR,
	    [F_ZEROWRITE] = MODEL_FAULT_ZEROWRITE,
	    [F_EIOSYNC] = MODEL_FAULT_EIOSYNC,
	};
	return (unsigned)f < F_KINDS ? m[f] : MODEL_FAULT_NONE;
}
