/* SPDX-License-Identifier: MIT */
/* loader.c - see loader.h. */
#include "loader.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *machine_name(unsigned m)
{
	static const struct {
		unsigned m;
		const char *name;
	} names[] = {{EM_386, "i386"},        {EM_X86_64, "x86-64"},   {EM_ARM, "ARM"},
		     {EM_AARCH64, "AArch64"}, {EM_PPC64, "PowerPC64"}, {EM_S390, "s390"},
		     {EM_RISCV, "RISC-V"}};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].m == m)
			return names[i].name;
	return "another machine";
}

static int read_ehdr(const char *path, Elf64_Ehdr *h, off_t *size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct stat st;
	ssize_t n = fstat(fd, &st) ? -1 : pread(fd, h, sizeof(*h), 0);
	int e = errno;
	*size = st.st_size;
	close(fd);
	if (n < 0)
		return -e;
	if (n < (ssize_t)EI_NIDENT) {
		memset(h, 0, sizeof(*h));
		return 0;
	}
	return (int)n;
}

/* What is wrong with path's ELF header for this process, or "" if nothing
 * is.  Only 64-bit objects get past the class check, so Elf64 is enough. */
static void check_elf(const char *path, char *err, size_t len)
{
	Elf64_Ehdr h, self;
	off_t size, self_size;
	int n = read_ehdr(path, &h, &size);
	err[0] = '\0';
	if (n < 0) {
		snprintf(err, len, "cannot read %s: %s", path, strerror(-n));
		return;
	}
	if (n < EI_NIDENT || memcmp(h.e_ident, ELFMAG, SELFMAG)) {
		snprintf(err, len, "%s is not an ELF shared object (%lld bytes, no ELF magic)",
			 path, (long long)size);
		return;
	}
	if (read_ehdr("/proc/self/exe", &self, &self_size) < (int)sizeof(self))
		return; /* nothing to compare with: dlopen will say */
	if (h.e_ident[EI_CLASS] != self.e_ident[EI_CLASS]) {
		snprintf(err, len, "%s is a %d-bit object; this runner is %d-bit", path,
			 h.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 64,
			 self.e_ident[EI_CLASS] == ELFCLASS32 ? 32 : 64);
		return;
	}
	if (n < (int)sizeof(h)) {
		snprintf(err, len, "%s is truncated: %lld bytes, shorter than an ELF header", path,
			 (long long)size);
		return;
	}
	if (h.e_ident[EI_DATA] != self.e_ident[EI_DATA] || h.e_machine != self.e_machine) {
		snprintf(err, len,
			 "%s is built for %s (ELF machine %u); this machine is %s (ELF machine %u)",
			 path, machine_name(h.e_machine), h.e_machine, machine_name(self.e_machine),
			 self.e_machine);
		return;
	}
	if (h.e_type != ET_DYN) {
		snprintf(err, len, "%s is not a shared object (ELF type %u; build it with -shared)",
			 path, h.e_type);
		return;
	}
	/* Every segment to be mapped must be in the file. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	for (unsigned i = 0; fd >= 0 && i < h.e_phnum; i++) {
		Elf64_Phdr ph;
		off_t at = (off_t)(h.e_phoff + (uint64_t)i * h.e_phentsize);
		if (pread(fd, &ph, sizeof(ph), at) != (ssize_t)sizeof(ph)) {
			snprintf(err, len,
				 "%s is truncated: %lld bytes, but its program headers end at %lld",
				 path, (long long)size,
				 (long long)(h.e_phoff + (uint64_t)h.e_phnum * h.e_phentsize));
			break;
		}
		if (ph.p_type == PT_LOAD && ph.p_offset + ph.p_filesz > (uint64_t)size) {
			snprintf(err, len,
				 "%s is truncated: %lld bytes, but a segment to load ends at byte "
				 "%llu",
				 path, (long long)size,
				 (unsigned long long)(ph.p_offset + ph.p_filesz));
			break;
		}
	}
	if (fd >= 0)
		close(fd);
}

#define RS_LOADED "\n(loaded)"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int rs_loader_check(const char *path, void (*then)(const struct rs_impl *impl, void *arg),
		    void *arg, char *err, size_t errlen)
{
	check_elf(path, err, errlen);
	if (err[0])
		return -1;
	int p[2];
	if (pipe2(p, O_CLOEXEC)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		snprintf(err, errlen, "fork: %s", strerror(errno));
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		char e[1024];
		struct rs_impl *impl = rs_impl_load(path, e, sizeof(e));
		if (!impl) {
			ssize_t w = write(p[1], e, strlen(e));
			(void)w;
			_exit(2);
		}
		if (then)
			then(impl, arg);
		fflush(NULL);
		/* Proof of a load that worked: a constructor calling exit(0)
		 * also ends the child with status 0. */
		ssize_t w = write(p[1], RS_LOADED, strlen(RS_LOADED));
		(void)w;
		/* Not through exit(): the port's destructors are not on trial here,
		 * and must not turn a load that worked into a failure. */
		_exit(0);
	}
	close(p[1]);
	/* Whatever the child says, until it closes its end or the time is up. */
	size_t got = 0;
	char msg[1024] = "";
	double end = now() + RS_LOAD_TIMEOUT;
	bool timed_out = false;
	for (;;) {
		double left = end - now();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pf = {p[0], POLLIN, 0};
		if (poll(&pf, 1, (int)(left * 1000) + 1) <= 0)
			continue; /* interrupted, or the time is up (checked above) */
		ssize_t n = read(p[0], msg + got, sizeof(msg) - 1 - got);
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got == sizeof(msg) - 1)
			break;
	}
	close(p[0]);
	msg[got] = '\0';
	int st = 0;
	if (timed_out) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		snprintf(err, errlen,
			 "loading %s did not finish within %d s: a constructor of the library (or "
			 "of one it needs) hangs",
			 path, RS_LOAD_TIMEOUT);
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		snprintf(err, errlen,
			 "loading %s killed the loading process with signal %d (%s): a constructor "
			 "of the library (or of one it needs) crashed",
			 path, WTERMSIG(st), strsignal(WTERMSIG(st)));
		return -1;
	}
	if (WEXITSTATUS(st) == 2 && msg[0]) {
		snprintf(err, errlen, "%s", msg);
		return -1;
	}
	if (WEXITSTATUS(st) != 0 || !strstr(msg, RS_LOADED)) {
		snprintf(
		    err, errlen,
		    "loading %s ended the loading process with status %d: a constructor of the "
		    "library (or of one it needs) called exit()",
		    path, WEXITSTATUS(st));
		return -1;
	}
	return 0;
}
