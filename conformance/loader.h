/* SPDX-License-Identifier: MIT */
/*
 * loader.h - load a port for the first time in a child process, so that
 * whatever it does while loading (a constructor that aborts or hangs, a
 * library of the wrong architecture, a truncated file, a missing symbol)
 * becomes a clear sentence instead of the runner's own death or glibc's
 * "No such file".
 */
#ifndef REFSTOR_CONF_LOADER_H
#define REFSTOR_CONF_LOADER_H

#include "impl.h"

#include <stddef.h>

/* Seconds a port may take to load before it counts as hung. */
#define RS_LOAD_TIMEOUT 10

/* Check path's ELF header against this machine, then dlopen it in a child
 * process and, there, call then(impl, arg) (NULL: nothing more); the child's
 * stdout is the caller's.  Returns 0, or -1 with why in err. */
int rs_loader_check(const char *path, void (*then)(const struct rs_impl *impl, void *arg),
		    void *arg, char *err, size_t errlen);

#endif
