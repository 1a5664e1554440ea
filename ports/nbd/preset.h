/* SPDX-License-Identifier: MIT */
/*
 * preset.h - which server a peer starts, and its command line.  One source
 * tree, two shared objects: CMakeLists.txt builds this file with
 * RN_PRESET_QEMU or RN_PRESET_NBDKIT defined, and rn_preset() is the one the
 * library was built with.
 */
#ifndef RN_PRESET_H
#define RN_PRESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one handle's server serves, and how. */
struct rn_serve {
	bool writable;
	bool direct;
	bool is_block; /* a block device (qemu: host_device, not file) */
};

/* An argv with its strings, built before fork (nothing is allocated in the
 * child). */
struct rn_argv {
	char *argv[24];
	int argc;
	size_t used;
	char store[1024];
};

struct rn_preset {
	const char *program; /* on PATH */
	uint64_t limits;     /* refstor_limits() */
	/* How it is reached.  qemu: the NBD server listens on fd 4 (a socket
	 * we made), QMP is on stdin/stdout.  nbdkit: one NBD connection on
	 * stdin/stdout, no monitor.  (Whether it resizes is limits' word:
	 * REFSTOR_LIMIT_NO_RESIZE.) */
	bool listens;
	void (*build)(struct rn_argv *a, const struct rn_serve *w);
};

const struct rn_preset *rn_preset(void);

/* The fds a server gets (server.h's fds[]): 3 is the storage, 4 qemu's
 * listening NBD socket. */
enum { RN_FD_STORAGE = 3, RN_FD_LISTEN = 4 };

#endif
