/* SPDX-License-Identifier: MIT */
/*
 * partial_port.c - fio/ci-smoke's port that lacks functions: the self-test's
 * shim (conformance/selftest/shim.c, every refstor_* forwarded to the
 * reference), exporting only what partial_port.map lists.  It has no
 * refstor_sync and no refstor_write_allocated_zeroes, so a job through it
 * (refstor_impl=) that needs either must fail at setup, naming the function
 * and this object, and any other job must run.
 */
#include "mutant.h"

/* Not exported (partial_port.map): a description for whoever reads the .so. */
const char refstor_fio_partial_port[] =
    "the reference through the self-test's shim, without refstor_sync and "
    "refstor_write_allocated_zeroes";
