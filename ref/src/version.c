/* SPDX-License-Identifier: MIT */
/* version.c - the library's version, from the macros in refstor.h. */
#include "internal.h"

#define RS_STR_(x) #x
#define RS_STR(x)  RS_STR_(x)

const char *refstor_version(void)
{
	return RS_STR(REFSTOR_VERSION_MAJOR) "." RS_STR(REFSTOR_VERSION_MINOR) "." RS_STR(
	    REFSTOR_VERSION_PATCH);
}

unsigned refstor_abi_version(void)
{
	return REFSTOR_ABI_VERSION;
}

uint64_t refstor_limits(void)
{
	/* A file opened in this process, with every ability the spec asks. */
	return 0;
}
