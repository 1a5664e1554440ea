/* SPDX-License-Identifier: MIT */
/*
 * faults.h - a libc interposer that counts and breaks the calls an
 * implementation makes, so the suite can check behaviour under failure
 * against any implementation that goes through libc.
 *
 * librefstor-faults.so defines pread/preadv/pwrite/pwritev (and their 64 and
 * v2 variants), write/writev, fallocate, fsync, fdatasync and ftruncate.  Linked into the
 * suite (or LD_PRELOADed into any program) it comes before libc, so an
 * implementation dlopen'ed later calls these.  Calls on the watched file are
 * counted; a call on an armed fault's file can be made to fail or fall
 * short.  Files are matched by device and inode, so the implementation's own
 * fd is caught whatever its number; naming a directory matches every file of
 * its filesystem (a "mount" whose fallocate is broken), naming a block device
 * matches that device.
 */
#ifndef REFSTOR_FAULTS_H
#define REFSTOR_FAULTS_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum rs_call {
	RS_CALL_READ,      /* pread, pread64, preadv, preadv64, preadv2, preadv64v2 */
	RS_CALL_WRITE,     /* write, writev, pwrite, pwrite64, pwritev, pwritev64, pwritev2, ... */
	RS_CALL_FALLOCATE, /* fallocate, fallocate64 */
	RS_CALL_FSYNC,     /* fsync */
	RS_CALL_FDATASYNC, /* fdatasync */
	RS_CALL_FTRUNCATE, /* ftruncate, ftruncate64 */
	RS_CALL_COUNT
};

struct rs_fault {
	enum rs_call call;
	int err;          /* fail with this errno (0: do not fail) */
	size_t max_bytes; /* reads/writes: transfer at most this much per call (0: no cap) */
	bool zero_write;  /* writes: return 0 without writing */
	int skip;         /* let this many matching calls through first */
	int times;        /* then apply to this many calls (-1: every one) */
};

/* Arm a fault for calls on path (see above).  Up to 8 faults at once; returns
 * the fault's slot (>= 0, for rs_fault_hits) or -1 (path cannot be stat'ed,
 * table full). */
int rs_fault_arm(const char *path, const struct rs_fault *f);
/* How many calls the fault in slot was applied to since it was armed. */
unsigned long rs_fault_hits(int slot);
/* Disarm every fault. */
void rs_fault_clear(void);
/* Calls of a kind on the watched file (every regular file and block device
 * until one is watched), since the last rs_fault_count_reset(). */
unsigned long rs_fault_count(enum rs_call call);
/* Count calls on path from now on: 0, or -1 if it cannot be stat'ed. */
int rs_fault_watch(const char *path);
void rs_fault_count_reset(void);
/* How many times an armed fault fired. */
unsigned long rs_fault_fired(void);

#ifdef __cplusplus
}
#endif

#endif
