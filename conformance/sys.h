/* SPDX-License-Identifier: MIT */
/*
 * sys.h - the suite's own file I/O, as raw system calls.
 *
 * The fault interposer (faults/) stands before libc for the whole process, so
 * a libc pread() of the suite's would be counted, or consume a fault armed for
 * the implementation (docs/spec.md FAULT).  What the suite does to look at or
 * prepare a file goes straight to the kernel instead: the interposer only ever
 * sees the implementation's calls.
 */
#ifndef REFSTOR_CONF_SYS_H
#define REFSTOR_CONF_SYS_H

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static inline ssize_t sys_pread(int fd, void *buf, size_t len, off_t off)
{
	return syscall(SYS_pread64, fd, buf, len, off);
}

static inline ssize_t sys_pwrite(int fd, const void *buf, size_t len, off_t off)
{
	return syscall(SYS_pwrite64, fd, buf, len, off);
}

static inline ssize_t sys_write(int fd, const void *buf, size_t len)
{
	return syscall(SYS_write, fd, buf, len);
}

static inline int sys_fallocate(int fd, int mode, off_t off, off_t len)
{
	return (int)syscall(SYS_fallocate, fd, mode, off, len);
}

static inline int sys_fsync(int fd)
{
	return (int)syscall(SYS_fsync, fd);
}

static inline int sys_ftruncate(int fd, off_t len)
{
	return (int)syscall(SYS_ftruncate, fd, len);
}

#endif
