/* resize(WRITE_DATA) writes its zeroes through the handle's descriptor as it
 * is: on a direct handle, a fill from or to an offset off req_align is
 * refused by the kernel (EINVAL) and the resize fails. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

MUTANT("RESIZE-DIRECT-1", "WRITE_DATA on a direct handle fails unless both sizes are aligned");

/* Zeroes over [from, to) with plain pwrite on fd; 0 or an errno. */
static int fill(int fd, uint64_t from, uint64_t to)
{
	enum { CHUNK = 1 << 20 };
	void *zero;
	if (posix_memalign(&zero, 65536, CHUNK))
		return ENOMEM;
	memset(zero, 0, CHUNK);
	int err = 0, tries = 0;
	while (from < to && !err) {
		size_t n = to - from < CHUNK ? (size_t)(to - from) : CHUNK;
		ssize_t w = pwrite(fd, zero, n, (off_t)from);
		if (w < 0 && errno == EINTR && ++tries < 100)
			continue;
		if (w <= 0)
			err = w < 0 ? errno : EIO;
		else
			from += (uint64_t)w;
	}
	free(zero);
	return err;
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (!s || mode != REFSTOR_PREALLOC_WRITE_DATA || new_size > INT64_MAX ||
	    (mutant_mode(s) & (MUTANT_KNOWN | MUTANT_DIRECT)) != (MUTANT_KNOWN | MUTANT_DIRECT))
		return REF(resize(s, new_size, mode));
	/* Only the unaligned fills: the reference does the rest as the port would. */
	uint64_t cur = REF(size(s));
	size_t req = REF(req_align(s));
	if (new_size <= cur || !req || (cur % req == 0 && new_size % req == 0))
		return REF(resize(s, new_size, mode));
	int fd = mutant_fd(s, O_RDWR | O_DIRECT);
	if (fd < 0)
		return REF(resize(s, new_size, mode));
	int err = fill(fd, cur, new_size);
	close(fd);
	if (err)
		return mutant_fail(err, "resize to %llu (write_data): %s",
				   (unsigned long long)new_size, strerror(err));
	/* Where the kernel took it after all: the file is long enough already. */
	return REF(resize(s, new_size, REFSTOR_PREALLOC_NONE));
}
