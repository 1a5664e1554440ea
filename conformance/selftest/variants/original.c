/* The original's answers wherever docs/spec.md leaves the choice open: the
 * errnos imago's file.rs gets from the kernel, zero_align 1 (upstream on
 * Linux), no rollback of a resize that ran out of space.  Must be CONFORMANT. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

VARIANT("the original's errnos, zero_align 1, no rollback");

/* state[0]: 1 when the handle is read-only; state[1]: 1 when it is a block
 * device; state[2]: 1 when direct. */
static void remember(refstor *s, bool writable, bool direct)
{
	uint64_t *st = mutant_state(s);
	int fd = mutant_fd(s, O_RDONLY);
	struct stat sb;
	st[0] = !writable;
	st[1] = fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode);
	st[2] = direct;
	if (fd >= 0)
		close(fd);
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	if (o && out && o->path && !o->path[0]) {
		*out = NULL;
		return mutant_fail(ENOENT, "open \"\": No such file or directory");
	}
	if (o && out && o->path) {
		struct stat sb;
		if (!stat(o->path, &sb) && S_ISCHR(sb.st_mode)) {
			*out = NULL;
			return mutant_fail(ENOTTY, "open %s: BLKGETSIZE64: not a block device",
					   o->path);
		}
		if (!stat(o->path, &sb) && S_ISDIR(sb.st_mode)) {
			*out = NULL;
			return mutant_fail(EINVAL, "open %s: a directory is not storage", o->path);
		}
	}
	int r = REF(open(o, out));
	if (!r)
		remember(*out, o->writable, o->direct);
	return r;
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (o && out && o->open.path && !o->open.path[0]) {
		*out = NULL;
		return mutant_fail(ENOENT, "create \"\": No such file or directory");
	}
	int r = REF(create(o, out));
	if (!r)
		remember(*out, true, o->open.direct);
	return r;
}

size_t refstor_zero_align(const refstor *s)
{
	return s ? 1 : 0;
}

size_t refstor_discard_align(const refstor *s)
{
	return s ? 1 : 0;
}

/* The kernel's answer on a read-only descriptor: EINVAL from ftruncate (and
 * for the zeroing calls, whose first step there is a truncate). */
static int read_only(refstor *s, const char *op)
{
	return s && mutant_state(s)[0] ? mutant_fail(EINVAL, "%s: Invalid argument (read-only)", op)
				       : 0;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = read_only(s, "write_zeroes");
	return r ? r : REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = read_only(s, "discard");
	return r ? r : REF(discard(s, offset, length));
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = read_only(s, "write_allocated_zeroes");
	if (r)
		return r;
	/* A device refuses ZERO_RANGE past its end with EINVAL. */
	if (s && mutant_state(s)[1] && length <= UINT64_MAX - offset &&
	    offset + length > REF(size(s)))
		return mutant_fail(EINVAL, "write_allocated_zeroes: fallocate: Invalid argument");
	return REF(write_allocated_zeroes(s, offset, length));
}

/* Lengths past SSIZE_MAX reach the kernel, which says EFAULT or EINVAL. */
static bool huge(const struct iovec *iov, int iovcnt)
{
	size_t sum = 0;
	for (int i = 0; iov && i < iovcnt; i++) {
		if (iov[i].iov_len > SSIZE_MAX - sum)
			return true;
		sum += iov[i].iov_len;
	}
	return false;
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && iovcnt > 0 && huge(iov, iovcnt))
		return mutant_fail(EFAULT, "preadv: Bad address");
	return REF(readv(s, iov, iovcnt, offset));
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && iovcnt > 0 && huge(iov, iovcnt))
		return mutant_fail(EFAULT, "pwritev: Bad address");
	return REF(writev(s, iov, iovcnt, offset)); /* read-only: EBADF, as the kernel says */
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = read_only(s, "resize");
	if (r)
		return r;
	uint64_t old = s ? REF(size(s)) : 0;
	if (s && mutant_state(s)[1] && new_size != old)
		return mutant_fail(EINVAL, "resize: set_len: Invalid argument (a block device)");
	r = REF(resize(s, new_size, mode));
	if (r != -ENOSPC || mode != REFSTOR_PREALLOC_WRITE_DATA || new_size <= old)
		return r;
	/* No rollback: the zeroes that fitted stay, and the size follows them. */
	enum { CHUNK = 1 << 20 };
	void *zero;
	size_t align = mutant_state(s)[2] ? 65536 : 64;
	if (posix_memalign(&zero, align, CHUNK))
		return r;
	memset(zero, 0, CHUNK);
	uint64_t req = REF(req_align(s));
	for (uint64_t at = old; at < new_size;) {
		uint64_t n = new_size - at < CHUNK ? new_size - at : CHUNK;
		if (mutant_state(s)[2] && (at % req || n % req))
			break; /* direct: only whole blocks */
		struct iovec v = {zero, (size_t)n};
		if (REF(writev(s, &v, 1, at)))
			break;
		at += n;
	}
	free(zero);
	return mutant_fail(ENOSPC, "resize to %llu (write_data): No space left on device",
			   (unsigned long long)new_size);
}
