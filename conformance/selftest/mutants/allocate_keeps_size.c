/* resize(ALLOCATE) calls fallocate with FALLOC_FL_KEEP_SIZE: the blocks are
 * reserved, but neither the file nor the handle grows. */
#include "mutant.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdint.h>
#include <unistd.h>

MUTANT("RESIZE-GROW-1", "ALLOCATE reserves blocks with KEEP_SIZE and does not grow");

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	if (!s || mode != REFSTOR_PREALLOC_ALLOCATE || new_size > INT64_MAX)
		return REF(resize(s, new_size, mode));
	uint64_t cur = REF(size(s));
	if (new_size <= cur)
		return REF(resize(s, new_size, mode));
	int fd = mutant_fd(s, O_RDWR);
	if (fd < 0)
		return REF(resize(s, new_size, mode));
	int r, tries = 0;
	do
		r = fallocate(fd, FALLOC_FL_KEEP_SIZE, (off_t)cur, (off_t)(new_size - cur));
	while (r < 0 && errno == EINTR && ++tries < 100);
	int e = errno;
	close(fd);
	if (r < 0) {
		if (e == EOPNOTSUPP || e == ENODEV || e == ENXIO || e == ENOTTY)
			e = ENOTSUP;
		return mutant_fail(e, "resize to %llu (allocate): fallocate: errno %d",
				   (unsigned long long)new_size, e);
	}
	return 0;
}
