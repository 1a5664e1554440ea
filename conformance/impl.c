/* SPDX-License-Identifier: MIT */
/* impl.c - dlopen the implementation under test and bind the ABI by name. */
#include "impl.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rs_impl *rs_impl_load(const char *path, char *err, size_t errlen)
{
	/* RTLD_LOCAL: the implementation's symbols must not satisfy anyone
	 * else's lookups, nor theirs its own (a port must be self-contained). */
	void *dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!dl) {
		snprintf(err, errlen, "cannot load %s: %s", path, dlerror());
		return NULL;
	}
	struct rs_impl *impl = calloc(1, sizeof(*impl));
	if (!impl) {
		snprintf(err, errlen, "out of memory");
		dlclose(dl);
		return NULL;
	}
	impl->path = path;
	impl->dl = dl;
	char missing_core[512] = "";
#define RS_IMPL_BIND(name, ret, params, args, core)                                        \
	*(void **)&impl->name = dlsym(dl, "refstor_" #name);                               \
	if (!impl->name && core == RS_FN_CORE) {                                           \
		size_t n_ = strlen(missing_core);                                          \
		snprintf(missing_core + n_, sizeof(missing_core) - n_, "%srefstor_" #name, \
			 n_ ? ", " : "");                                                  \
	}
	RS_ABI(RS_IMPL_BIND)
#undef RS_IMPL_BIND
	if (missing_core[0]) {
		snprintf(err, errlen, "%s lacks core function(s): %s", path, missing_core);
		dlclose(dl);
		free(impl);
		return NULL;
	}
	return impl;
}

void rs_impl_missing(const struct rs_impl *impl, char *buf, size_t len)
{
	buf[0] = '\0';
#define RS_IMPL_MISSING(name, ret, params, args, core)                            \
	if (!impl->name && core == RS_FN_OPTIONAL) {                              \
		size_t n_ = strlen(buf);                                          \
		snprintf(buf + n_, len - n_, "%srefstor_" #name, n_ ? ", " : ""); \
	}
	RS_ABI(RS_IMPL_MISSING)
#undef RS_IMPL_MISSING
}

uint64_t rs_impl_limits(const struct rs_impl *impl)
{
	return impl->limits ? impl->limits() : 0;
}

void rs_impl_unload(struct rs_impl *impl)
{
	if (!impl)
		return;
	dlclose(impl->dl);
	free(impl);
}
