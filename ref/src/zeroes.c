/* SPDX-License-Identifier: MIT */
/*
 * zeroes.c - write_zeroes, discard and write_allocated_zeroes.
 *
 * write_zeroes and discard share one mechanism, "discard to zero"
 * (docs/spec.md ZERO-*): a range at or past the end of the file is cut off
 * with ftruncate (the handle keeps its logical size, so the cut part still
 * reads as zeroes), unless the handle has the keep-length profile; anything
 * else is a punched hole.  Block devices cannot be
 * truncated and take fallocate only in whole sectors, so they zero the aligned
 * middle with fallocate and write the partial sectors at the ends.
 */
#include "internal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/falloc.h>
#endif

static int rs_fallocate(int fd, int mode, uint64_t offset, uint64_t length)
{
#ifdef __linux__
	int r;
	do
		r = fallocate(fd, mode, (off_t)offset, (off_t)length);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
#else
	(void)fd;
	(void)mode;
	(void)offset;
	(void)length;
	return -ENOTSUP;
#endif
}

#ifndef FALLOC_FL_PUNCH_HOLE
#define FALLOC_FL_KEEP_SIZE  0x01
#define FALLOC_FL_PUNCH_HOLE 0x02
#define FALLOC_FL_ZERO_RANGE 0x10
#endif

static int rs_punch(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	if (atomic_load(&s->discard_unsupported))
		return rs_fail(ENOTSUP,
			       "%s at offset %" PRIu64 " (%" PRIu64 " bytes): discard is not "
			       "supported by this storage (learnt earlier)",
			       op, offset, length);
	int r = rs_fallocate(s->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
	if (!r)
		return 0;
	int e = rs_map_unsupported(-r);
	if (e == ENOTSUP)
		atomic_store(&s->discard_unsupported, true);
	return rs_fail_errno(e, "%s at offset %" PRIu64 " (%" PRIu64 " bytes): punch hole", op,
			     offset, length);
}

static uint64_t rs_round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static uint64_t rs_round_down(uint64_t v, uint64_t a)
{
	return v / a * a;
}

/*
 * Zero [offset, end) of a block device: fallocate on the whole sectors (punch
 * hole, or ZERO_RANGE when allocate), then explicit zeroes on the partial
 * sectors at either end (docs/spec.md DEV-TRUNC-1).  The whole sectors go
 * first: when the device cannot, the call fails before anything is written.
 */
static int rs_zero_device(refstor *s, const char *op, uint64_t offset, uint64_t end, bool allocate)
{
	uint64_t sector = s->zero_align;
	uint64_t a = rs_round_up(offset, sector);
	uint64_t b = rs_round_down(end, sector);
	int r;
	if (a < b) {
		if (allocate) {
			r = rs_fallocate(s->fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, a,
					 b - a);
			if (r)
				return rs_fail_errno(rs_map_unsupported(-r),
						     "%s at offset %" PRIu64 " (%" PRIu64
						     " bytes): zero range",
						     op, a, b - a);
		} else if ((r = rs_punch(s, op, a, b - a))) {
			return r;
		}
	}
	if (a > b) /* the whole range lies inside one sector */
		return rs_write_zero_bytes(s, op, offset, end - offset);
	if (offset < a && (r = rs_write_zero_bytes(s, op, offset, a - offset)))
		return r;
	if (b < end && b >= a && (r = rs_write_zero_bytes(s, op, b, end - b)))
		return r;
	return 0;
}

static int rs_discard_to_zero(refstor *s, const char *op, uint64_t offset, uint64_t length)
{
	int r = rs_check_modify(s, op, offset, length);
	if (r || !length)
		return r;

	if (s->kind != RS_REGULAR) {
		uint64_t size = atomic_load(&s->size);
		if (offset >= size)
			return 0; /* past the end of a device reads as zeroes already */
		uint64_t end = offset + length < size ? offset + length : size;
		struct rs_lock_slot *held = rs_lock_shared(&s->lock);
		r = rs_zero_device(s, op, offset, end, false);
		rs_unlock_shared(held);
		return r;
	}

	struct rs_lock_slot *held = rs_lock_shared(&s->lock);
	uint64_t size = atomic_load(&s->size);
	if (s->keep_length) {
		/* The keep-length profile (PROFILE-KEEP-1): a range reaching the
		 * end is punched like one inside, KEEP_SIZE leaving the length. */
		uint64_t end = offset + length < size ? offset + length : size;
		r = offset < size ? rs_punch(s, op, offset, end - offset) : 0;
		rs_unlock_shared(held);
		return r;
	}
	if (offset + length < size) {
		r = rs_punch(s, op, offset, length);
		rs_unlock_shared(held);
		return r;
	}
	rs_unlock_shared(held);

	/* The range reaches the end: truncate, under the exclusive lock, and
	 * decide again there since the size may have grown meanwhile. */
	rs_lock_exclusive(&s->lock);
	size = atomic_load(&s->size);
	if (offset >= size) {
		r = 0; /* already reads as zeroes */
	} else if (offset + length >= size) {
		int t;
		do
			t = ftruncate(s->fd, (off_t)offset);
		while (t < 0 && errno == EINTR);
		/* The logical size stays: the cut-off part reads as zeroes past
		 * the physical end (docs/spec.md ZERO-TRUNC-2). */
		r = t ? rs_fail_errno(errno,
				      "%s at offset %" PRIu64 " (%" PRIu64 " bytes): truncate", op,
				      offset, length)
		      : 0;
	} else {
		r = rs_punch(s, op, offset, length);
	}
	rs_unlock_exclusive(&s->lock);
	return r;
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return rs_discard_to_zero(s, "write_zeroes", offset, length);
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	int r = rs_discard_to_zero(s, "discard", offset, length);
	/* A discard is a hint: where the storage cannot discard at all, doing
	 * nothing is a correct discard. */
	return r == -ENOTSUP ? 0 : r;
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	static const char op[] = "write_allocated_zeroes";
	int r = rs_check_modify(s, op, offset, length);
	if (r || !length)
		return r;
	uint64_t end = offset + length;

	struct rs_lock_slot *held = rs_lock_shared(&s->lock);
	if (s->kind != RS_REGULAR) {
		uint64_t size = atomic_load(&s->size);
		r = end > size
			? rs_fail(ENOSPC,
				  "%s at offset %" PRIu64 " (%" PRIu64
				  " bytes): beyond the end of the device (%" PRIu64 " bytes)",
				  op, offset, length, size)
			: rs_zero_device(s, op, offset, end, true);
	} else {
		/* No KEEP_SIZE: allocated zeroes past the end grow the file like a
		 * write of zeroes would, and the logical size follows. */
		r = rs_fallocate(s->fd, FALLOC_FL_ZERO_RANGE, offset, length);
		if (r)
			r = rs_fail_errno(rs_map_unsupported(-r),
					  "%s at offset %" PRIu64 " (%" PRIu64
					  " bytes): zero range",
					  op, offset, length);
		else
			rs_size_grow(s, end);
	}
	rs_unlock_shared(held);
	return r;
}
