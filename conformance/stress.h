/* SPDX-License-Identifier: MIT */
/*
 * stress.h - the CONC-2 stress: eight workers on disjoint regions of one
 * handle, a ninth thread resizing beyond them.  Used by the suite's CONC-2
 * test and by refstor-stress, which runs it under ThreadSanitizer (Criterion
 * itself cannot run under TSan: Snaipe/Criterion#274).
 */
#ifndef REFSTOR_CONF_STRESS_H
#define REFSTOR_CONF_STRESS_H

#include "impl.h"

struct rs_stress {
	/* in */
	const struct rs_impl *impl;
	const char *path; /* an existing file */
	bool direct;
	unsigned seconds;
	bool can_punch;  /* the filesystem punches holes */
	bool can_falloc; /* and has fallocate(0) */
	/* out */
	unsigned long ops;
	char failure[512];
};

/* 0, or -1 with st->failure saying what went wrong. */
int rs_stress_run(struct rs_stress *st);

#endif
