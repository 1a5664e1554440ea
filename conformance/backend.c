/* SPDX-License-Identifier: MIT */
/* backend.c - the capability probe (backend.h). */
#include "backend.h"
#include "names.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
	KiB = 1024,
	/* The scratch file's data: the direct-I/O probe reads s bytes at
	 * offset s for s up to DIO_MAX, and over data, never a hole (where
	 * a misaligned read can succeed). */
	DIO_MAX = 64 * KiB,
	SCRATCH_DATA = 2 * DIO_MAX,
	DEV_REGION = 64 * KiB, /* the device's probe region (backend.h) */
};

__attribute__((format(printf, 3, 4))) static int fail(struct rs_backend *b, int err,
						      const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->why, sizeof(b->why), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(b->why))
		snprintf(b->why + n, sizeof(b->why) - (size_t)n, ": %s (%s)", rs_errno_name(err),
			 strerror(err));
	return -err;
}

/* r is a syscall's result and what names the call: a "no" keeps errno. */
static void cap_set(struct rs_cap *c, int r, const char *what)
{
	int e = errno;
	*c = (struct rs_cap){.ok = r == 0};
	if (r) {
		c->err = e;
		snprintf(c->why, sizeof(c->why), "%s fails with %s (%s)", what, rs_errno_name(e),
			 strerror(e));
	}
}

static void probe_fallocate(struct rs_backend *b, int fd, uint64_t base, uint64_t unit)
{
	/* Three ranges apart, so that no probe works on another's result;
	 * punching and zeroing over data, the worst case.  On a file the
	 * allocation grows it past its data, as resize(ALLOCATE) does; on a
	 * device nothing can grow, so it stays inside the region. */
	cap_set(&b->punch,
		sys_fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)(base + unit),
			      (off_t)(2 * unit)),
		"fallocate(PUNCH_HOLE|KEEP_SIZE)");
	cap_set(&b->zero_range,
		sys_fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(base + 4 * unit), (off_t)(2 * unit)),
		"fallocate(ZERO_RANGE|KEEP_SIZE)");
	uint64_t at = b->is_dev ? base + 7 * unit : base + SCRATCH_DATA;
	cap_set(&b->allocate, sys_fallocate(fd, 0, (off_t)at, (off_t)(b->is_dev ? unit : DIO_MAX)),
		"fallocate(0)");
}

/* The smallest power of two (from 1) at which an O_DIRECT pread works:
 * offset and length first (unless known), then the buffer's address.  0, or
 * -errno: EINVAL when nothing up to DIO_MAX worked, another errno when a read
 * failed for another reason than misalignment. */
static int probe_dio_by_reading(struct rs_backend *b, int fd, uint64_t base, uint32_t off)
{
	char *buf = aligned_alloc(DIO_MAX, 2 * DIO_MAX);
	if (!buf)
		return -ENOMEM;
	int err = EINVAL;
	for (uint32_t s = 1; !off && err == EINVAL && s <= DIO_MAX; s = s < 512 ? 512 : 2 * s) {
		ssize_t n = sys_pread(fd, buf, s, (off_t)(base + s));
		if (n == (ssize_t)s)
			off = s;
		else if (n < 0)
			err = errno;
	}
	for (uint32_t m = 1; off && err == EINVAL && m <= DIO_MAX; m *= 2) {
		/* buf is DIO_MAX-aligned, so buf + m is aligned to m exactly. */
		ssize_t n = sys_pread(fd, buf + m, off, (off_t)(base + off));
		if (n == (ssize_t)off) {
			b->dio_mem = m;
			b->dio_offset = off;
			err = 0;
		} else if (n < 0) {
			err = errno;
		}
	}
	free(buf);
	return -err;
}

/* Direct I/O on path (the scratch file, or the device): whether it opens,
 * and the alignment it needs. */
static void probe_direct(struct rs_backend *b, const char *path, uint64_t base)
{
	int fd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	cap_set(&b->direct, fd < 0 ? -1 : 0, "open(O_DIRECT)");
	if (fd < 0)
		return;
	struct statx sx;
	if (!statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &sx) && (sx.stx_mask & STATX_DIOALIGN) &&
	    sx.stx_dio_offset_align) {
		b->dio_mem = sx.stx_dio_mem_align;
		b->dio_offset = sx.stx_dio_offset_align;
		b->dio_source = "STATX_DIOALIGN";
	} else if (!probe_dio_by_reading(b, fd, base, b->logical_block)) {
		b->dio_source = b->is_dev ? "BLKSSZGET" : "probe";
	}
	close(fd);
}

static int probe_dev(struct rs_backend *b, const char *dev, unsigned what)
{
	int fd = open(dev, ((what & RS_PROBE_FALLOC) ? O_RDWR : O_RDONLY) | O_CLOEXEC);
	if (fd < 0)
		return fail(b, errno, "open %s", dev);
	int lbs = 0;
	if (ioctl(fd, BLKGETSIZE64, &b->dev_size) || ioctl(fd, BLKSSZGET, &lbs)) {
		int e = errno;
		close(fd);
		return fail(b, e, "%s: BLKGETSIZE64/BLKSSZGET", dev);
	}
	b->logical_block = (uint32_t)lbs;
	/* Whole sectors (a device's fallocate takes nothing less); 64 KiB
	 * holds the three fallocate ranges and the reads of the memory probe
	 * for any sector up to 8 KiB. */
	uint64_t unit = lbs > 4096 ? (uint64_t)lbs : 4096, region = DEV_REGION;
	while (region < 9 * unit)
		region *= 2;
	uint64_t base = b->dev_size / 2 / region * region;
	if (base + region > b->dev_size) {
		close(fd);
		return fail(b, ENOSPC, "%s: %llu bytes leave no probe region of %llu", dev,
			    (unsigned long long)b->dev_size, (unsigned long long)region);
	}
	if (what & RS_PROBE_FALLOC)
		probe_fallocate(b, fd, base, unit);
	close(fd);
	if (what & RS_PROBE_DIRECT)
		probe_direct(b, dev, base);
	return 0;
}

static int probe_dir(struct rs_backend *b, const char *dir, unsigned what)
{
	static unsigned seq;
	char p[4096];
	int fd = -1;
	/* Unique in the directory, whoever else probes it at the same time. */
	for (int tries = 0; fd < 0 && tries < 100; tries++) {
		snprintf(p, sizeof(p), "%s/rs.probe.%d.%u", dir, (int)getpid(), seq++);
		fd = open(p, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0 && errno != EEXIST)
			return fail(b, errno, "create %s", p);
	}
	if (fd < 0)
		return fail(b, EEXIST, "create %s", p);
	int r = 0;
	char *data = malloc(SCRATCH_DATA);
	if (!data) {
		r = fail(b, ENOMEM, "%s", dir);
		goto out;
	}
	/* Real data, never zero: a filesystem may skip zeroes or make holes. */
	for (size_t i = 0; i < SCRATCH_DATA; i++)
		data[i] = (char)(i * 7 + 1) | 1;
	ssize_t n = sys_pwrite(fd, data, SCRATCH_DATA, 0);
	free(data);
	if (n != SCRATCH_DATA) {
		r = fail(b, n < 0 ? errno : ENOSPC, "write %d bytes to %s", SCRATCH_DATA, p);
		goto out;
	}
	/* Reads first: the fallocate probes leave holes. */
	if (what & RS_PROBE_DIRECT)
		probe_direct(b, p, 0);
	if (what & RS_PROBE_FALLOC) {
		struct stat st;
		if (sys_fsync(fd) || fstat(fd, &st)) {
			r = fail(b, errno, "fsync/fstat %s", p);
			goto out;
		}
		b->counts_blocks = (uint64_t)st.st_blocks * 512 >= SCRATCH_DATA;
		probe_fallocate(b, fd, 0, 4 * KiB);
	}
out:
	close(fd);
	unlink(p);
	return r;
}

int rs_backend_probe(struct rs_backend *b, const char *target, unsigned what)
{
	memset(b, 0, sizeof(*b));
	struct stat st;
	if (stat(target, &st))
		return fail(b, errno, "%s", target);
	b->is_dev = S_ISBLK(st.st_mode);
	if (b->is_dev)
		return probe_dev(b, target, what);
	if (!S_ISDIR(st.st_mode))
		return fail(b, ENOTDIR, "%s: neither a directory nor a block device", target);
	return probe_dir(b, target, what);
}

static void cap_summary(const struct rs_cap *c, const char *name, char *out, size_t len)
{
	size_t used = strlen(out);
	if (used + 1 >= len)
		return;
	if (c->ok)
		snprintf(out + used, len - used, "%s%s yes", used ? ", " : "", name);
	else
		snprintf(out + used, len - used, "%s%s no (%s)", used ? ", " : "", name,
			 rs_errno_name(c->err));
}

void rs_backend_summary(const struct rs_backend *b, unsigned what, char *out, size_t len)
{
	if (!len)
		return;
	out[0] = '\0';
	if (what & RS_PROBE_FALLOC) {
		cap_summary(&b->punch, "punch hole", out, len);
		cap_summary(&b->zero_range, "zero range", out, len);
		cap_summary(&b->allocate, "allocate", out, len);
	}
	if (what & RS_PROBE_DIRECT) {
		cap_summary(&b->direct, "O_DIRECT", out, len);
		size_t used = strlen(out);
		if (b->direct.ok && b->dio_source && used + 1 < len)
			snprintf(out + used, len - used, " (mem %u, offset %u by %s)", b->dio_mem,
				 b->dio_offset, b->dio_source);
	}
}
