/* Mutant: a create whose initial resize fails leaves its file behind
 * (CREATE-UNDO-1). */
#include "mutant.h"

#include <fcntl.h>
#include <unistd.h>

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	if (!o || !o->open.path)
		return rs_ref_create(o, out);
	/* Make the file first: the reference then thinks it was not its own. */
	int fd = open(o->open.path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0)
		return rs_ref_create(o, out);
	close(fd);
	struct refstor_create_opts again = *o;
	again.overwrite = true;
	return rs_ref_create(&again, out);
}
