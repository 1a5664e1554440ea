/* Refuses every zeroing request not aligned to what it reports (zero_align,
 * discard_align, a device's sector) with -EINVAL before touching anything,
 * and every read-only change with -EROFS; otherwise the reference.  Must be
 * CONFORMANT (docs/spec.md ZERO-ALIGN-1, OPEN-RO-1). */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

VARIANT("unaligned zeroing refused with -EINVAL, read-only changes with -EROFS");

/* state[0]: the handle's sector size (devices), state[1]: 1 when read-only */
int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = REF(open(o, out));
	if (r)
		return r;
	uint64_t *st = mutant_state(*out);
	int fd = mutant_fd(*out, O_RDONLY), ssz = 0;
	struct stat sb;
	if (fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode) && !ioctl(fd, BLKSSZGET, &ssz))
		st[0] = (uint64_t)ssz;
	if (fd >= 0)
		close(fd);
	st[1] = !o->writable;
	return 0;
}

static int refuse(refstor *s, const char *op, uint64_t offset, uint64_t length, size_t align)
{
	if (!s)
		return 0;
	uint64_t *st = mutant_state(s);
	if (st[1])
		return mutant_fail(EROFS, "%s: the handle is read-only", op);
	uint64_t a = st[0] > align ? st[0] : align;
	uint64_t size = REF(size(s));
	if (!length || offset >= size || length > UINT64_MAX - offset)
		return 0; /* nothing to zero, or the reference's range check */
	uint64_t end = offset + length < size ? offset + length : size;
	/* Past the end is not zeroed by anyone: only the part inside counts, and
	 * a range reaching the end is aligned there by definition. */
	if (offset % a || (end < size && end % a))
		return mutant_fail(EINVAL, "%s at %llu (%llu bytes): not aligned to %llu", op,
				   (unsigned long long)offset, (unsigned long long)length,
				   (unsigned long long)a);
	return 0;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = refuse(s, "write_zeroes", offset, length, REF(zero_align(s)));
	return r ? r : REF(write_zeroes(s, offset, length));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = refuse(s, "discard", offset, length, REF(discard_align(s)));
	return r ? r : REF(discard(s, offset, length));
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	int r = refuse(s, "write_allocated_zeroes", offset, length, REF(zero_align(s)));
	return r ? r : REF(write_allocated_zeroes(s, offset, length));
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (s && mutant_state(s)[1])
		return mutant_fail(EROFS, "writev: the handle is read-only");
	return REF(writev(s, iov, iovcnt, offset));
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (s && mutant_state(s)[1])
		return mutant_fail(EROFS, "resize: the handle is read-only");
	return REF(resize(s, new_size, mode));
}
