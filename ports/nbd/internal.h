/* SPDX-License-Identifier: MIT */
/*
 * internal.h - the handle of the NBD peers and the helpers their sources
 * share.
 *
 * librefstor-nbd-qemu.so and librefstor-nbd-nbdkit.so map every refstor call
 * onto NBD requests (libnbd) to a server process started for the handle:
 * qemu-storage-daemon's file-posix driver, or nbdkit's file plugin.  The
 * mapping is meant to be thin, so that what the conformance suite measures is
 * the server: the adapter adds only what NBD cannot express (reads past the
 * end, a vector of buffers, a request larger than the server takes) and the
 * C ABI's own argument checks.
 */
#ifndef RN_INTERNAL_H
#define RN_INTERNAL_H

/* Built with -fvisibility=hidden (CMakeLists.txt): only refstor.h's functions
 * are exported, as in librefstor (ref/src/internal.h). */
#pragma GCC visibility push(default)
#include "refstor.h"
#pragma GCC visibility pop

#include "admit.h"
#include "message.h"
#include "qmp.h"
#include "server.h"

#include <libnbd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct refstor {
	/* The descriptor this process opened (or adopted): the server serves
	 * /proc/self/fd/3, a copy of it, so it serves exactly this inode.
	 * Kept until close: from_fd's caller gave it to the handle. */
	int fd;
	char *filename; /* NULL for refstor_from_fd */
	char *what;     /* for messages: the filename, or "file descriptor N" */
	bool writable;
	bool direct;
	bool is_block; /* a block device: qemu's host_device driver */
	struct rn_server server;
	/* qemu: the listening socket's abstract name, to connect again after
	 * a resize; empty for nbdkit (one connection over stdin/stdout). */
	char nbd_addr[108];
	struct rn_qmp qmp; /* qemu's monitor; fd -1 for nbdkit */
	/* The connection, and what the server said in its handshake.  All of
	 * it changes only under the exclusive lock (a reconnect in resize). */
	struct nbd_handle *nbd;
	bool can_zero, can_fast_zero, can_trim;
	/* The server's minimum block size, 1 if none.  Atomic: the accessors
	 * read it without the lock while a resize's reconnect sets it again. */
	_Atomic size_t req_align;
	size_t max_req; /* the largest read or write the server takes */
	_Atomic uint64_t size;
	/* Shared by I/O, exclusive for resize, which replaces the connection. */
	pthread_rwlock_t lock;
};

/* error.c (the message itself is ref/src/message.c's, compiled in). */
/* The failure of a libnbd call: errno from nbd_get_errno() (EIO if none), the
 * message "<op> <what><detail>: <nbd_get_error()>". */
int rn_fail_nbd(refstor *s, const char *op, const char *detail);
/* The errno a server's message names: the last of the errnos we know whose
 * strerror() text it contains, or fallback. */
int rn_errno_in(const char *text, int fallback);

/* conn.c: connect s->nbd to the server (a new libnbd handle on sock, which
 * it takes) within the deadline (CLOCK_MONOTONIC, ns), and read what the
 * server offers into s.  On failure s->nbd is NULL and the message says
 * why, quoting the server's stderr. */
int rn_connect(refstor *s, const char *op, int sock, int64_t deadline_ns);
/* Disconnect politely (bounded: a server that does not answer is killed
 * next anyway) and free the libnbd handle. */
void rn_disconnect(refstor *s);
/* A new connected socket to s->nbd_addr (a descriptor, or a negative errno
 * with the message set). */
int rn_dial(refstor *s, const char *op);
/* The server failed (why): the message quotes what it said on stderr, and
 * the errno is the one it names (rn_errno_in), else EIO. */
int rn_fail_server(refstor *s, const char *op, const char *why, int64_t deadline_ns);

/* io.c: zeroes over [offset, offset + length) by NBD_CMD_WRITE (WRITE_DATA)
 * and by NBD_CMD_WRITE_ZEROES with NO_HOLE (ALLOCATE); the caller holds the
 * lock. */
int rn_write_zero_data(refstor *s, const char *op, uint64_t offset, uint64_t length);
int rn_zero_no_hole(refstor *s, const char *op, uint64_t offset, uint64_t length);

/* resize.c: the server's resize and the preallocation that follows; the
 * caller holds the lock exclusively. */
int rn_resize_locked(refstor *s, uint64_t new_size, enum refstor_prealloc mode);
/* preallocate [from, to) per mode (create with nbdkit, after its ftruncate). */
int rn_prealloc(refstor *s, const char *op, uint64_t from, uint64_t to, enum refstor_prealloc mode);

/* conn.c: the monotonic clock (ns), and the time a server has to start and
 * answer (REFSTOR_NBD_TIMEOUT). */
int64_t rn_now_ns(void);
int64_t rn_timeout_ns(void);

#endif
