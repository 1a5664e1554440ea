/* SPDX-License-Identifier: MIT */
/* shim.c - see mutant.h.  Test machinery: process-wide state on purpose. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define W __attribute__((weak))

static struct rs_impl *the_ref;
static pthread_once_t ref_once = PTHREAD_ONCE_INIT;

static void load_ref(void)
{
	char err[1024];
	the_ref = rs_impl_load(REFSTOR_REF_SO, err, sizeof(err));
	if (!the_ref) {
		fprintf(stderr, "mutant: cannot load the reference: %s\n", err);
		abort();
	}
}

const struct rs_impl *ref(void)
{
	pthread_once(&ref_once, load_ref);
	return the_ref;
}

int mutant_zero(refstor *s, enum mutant_zeroing op, uint64_t offset, uint64_t length)
{
	return op == MUTANT_WRITE_ZEROES ? REF(write_zeroes(s, offset, length))
	       : op == MUTANT_DISCARD    ? REF(discard(s, offset, length))
					 : REF(write_allocated_zeroes(s, offset, length));
}

int mutant_fd(const refstor *s, int flags)
{
	const char *name = ref()->filename(s);
	return name ? open(name, flags | O_CLOEXEC) : -1;
}

/* A mutant's own messages, and whether the last failure was the mutant's. */
static _Thread_local char own_msg[1024];
static _Thread_local bool own_last;

int mutant_fail(int err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(own_msg, sizeof(own_msg), fmt, ap);
	va_end(ap);
	own_last = true;
	return -err;
}

enum { SLOTS = 256 };
struct slot {
	const refstor *s;
	unsigned mode; /* MUTANT_* */
	uint64_t words[4];
	bool pinned;
	uint64_t size; /* the pinned size, else the floor (mutant_raise_size) */
	size_t align;  /* mutant_fake_align's, or 0 */
};
static struct slot slots[SLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;

/* The handle's slot; with add, one is taken for it if it has none. */
static struct slot *find(const refstor *s, bool add)
{
	struct slot *w = NULL;
	pthread_mutex_lock(&slots_lock);
	for (int i = 0; i < SLOTS && !w; i++)
		if (slots[i].s == s)
			w = &slots[i];
	for (int i = 0; i < SLOTS && !w && add; i++)
		if (!slots[i].s) {
			slots[i] = (struct slot){.s = s};
			w = &slots[i];
		}
	pthread_mutex_unlock(&slots_lock);
	if (!w && add)
		abort(); /* more than SLOTS handles open at once: not a test this makes */
	return w;
}

uint64_t *mutant_state(const refstor *s)
{
	return find(s, true)->words;
}

unsigned mutant_mode(const refstor *s)
{
	return s ? find(s, true)->mode : 0;
}

static int record(int r, refstor **out, bool direct, bool writable)
{
	if (!r && out && *out)
		find(*out, true)->mode =
		    MUTANT_KNOWN | (direct ? MUTANT_DIRECT : 0) | (writable ? MUTANT_WRITABLE : 0);
	return r;
}

void mutant_raise_size(const refstor *s, uint64_t end)
{
	struct slot *w = find(s, true);
	if (end > w->size)
		w->size = end;
}

void mutant_pin_size(const refstor *s, uint64_t size)
{
	struct slot *w = find(s, true);
	w->pinned = true;
	w->size = size;
}

bool mutant_size_pinned(const refstor *s)
{
	struct slot *w = find(s, false);
	return w && w->pinned;
}

void mutant_reset_size(const refstor *s)
{
	struct slot *w = find(s, false);
	if (w) {
		w->pinned = false;
		w->size = 0;
	}
}

void mutant_fake_align(const refstor *s, size_t align)
{
	find(s, true)->align = align;
}

static size_t faked_align(const refstor *s)
{
	struct slot *w = s ? find(s, false) : NULL;
	return w ? w->align : 0;
}

size_t mutant_plain(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset, unsigned need)
{
	if (!s || !iov || iovcnt <= 0 || iovcnt > IOV_MAX || offset > INT64_MAX ||
	    (mutant_mode(s) & need) != need)
		return 0;
	bool direct = mutant_mode(s) & MUTANT_DIRECT;
	size_t req = REF(req_align(s)), mem = REF(mem_align(s)), total = 0;
	if (!req || !mem || (direct && offset % req))
		return 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base || iov[i].iov_len > SSIZE_MAX - total)
			return 0;
		if (direct && ((uintptr_t)iov[i].iov_base % mem || iov[i].iov_len % req))
			return 0;
		total += iov[i].iov_len;
	}
	return total <= INT64_MAX - offset ? total : 0;
}

int mutant_iov_skip(struct iovec *v, int iovcnt, int idx, size_t n)
{
	while (idx < iovcnt && n >= v[idx].iov_len)
		n -= v[idx++].iov_len;
	if (idx < iovcnt) {
		v[idx].iov_base = (char *)v[idx].iov_base + n;
		v[idx].iov_len -= n;
	}
	return idx;
}

uint64_t mutant_iov_len(const struct iovec *iov, int iovcnt)
{
	uint64_t len = 0;
	for (int i = 0; iov && i < iovcnt; i++)
		len += iov[i].iov_len;
	return len;
}

void mutant_forget(const refstor *s)
{
	pthread_mutex_lock(&slots_lock);
	for (int i = 0; i < SLOTS; i++)
		if (slots[i].s == s)
			slots[i].s = NULL;
	pthread_mutex_unlock(&slots_lock);
}

void mutant_via_ref(void)
{
	own_last = false;
}

W int mutant_result(int r)
{
	return r;
}

/* Every call through the reference clears "the last failure was ours". */
#define FWD(call) mutant_result(REF(call))

W int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = FWD(open(o, out));
	return o ? record(r, out, o->direct, o->writable) : r;
}
W int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	int r = FWD(create(o, out));
	return o ? record(r, out, o->open.direct, true) : r;
}
W int refstor_from_fd(int fd, refstor **out)
{
	return FWD(from_fd(fd, out));
}
W void refstor_close(refstor *s)
{
	mutant_forget(s);
	ref()->close(s);
}
W size_t refstor_mem_align(const refstor *s)
{
	return faked_align(s) ? faked_align(s) : ref()->mem_align(s);
}
W size_t refstor_req_align(const refstor *s)
{
	return faked_align(s) ? faked_align(s) : ref()->req_align(s);
}
W size_t refstor_zero_align(const refstor *s)
{
	return ref()->zero_align(s);
}
W size_t refstor_discard_align(const refstor *s)
{
	return ref()->discard_align(s);
}
W uint64_t refstor_size(const refstor *s)
{
	uint64_t size = ref()->size(s);
	struct slot *w = s ? find(s, false) : NULL;
	if (!w)
		return size;
	return w->pinned ? w->size : w->size > size ? w->size : size;
}
W const char *refstor_filename(const refstor *s)
{
	return ref()->filename(s);
}
W int refstor_describe(const refstor *s, char *buf, size_t len)
{
	return FWD(describe(s, buf, len));
}
W int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	return FWD(resolve_relative_path(s, rel, out));
}
W int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return FWD(readv(s, iov, iovcnt, offset));
}
W int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return FWD(writev(s, iov, iovcnt, offset));
}
/* read/write go through this object's readv/writev, so that a mutant that
 * changes those changes these too, as in a port. */
W int refstor_read(refstor *s, void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {buf, len};
	return refstor_readv(s, &v, 1, offset);
}
W int refstor_write(refstor *s, const void *buf, size_t len, uint64_t offset)
{
	struct iovec v = {(void *)buf, len};
	return refstor_writev(s, &v, 1, offset);
}
W int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return FWD(write_zeroes(s, offset, length));
}
W int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return FWD(write_allocated_zeroes(s, offset, length));
}
W int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return FWD(discard(s, offset, length));
}
W int refstor_flush(refstor *s)
{
	return FWD(flush(s));
}
W int refstor_sync(refstor *s)
{
	return FWD(sync(s));
}
W int refstor_invalidate_cache(refstor *s)
{
	return FWD(invalidate_cache(s));
}
W int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	int r = FWD(resize(s, new_size, mode));
	if (!r && s)
		mutant_reset_size(s);
	return r;
}
W const char *refstor_last_error(void)
{
	return own_last ? own_msg : ref()->last_error();
}
W const char *refstor_version(void)
{
	return "mutant";
}
W unsigned refstor_abi_version(void)
{
	return ref()->abi_version ? ref()->abi_version() : 0;
}
W uint64_t refstor_limits(void)
{
	return ref()->limits ? ref()->limits() : 0;
}
