/* write_allocated_zeroes past a device's end is clipped to the end, not refused. */
#include "mutant.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

MUTANT("DEV-END-1", "allocated zeroes past a device's end are clipped, not refused");

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	uint64_t size = s ? REF(size(s)) : 0;
	if (!s || length > INT64_MAX || offset > INT64_MAX - length || offset + length <= size)
		return REF(write_allocated_zeroes(s, offset, length));
	int fd = mutant_fd(s, O_RDONLY);
	struct stat sb;
	bool blk = fd >= 0 && !fstat(fd, &sb) && S_ISBLK(sb.st_mode);
	if (fd >= 0)
		close(fd);
	if (!blk)
		return REF(write_allocated_zeroes(s, offset, length));
	return offset >= size ? 0 : REF(write_allocated_zeroes(s, offset, size - offset));
}
