/* Vectors are gathered into (reads: scattered from) one aligned buffer per
 * handle, kept to spare an allocation per request, without a lock: two
 * threads' requests share the buffer, and one writes or reads the other's
 * bytes. */
#include "mutant.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

MUTANT("CONC-1 CONC-2", "one bounce buffer per handle, shared by racing threads");

enum { BUF = 1 << 20 };

/* state[0]: the handle's buffer (0: not allocated yet). */
static char *buffer(refstor *s)
{
	uint64_t *st = mutant_state(s);
	uint64_t have = __atomic_load_n(&st[0], __ATOMIC_ACQUIRE);
	if (have)
		return (char *)(uintptr_t)have;
	void *b;
	if (posix_memalign(&b, 65536, BUF))
		return NULL;
	if (!__atomic_compare_exchange_n(&st[0], &have, (uint64_t)(uintptr_t)b, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		free(b);
		return (char *)(uintptr_t)have;
	}
	return b;
}

void refstor_close(refstor *s)
{
	if (s) {
		free((void *)(uintptr_t)mutant_state(s)[0]);
		mutant_forget(s);
	}
	ref()->close(s);
}

/* A request the reference would take, with its total length; else 0. */
static size_t plain(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	if (!s || !iov || iovcnt <= 0 || iovcnt > IOV_MAX || offset > INT64_MAX)
		return 0;
	size_t req = REF(req_align(s)), total = 0;
	if (!req || offset % req)
		return 0;
	for (int i = 0; i < iovcnt; i++) {
		if (!iov[i].iov_base || iov[i].iov_len > SSIZE_MAX - total)
			return 0;
		total += iov[i].iov_len;
	}
	/* Chunks of BUF keep the alignment; a ragged total goes to the reference. */
	return total % req == 0 && req <= BUF && total <= INT64_MAX - offset ? total : 0;
}

/* Copy len bytes between buf and the vector, starting pos bytes into it. */
static void copy(const struct iovec *iov, int iovcnt, size_t pos, char *buf, size_t len,
		 bool to_buf)
{
	for (int i = 0; i < iovcnt && len; i++) {
		if (pos >= iov[i].iov_len) {
			pos -= iov[i].iov_len;
			continue;
		}
		size_t n = iov[i].iov_len - pos < len ? iov[i].iov_len - pos : len;
		char *v = (char *)iov[i].iov_base + pos;
		if (to_buf)
			memcpy(buf, v, n);
		else
			memcpy(v, buf, n);
		buf += n;
		len -= n;
		pos = 0;
	}
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = plain(s, iov, iovcnt, offset);
	char *b = total ? buffer(s) : NULL;
	if (!b)
		return REF(readv(s, iov, iovcnt, offset));
	for (size_t done = 0; done < total;) {
		size_t n = total - done < BUF ? total - done : BUF;
		int r = REF(read(s, b, n, offset + done));
		if (r)
			return r;
		copy(iov, iovcnt, done, b, n, false);
		done += n;
	}
	return 0;
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	size_t total = plain(s, iov, iovcnt, offset);
	char *b = total ? buffer(s) : NULL;
	if (!b)
		return REF(writev(s, iov, iovcnt, offset));
	for (size_t done = 0; done < total;) {
		size_t n = total - done < BUF ? total - done : BUF;
		copy(iov, iovcnt, done, b, n, true);
		int r = REF(write(s, b, n, offset + done));
		if (r)
			return r;
		done += n;
	}
	return 0;
}
