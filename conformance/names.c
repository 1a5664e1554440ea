/* SPDX-License-Identifier: MIT */
/* names.c - errno names, as one table: strerrorname_np(3) is glibc's alone
 * (2.32 on), and the suite must build against any libc a port uses. */
#include "names.h"

#include <errno.h>
#include <stddef.h>

#define RS_E(e) [e] = #e

/* What file I/O, fallocate, ioctl, mounts and the loader can return on Linux,
 * and every errno docs/spec.md names; an alias (EWOULDBLOCK, EDEADLOCK,
 * ENOTSUP) under its first name. */
static const char *const rs_errno_names[] = {
    RS_E(EPERM),     RS_E(ENOENT),       RS_E(ESRCH),     RS_E(EINTR),      RS_E(EIO),
    RS_E(ENXIO),     RS_E(E2BIG),        RS_E(ENOEXEC),   RS_E(EBADF),      RS_E(ECHILD),
    RS_E(EAGAIN),    RS_E(ENOMEM),       RS_E(EACCES),    RS_E(EFAULT),     RS_E(ENOTBLK),
    RS_E(EBUSY),     RS_E(EEXIST),       RS_E(EXDEV),     RS_E(ENODEV),     RS_E(ENOTDIR),
    RS_E(EISDIR),    RS_E(EINVAL),       RS_E(ENFILE),    RS_E(EMFILE),     RS_E(ENOTTY),
    RS_E(ETXTBSY),   RS_E(EFBIG),        RS_E(ENOSPC),    RS_E(ESPIPE),     RS_E(EROFS),
    RS_E(EMLINK),    RS_E(EPIPE),        RS_E(EDOM),      RS_E(ERANGE),     RS_E(EDEADLK),
    RS_E(ENOLCK),    RS_E(ENAMETOOLONG), RS_E(ENOSYS),    RS_E(ENOTEMPTY),  RS_E(ELOOP),
    RS_E(ENODATA),   RS_E(EOVERFLOW),    RS_E(EILSEQ),    RS_E(EOPNOTSUPP), RS_E(ETIMEDOUT),
    RS_E(ESTALE),    RS_E(EUCLEAN),      RS_E(EREMOTEIO), RS_E(EDQUOT),     RS_E(ENOMEDIUM),
    RS_E(ECANCELED),
};

const char *rs_errno_name(int e)
{
	if (e < 0)
		e = -e;
	size_t n = sizeof(rs_errno_names) / sizeof(rs_errno_names[0]);
	return (size_t)e < n && rs_errno_names[e] ? rs_errno_names[e] : "?";
}

static const struct rs_limit_name rs_limit_names[] = {
    {REFSTOR_LIMIT_FIXED_SIZE, "fixed-size", "REFSTOR_LIMIT_FIXED_SIZE",
     "the size changes only by resize: no growth by writes, no discard-by-truncate"},
    {REFSTOR_LIMIT_NO_RESIZE, "no-resize", "REFSTOR_LIMIT_NO_RESIZE",
     "refstor_resize always fails with ENOTSUP"},
    {REFSTOR_LIMIT_OUT_OF_PROCESS, "out-of-process", "REFSTOR_LIMIT_OUT_OF_PROCESS",
     "the I/O is another process's: this process's libc interposer, RLIMIT_FSIZE and "
     "descriptors do not see it"},
};

const struct rs_limit_name *rs_limit_named(uint64_t bit)
{
	for (size_t i = 0; i < sizeof(rs_limit_names) / sizeof(rs_limit_names[0]); i++)
		if (rs_limit_names[i].bit == bit)
			return &rs_limit_names[i];
	return NULL;
}

uint64_t rs_limits_known(void)
{
	uint64_t all = 0;
	for (size_t i = 0; i < sizeof(rs_limit_names) / sizeof(rs_limit_names[0]); i++)
		all |= rs_limit_names[i].bit;
	return all;
}
