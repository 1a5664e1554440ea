/* SPDX-License-Identifier: MIT */
/* error.c - the errnos that mean "the storage cannot do that". */
#include "internal.h"

#include <errno.h>

int rs_map_unsupported(int err)
{
	switch (err) {
	case EOPNOTSUPP:
#if ENOTSUP != EOPNOTSUPP
	case ENOTSUP:
#endif
	case ENODEV:
	case ENXIO:
	case ENOTTY:
		return ENOTSUP;
	default:
		return err;
	}
}
