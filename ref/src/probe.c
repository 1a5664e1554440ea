/* SPDX-License-Identifier: MIT */
/*
 * probe.c - what the storage requires: direct-I/O alignment, zero/discard
 * granularity and the size of devices.
 *
 * Opening must never change the file (docs/spec.md OPEN-NOMOD-1).  imago
 * probes alignment by reading the file itself and writing the bytes back,
 * because a read over a hole is zero-filled without any alignment check and so
 * proves nothing; that write extends an empty or short file.  We ask the kernel
 * first (statx STATX_DIOALIGN, Linux >= 6.1), read block devices directly (they
 * have no holes), and for files we probe an O_TMPFILE on the same filesystem
 * that we fill with real data: unnamed, never visible, gone on close.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/fs.h>
#endif
#if defined(__FreeBSD__)
#include <sys/disk.h>
#endif
#if defined(__APPLE__)
#include <sys/disk.h>
#endif

enum {
	RS_PROBE_MAX = 65536, /* largest request size and memory alignment tried */
	RS_SAFE_REQ = 4096,   /* fallback when nothing can be learned */
};

static size_t rs_page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	return p > 0 ? (size_t)p : 4096;
}

static bool rs_pow2(uint64_t v)
{
	return v && !(v & (v - 1));
}

int rs_query_size(int fd, enum rs_kind kind, uint64_t *size)
{
	if (kind == RS_REGULAR) {
		struct stat st;
		if (fstat(fd, &st))
			return -errno;
		*size = (uint64_t)st.st_size;
		return 0;
	}
#if defined(BLKGETSIZE64)
	uint64_t bytes;
	if (ioctl(fd, BLKGETSIZE64, &bytes))
		return -errno;
	*size = bytes;
	return 0;
#elif defined(DIOCGMEDIASIZE)
	off_t bytes;
	if (ioctl(fd, DIOCGMEDIASIZE, &bytes))
		return -errno;
	*size = (uint64_t)bytes;
	return 0;
#elif defined(DKIOCGETBLOCKCOUNT)
	uint64_t count;
	uint32_t bsize;
	if (ioctl(fd, DKIOCGETBLOCKCOUNT, &count) || ioctl(fd, DKIOCGETBLOCKSIZE, &bsize))
		return -errno;
	*size = count * bsize;
	return 0;
#else
	return -ENOTSUP;
#endif
}

/* The logical sector size of a block device, 0 when unknown. */
static size_t rs_sector_size(const refstor *s)
{
#if defined(BLKSSZGET)
	int ssz;
	if (s->kind == RS_BLOCK && !ioctl(s->fd, BLKSSZGET, &ssz) && ssz > 0)
		return (size_t)ssz;
#else
	(void)s;
#endif
	return 0;
}

/* statx(STATX_DIOALIGN): the kernel's own answer, exact where reported. */
static bool rs_statx_dioalign(int fd, size_t *req, size_t *mem)
{
#if defined(__linux__) && defined(STATX_DIOALIGN)
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx))
		return false;
	if (!(stx.stx_mask & STATX_DIOALIGN) || !stx.stx_dio_offset_align || !stx.stx_dio_mem_align)
		return false;
	*req = stx.stx_dio_offset_align;
	*mem = stx.stx_dio_mem_align;
	return true;
#else
	(void)fd;
	(void)req;
	(void)mem;
	return false;
#endif
}

/* Does a direct read of len bytes at offset 0 into buf pass the alignment
 * checks?  EINVAL is the kernel's "misaligned"; any other outcome is not. */
static bool rs_read_ok(int fd, void *buf, size_t len)
{
	ssize_t r;
	do
		r = pread(fd, buf, len, 0);
	while (r < 0 && errno == EINTR);
	return r >= 0;
}

/*
 * Probe fd (open with O_DIRECT, holding at least RS_PROBE_MAX bytes of real
 * data at offset 0) from min upwards.  Returns false when nothing works.
 */
static bool rs_probe_reads(int fd, size_t min, size_t *req, size_t *mem)
{
	/* Twice RS_PROBE_MAX aligned to 2*RS_PROBE_MAX: base + a has alignment
	 * exactly a for every a <= RS_PROBE_MAX, and room for a read of
	 * RS_PROBE_MAX bytes. */
	void *raw;
	if (posix_memalign(&raw, 2 * RS_PROBE_MAX, 2 * RS_PROBE_MAX + RS_PROBE_MAX))
		return false;
	char *base = raw;
	bool found = false;
	size_t r = min ? min : 1;
	for (; r <= RS_PROBE_MAX; r *= 2) {
		if (rs_read_ok(fd, base, r)) {
			found = true;
			break;
		}
	}
	if (found) {
		found = false;
		for (size_t m = 1; m <= RS_PROBE_MAX; m *= 2) {
			if (rs_read_ok(fd, base + m, r)) {
				*req = r;
				*mem = m;
				found = true;
				break;
			}
		}
	}
	free(raw);
	return found;
}

/* The directory holding s's file, for the O_TMPFILE probe; NULL if unknown. */
static char *rs_parent_dir(const refstor *s)
{
	char path[PATH_MAX];
	if (s->filename) {
		if (snprintf(path, sizeof(path), "%s", s->filename) >= (int)sizeof(path))
			return NULL;
	} else {
		/* from_fd: the kernel still knows where the file lives. */
		char link[64];
		snprintf(link, sizeof(link), "/proc/self/fd/%d", s->fd);
		ssize_t n = readlink(link, path, sizeof(path) - 1);
		if (n <= 0 || path[0] != '/')
			return NULL;
		path[n] = '\0';
	}
	char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	*slash = '\0';
	return strdup(path);
}

/* Can this process write RS_PROBE_MAX bytes to a file?  Under a lower
 * RLIMIT_FSIZE the write would raise SIGXFSZ, whose default action kills the
 * caller (docs/spec.md OPEN-PROBE-1): then the probe is not tried at all. */
static bool rs_may_write_probe(void)
{
	struct rlimit lim;
	return getrlimit(RLIMIT_FSIZE, &lim) || lim.rlim_cur == RLIM_INFINITY ||
	       lim.rlim_cur >= RS_PROBE_MAX;
}

/* Probe a hidden O_TMPFILE next to the file, filled with real data so that
 * the kernel checks alignment (it does not over holes or unwritten extents). */
static bool rs_probe_tmpfile(const refstor *s, size_t *req, size_t *mem)
{
#if defined(O_TMPFILE)
	if (!rs_may_write_probe())
		return false;
	char *dir = rs_parent_dir(s);
	if (!dir)
		return false;
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	free(dir);
	if (fd < 0)
		return false;
	bool ok = false;
	char *data = malloc(RS_PROBE_MAX);
	if (data) {
		memset(data, 0xa5, RS_PROBE_MAX);
		ok = pwrite(fd, data, RS_PROBE_MAX, 0) == RS_PROBE_MAX;
		free(data);
	}
	/* Buffered write, direct reads: the kernel writes the page cache back
	 * before a direct read, so the reads hit allocated blocks. */
	int fl = fcntl(fd, F_GETFL);
	ok = ok && fl >= 0 && !fcntl(fd, F_SETFL, fl | O_DIRECT) && rs_probe_reads(fd, 1, req, mem);
	close(fd);
	return ok;
#else
	(void)s;
	(void)req;
	(void)mem;
	return false;
#endif
}

static void rs_probe_direct(refstor *s)
{
	size_t req, mem;
	size_t page = rs_page_size();
	size_t sector = rs_sector_size(s);
	if (rs_statx_dioalign(s->fd, &req, &mem)) {
		/* A sector size larger than the reported alignment cannot be right. */
		s->req_align = req > sector ? req : sector;
		s->mem_align = mem;
		return;
	}
	if (s->kind == RS_BLOCK && rs_probe_reads(s->fd, sector, &req, &mem)) {
		s->req_align = req;
		s->mem_align = mem;
		return;
	}
	if (s->kind == RS_REGULAR && rs_probe_tmpfile(s, &req, &mem)) {
		s->req_align = req;
		s->mem_align = mem;
		return;
	}
	/* Nothing answered: values that are safe on every device we know. */
	s->req_align = sector > RS_SAFE_REQ ? sector : RS_SAFE_REQ;
	s->mem_align = page > RS_SAFE_REQ ? page : RS_SAFE_REQ;
}

/* The smallest power of two >= v: the I/O checks align with masks. */
static size_t rs_pow2_ceil(size_t v)
{
	size_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

void rs_probe_alignment(refstor *s)
{
	if (s->direct) {
		rs_probe_direct(s);
		/* What the kernel reports is a power of two; what is not would
		 * be rounded up, which stays safe. */
		s->req_align = rs_pow2_ceil(s->req_align);
		s->mem_align = rs_pow2_ceil(s->mem_align);
	} else {
		s->req_align = 1;
		s->mem_align = 1;
	}

	/* Granularity of zeroing/discard: a block device works in sectors; a
	 * filesystem in fragments (its allocation unit). */
	size_t gran = 0;
	if (s->kind == RS_BLOCK) {
		gran = rs_sector_size(s);
	} else {
		struct statvfs sv;
		if (!fstatvfs(s->fd, &sv))
			gran = (size_t)sv.f_frsize;
	}
	if (!rs_pow2(gran))
		gran = rs_page_size();
	size_t g = gran > s->req_align ? gran : s->req_align;
	s->zero_align = g;
	s->discard_align = g;
}
