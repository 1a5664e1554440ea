/* SPDX-License-Identifier: MIT */
/*
 * backend.h - what the kernel offers on a target: the one capability probe of
 * the suite, refstor-fsx, refstor-stress and refstor-fuzz (docs/spec.md: a
 * clause that depends on the kernel is checked against the kernel itself).
 *
 * Everything is asked with raw system calls (sys.h), so the fault interposer
 * neither counts the probe nor spends a fault armed for the implementation on
 * it.  On a filesystem the probe works on a scratch file full of data that it
 * makes in the target directory (rs.probe.<pid>.<n>, which hygiene.c does not
 * take for litter) and removes again.  On a block device it works on the
 * device's middle (a 64 KiB region at size / 2, aligned down): the suite's
 * tests keep their data in the first 4 MiB and the last 2 MiB, and refstor-fsx
 * probes before it zeroes its range; it reads there and punches and zeroes
 * there, and never writes data.
 */
#ifndef REFSTOR_CONF_BACKEND_H
#define REFSTOR_CONF_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One thing the kernel may or may not do.  A "no" keeps the kernel's errno,
 * and says it as a sentence for skip messages:
 * "fallocate(PUNCH_HOLE|KEEP_SIZE) fails with EOPNOTSUPP (Operation not
 * supported)". */
struct rs_cap {
	bool ok;
	int err; /* the errno of a "no"; 0 when ok or not probed */
	char why[160];
};

/* What to probe: each costs system calls (and, on a filesystem, a scratch
 * file's data), so callers ask for what they use. */
enum {
	RS_PROBE_FALLOC = 1, /* punch, zero_range, allocate, counts_blocks */
	RS_PROBE_DIRECT = 2, /* direct, dio_mem, dio_offset */
	RS_PROBE_ALL = RS_PROBE_FALLOC | RS_PROBE_DIRECT,
};

struct rs_backend {
	bool is_dev;
	uint64_t dev_size;      /* BLKGETSIZE64 (devices; 0 on a filesystem) */
	uint32_t logical_block; /* BLKSSZGET (devices; 0 on a filesystem) */
	/* RS_PROBE_FALLOC */
	struct rs_cap punch;      /* fallocate(PUNCH_HOLE|KEEP_SIZE) */
	struct rs_cap zero_range; /* fallocate(ZERO_RANGE|KEEP_SIZE) */
	struct rs_cap allocate;   /* fallocate(0), growing a file as resize(ALLOCATE) does */
	bool counts_blocks;       /* st_blocks follows allocation (not on ramfs; never a device) */
	/* RS_PROBE_DIRECT */
	struct rs_cap direct; /* open(O_DIRECT) */
	/* When direct.ok: the alignment of memory and of offsets and lengths
	 * that direct I/O needs, and who said so: "STATX_DIOALIGN", else
	 * "BLKSSZGET" (the offset; the memory is probed) on a device, else
	 * "probe" (O_DIRECT preads over data, smallest first).  0 and NULL
	 * when none of them could tell. */
	uint32_t dio_mem, dio_offset;
	const char *dio_source;
	/* Why the target itself could not be probed (rs_backend_probe < 0). */
	char why[512];
};

/* Probe target, a directory of a filesystem backend or a block device, for
 * what (RS_PROBE_*).  0, or -errno with b->why set when the target cannot be
 * probed at all (missing, unwritable, a device too small for the probe
 * region); a capability the kernel lacks is not an error. */
int rs_backend_probe(struct rs_backend *b, const char *target, unsigned what);

/* "punch hole yes, zero range no (EOPNOTSUPP), allocate yes, O_DIRECT yes
 * (mem 512, offset 4096 by STATX_DIOALIGN)": what was probed, for logs. */
void rs_backend_summary(const struct rs_backend *b, unsigned what, char *out, size_t len);

#endif
