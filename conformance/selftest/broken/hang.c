/* One call of the ABI blocks forever; every other call is the reference's.
 * Which one: REFSTOR_BROKEN_HANG, a function name without "refstor_"
 * ("writev", "open", "flush", ...; default "writev").  A deadlocked port: a
 * runner without a timeout waits with it for ever.
 *
 * Every function is defined here, each calling the reference's own, so that
 * exactly the named call hangs: with shim.c's, refstor_read and refstor_write
 * would go through readv and writev and hang with them. */
#include "mutant.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every function of the ABI but close (which returns nothing, so is written
 * out below): X(return type, name, parameters, arguments).  The port's own
 * list, not impl.h's, so that the names it accepts are the ones it defines. */
#define HANG_ABI(X)                                                                              \
	X(int, open, (const struct refstor_open_opts *o, refstor **out), (o, out))               \
	X(int, create, (const struct refstor_create_opts *o, refstor **out), (o, out))           \
	X(int, from_fd, (int fd, refstor **out), (fd, out))                                      \
	X(size_t, mem_align, (const refstor *s), (s))                                            \
	X(size_t, req_align, (const refstor *s), (s))                                            \
	X(size_t, zero_align, (const refstor *s), (s))                                           \
	X(size_t, discard_align, (const refstor *s), (s))                                        \
	X(uint64_t, size, (const refstor *s), (s))                                               \
	X(const char *, filename, (const refstor *s), (s))                                       \
	X(int, describe, (const refstor *s, char *buf, size_t len), (s, buf, len))               \
	X(int, resolve_relative_path, (const refstor *s, const char *rel, char **out),           \
	  (s, rel, out))                                                                         \
	X(int, readv, (refstor * s, const struct iovec *iov, int n, uint64_t off),               \
	  (s, iov, n, off))                                                                      \
	X(int, writev, (refstor * s, const struct iovec *iov, int n, uint64_t off),              \
	  (s, iov, n, off))                                                                      \
	X(int, read, (refstor * s, void *buf, size_t len, uint64_t off), (s, buf, len, off))     \
	X(int, write, (refstor * s, const void *buf, size_t len, uint64_t off),                  \
	  (s, buf, len, off))                                                                    \
	X(int, write_zeroes, (refstor * s, uint64_t off, uint64_t len), (s, off, len))           \
	X(int, write_allocated_zeroes, (refstor * s, uint64_t off, uint64_t len), (s, off, len)) \
	X(int, discard, (refstor * s, uint64_t off, uint64_t len), (s, off, len))                \
	X(int, flush, (refstor * s), (s))                                                        \
	X(int, sync, (refstor * s), (s))                                                         \
	X(int, invalidate_cache, (refstor * s), (s))                                             \
	X(int, resize, (refstor * s, uint64_t size, enum refstor_prealloc m), (s, size, m))      \
	X(const char *, last_error, (void), ())                                                  \
	X(const char *, version, (void), ())

static const char *hang_name = "writev";

/* Checked once, at load: a name that is no refstor function would make a
 * port that never hangs, and a self-test that passes for the wrong reason. */
__attribute__((constructor)) static void hang_init(void)
{
	const char *name = getenv("REFSTOR_BROKEN_HANG");
	if (!name || !*name)
		return;
	if (!strncmp(name, "refstor_", 8))
		name += 8;
#define HANG_NAME(ret, fn, params, args) #fn,
	static const char *const names[] = {HANG_ABI(HANG_NAME) "close"};
#undef HANG_NAME
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			hang_name = names[i];
			return;
		}
	fprintf(stderr, "broken-hang: REFSTOR_BROKEN_HANG=%s names no refstor function\n", name);
	abort();
}

/* pause() in a loop: a signal with a handler ends pause() but not the hang;
 * only a signal whose action is to end the process does. */
static void hang_if(const char *fn)
{
	if (strcmp(fn, hang_name))
		return;
	for (;;)
		pause();
}

#define HANG_FWD(ret, fn, params, args) \
	ret refstor_##fn params         \
	{                               \
		hang_if(#fn);           \
		return REF(fn args);    \
	}
HANG_ABI(HANG_FWD)

void refstor_close(refstor *s)
{
	hang_if("close");
	ref()->close(s);
}
