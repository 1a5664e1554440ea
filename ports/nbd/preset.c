/* SPDX-License-Identifier: MIT */
/* preset.c - the two servers' command lines (see preset.h). */
#include "preset.h"
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#if defined(RN_PRESET_QEMU) == defined(RN_PRESET_NBDKIT)
#error "define exactly one of RN_PRESET_QEMU and RN_PRESET_NBDKIT"
#endif

/* Append one argument, formatted; the store is sized for the longest line
 * below, so running out is a bug (the argument is then cut, and the server
 * says what it does not understand). */
static __attribute__((format(printf, 2, 3))) void rn_arg(struct rn_argv *a, const char *fmt, ...)
{
	if (a->argc + 1 >= (int)(sizeof(a->argv) / sizeof(a->argv[0])) ||
	    a->used >= sizeof(a->store))
		return;
	char *at = a->store + a->used;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(at, sizeof(a->store) - a->used, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	a->used +=
	    (size_t)n + 1 < sizeof(a->store) - a->used ? (size_t)n + 1 : sizeof(a->store) - a->used;
	a->argv[a->argc++] = at;
	a->argv[a->argc] = NULL;
}

#ifdef RN_PRESET_QEMU
/*
 * qemu-storage-daemon: the file-posix driver (host_device for a block
 * device) on /proc/self/fd/3, i.e. a reopen of the inode the handle opened.
 *  - cache.direct is the handle's direct mode (O_DIRECT in qemu), aio=threads
 *    (plain preadv/pwritev/fallocate in a thread pool, as the reference);
 *  - discard=unmap: NBD_CMD_TRIM reaches the file (punch hole) instead of
 *    being dropped; detect-zeroes=off: written zeroes stay writes;
 *  - locking=off: no OFD locks on the image, which the suite's own
 *    descriptors on the same file would otherwise fight;
 *  - the NBD server listens on fd 4, a socket we made and bound to an
 *    abstract name (nothing in the filesystem), export "" on node "disk";
 *  - QMP on stdin/stdout (a socketpair), for block_resize.
 */
static void rn_build_qemu(struct rn_argv *a, const struct rn_serve *w)
{
	rn_arg(a, "qemu-storage-daemon");
	rn_arg(a, "--blockdev");
	rn_arg(a,
	       "driver=%s,node-name=disk,filename=/proc/self/fd/%d,cache.direct=%s,"
	       "aio=threads,discard=unmap,detect-zeroes=off,locking=off%s",
	       w->is_block ? "host_device" : "file", RN_FD_STORAGE, w->direct ? "on" : "off",
	       w->writable ? "" : ",read-only=on");
	rn_arg(a, "--nbd-server");
	rn_arg(a, "addr.type=fd,addr.str=%d", RN_FD_LISTEN);
	rn_arg(a, "--export");
	rn_arg(a, "type=nbd,id=exp,node-name=disk,name=,writable=%s", w->writable ? "on" : "off");
	rn_arg(a, "--chardev");
	rn_arg(a, "stdio,id=qmp,signal=off");
	rn_arg(a, "--monitor");
	rn_arg(a, "chardev=qmp");
}

static const struct rn_preset rn_the_preset = {
    .program = "qemu-storage-daemon",
    .limits = REFSTOR_LIMIT_FIXED_SIZE | REFSTOR_LIMIT_OUT_OF_PROCESS,
    .listens = true,
    .build = rn_build_qemu,
};
#else
/*
 * nbdkit's file plugin on /proc/self/fd/3: -s serves one connection on
 * stdin/stdout (our socketpair), so no socket has a name at all; -r for a
 * read-only handle.  nbdkit 1.32's file plugin has no O_DIRECT: cache=none
 * (page-cache eviction after each request) is the nearest it has, so a
 * direct handle gets that and is not refused; its I/O is still buffered.
 */
static void rn_build_nbdkit(struct rn_argv *a, const struct rn_serve *w)
{
	rn_arg(a, "nbdkit");
	rn_arg(a, "-s");
	rn_arg(a, "--exit-with-parent");
	rn_arg(a, "-f");
	rn_arg(a, "--log=stderr");
	if (!w->writable)
		rn_arg(a, "-r");
	rn_arg(a, "file");
	rn_arg(a, "file=/proc/self/fd/%d", RN_FD_STORAGE);
	if (w->direct)
		rn_arg(a, "cache=none");
}

static const struct rn_preset rn_the_preset = {
    .program = "nbdkit",
    .limits = REFSTOR_LIMIT_FIXED_SIZE | REFSTOR_LIMIT_NO_RESIZE | REFSTOR_LIMIT_OUT_OF_PROCESS,
    .listens = false,
    .build = rn_build_nbdkit,
};
#endif

const struct rn_preset *rn_preset(void)
{
	return &rn_the_preset;
}
