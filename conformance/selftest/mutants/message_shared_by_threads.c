/* The error message lives in one process-wide buffer, not one per thread. */
#include "mutant.h"

#include <pthread.h>
#include <stdio.h>

MUTANT("ERR-TLS-1", "one message buffer shared by all threads");

static char shared[1024];
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

/* Every failure copies its message into the shared buffer. */
static int keep(int r)
{
	if (r < 0) {
		pthread_mutex_lock(&shared_lock);
		snprintf(shared, sizeof(shared), "%s", ref()->last_error());
		pthread_mutex_unlock(&shared_lock);
	}
	return r;
}

const char *refstor_last_error(void)
{
	return shared;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	return keep(REF(open(o, out)));
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	return keep(REF(create(o, out)));
}

int refstor_from_fd(int fd, refstor **out)
{
	return keep(REF(from_fd(fd, out)));
}

int refstor_describe(const refstor *s, char *buf, size_t len)
{
	return keep(REF(describe(s, buf, len)));
}

int refstor_resolve_relative_path(const refstor *s, const char *rel, char **out)
{
	return keep(REF(resolve_relative_path(s, rel, out)));
}

int refstor_readv(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return keep(REF(readv(s, iov, iovcnt, offset)));
}

int refstor_writev(refstor *s, const struct iovec *iov, int iovcnt, uint64_t offset)
{
	return keep(REF(writev(s, iov, iovcnt, offset)));
}

int refstor_write_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return keep(REF(write_zeroes(s, offset, length)));
}

int refstor_write_allocated_zeroes(refstor *s, uint64_t offset, uint64_t length)
{
	return keep(REF(write_allocated_zeroes(s, offset, length)));
}

int refstor_discard(refstor *s, uint64_t offset, uint64_t length)
{
	return keep(REF(discard(s, offset, length)));
}

int refstor_flush(refstor *s)
{
	return keep(REF(flush(s)));
}

int refstor_sync(refstor *s)
{
	return keep(REF(sync(s)));
}

int refstor_invalidate_cache(refstor *s)
{
	return keep(REF(invalidate_cache(s)));
}

int refstor_resize(refstor *s, uint64_t new_size, enum refstor_prealloc mode)
{
	return keep(REF(resize(s, new_size, mode)));
}
