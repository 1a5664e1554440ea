/* SPDX-License-Identifier: MIT */
/* model.c - fsx's side of conformance/model.h: the backend it describes to
 * the model, and its caps and faults in the model's terms.  The rules
 * themselves live in conformance/model.c. */
#include "fsx.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

int fsx_model_init(struct model_state *m, const struct fsx_conf *c)
{
	struct model_backend be = {
	    .is_dev = c->is_dev,
	    .dev_size = c->dev_size,
	    .sector = 1,
	    .can_punch = c->can_punch,
	    .can_zero_range = c->can_zero_range,
	    .can_allocate = c->can_falloc,
	    /* A direct run goes on only where O_DIRECT opens (main.c skips
	     * the others), and a buffered one never asks for it. */
	    .can_direct = true,
	};
	if (c->is_dev && c->sector)
		be.sector = c->sector;
	return model_init(m, &be, c->max_size, MODEL_PROFILE_DEFAULT);
}

void fsx_model_free(struct model_state *m)
{
	model_free(m);
}

/* The errno the emulated filesystem's fallocate fails with (0: native). */
int fsx_cap_errno(enum fsx_cap cap)
{
	static const int e[CAP_KINDS] = {0, EOPNOTSUPP, ENODEV, ENXIO, ENOTTY};
	return (unsigned)cap < CAP_KINDS ? e[cap] : 0;
}

enum model_fault fsx_model_fault(enum fsx_fault f)
{
	switch (f) {
	case F_SHORT:
		return MODEL_FAULT_SHORT;
	case F_EINTR:
		return MODEL_FAULT_EINTR;
	case F_ZEROWRITE:
		return MODEL_FAULT_ZEROWRITE;
	case F_EIOSYNC:
		return MODEL_FAULT_EIOSYNC;
	default:
		return MODEL_FAULT_NONE;
	}
}
