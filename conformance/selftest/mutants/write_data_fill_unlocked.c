/* resize(WRITE_DATA) writes its zeroes a page at a time without holding the
 * handle's lock against other writes (imago's "FIXME: Keeping the lock would
 * be nice"): a write into the range being filled can be overwritten. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("CONC-3", "WRITE_DATA fills without the lock: racing writes are lost");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	uint64_t flags = s ? mutant_mode(s) : 0;
	if (!s || mode != REFSTOR_PREALLOC_WRITE_DATA || new_size > INT64_MAX ||
	    (flags & (MUTANT_KNOWN | MUTANT_WRITABLE)) != (MUTANT_KNOWN | MUTANT_WRITABLE))
		return REF(resize(s, new_size, mode));
	uint64_t cur = REF(size(s));
	size_t req = REF(req_align(s));
	bool direct = flags & MUTANT_DIRECT;
	if (new_size <= cur || !req || (direct && (cur % req || new_size % req)))
		return REF(resize(s, new_size, mode));
	int fd = mutant_fd(s, O_RDWR | (direct ? O_DIRECT : 0));
	if (fd < 0)
		return REF(resize(s, new_size, mode));
	/* One page of zeroes at a time (a request's worth on a direct handle). */
	size_t chunk = req > 4096 ? req : 4096;
	void *zero;
	if (posix_memalign(&zero, chunk, chunk)) {
		close(fd);
		return REF(resize(s, new_size, mode));
	}
	memset(zero, 0, chunk);
	/* Chunk by chunk, with no lock held: other writes of the handle run in
	 * between, and the next chunk may land on them. */
	int err = 0, tries = 0;
	for (uint64_t pos = cur; pos < new_size && !err;) {
		size_t n = new_size - pos < chunk ? (size_t)(new_size - pos) : chunk;
		ssize_t w = pwrite(fd, zero, n, (off_t)pos);
		if (w < 0 && errno == EINTR && ++tries < 100)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			pos += (uint64_t)w;
	}
	free(zero);
	close(fd);
	if (err)
		return mutant_fail(err, "resize to %llu (write_data): %s",
				   (unsigned long long)new_size, strerror(err));
	/* The file is as long as new_size now: this only sets the handle's size. */
	return REF(resize(s, new_size, REFSTOR_PREALLOC_NONE));
}
