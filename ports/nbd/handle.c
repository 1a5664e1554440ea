/* SPDX-License-Identifier: MIT */
/*
 * handle.c - open, create, from_fd and close: the descriptor is opened here,
 * as the reference opens it (so a bad path fails with its own errno), and a
 * server is started on it for the handle's life.
 */
#include "internal.h"
#include "preset.h"
#include "../../ref/src/refstor_names.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* Bind a listening socket to a fresh abstract name (nothing in the
 * filesystem).  The name is this process's and thread's id and 64 random
 * bits: unique without a counter, which would be global mutable state. */
static int rn_listen(refstor *s, const char *op)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return rs_failf(errno, true, s->what, "%s %s: socket", op, s->what);
	for (int tries = 0;; tries++) {
		uint64_t rnd;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd = (uint64_t)rn_now_ns() ^ (uintptr_t)s;
		snprintf(s->nbd_addr, sizeof(s->nbd_addr), "refstor-nbd-%d-%d-%016" PRIx64,
			 (int)getpid(), (int)gettid(), rnd);
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		size_t n = strlen(s->nbd_addr);
		memcpy(a.sun_path + 1, s->nbd_addr, n);
		if (!bind(fd, (struct sockaddr *)&a,
			  (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n)))
			break;
		if (errno != EADDRINUSE || tries == 7) {
			int e = errno;
			close(fd);
			return rs_failf(e, true, s->what, "%s %s: bind @%s", op, s->what,
					s->nbd_addr);
		}
	}
	if (listen(fd, 8)) {
		int e = errno;
		close(fd);
		return rs_failf(e, true, s->what, "%s %s: listen", op, s->what);
	}
	return fd;
}

static void rn_close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * Start the handle's server on s->fd and connect to it, within the timeout.
 * qemu: the listening socket is made and connected to before the fork, so
 * the connection waits in its backlog until qemu accepts it; our copy of the
 * listener is closed right after, so that if qemu dies the waiting
 * connection is reset instead of waiting for the timeout.
 */
static int rn_start(refstor *s, const char *op)
{
	const struct rn_preset *p = rn_preset();
	struct rn_serve w = {.writable = s->writable, .direct = s->direct, .is_block = s->is_block};
	struct rn_argv a = {.argc = 0};
	p->build(&a, &w);
	int64_t deadline = rn_now_ns() + rn_timeout_ns();

	int fds[RN_CHILD_FDS] = {-1, -1, -1, -1, -1};
	int sock = -1, peer = -1, listener = -1, mon = -1, r = 0;
	fds[RN_FD_STORAGE] = s->fd;
	if (p->listens) {
		int qmp[2];
		if ((listener = rn_listen(s, op)) < 0)
			return listener;
		if ((sock = rn_dial(s, op)) < 0) {
			rn_close_fd(&listener);
			return sock;
		}
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, qmp)) {
			r = rs_failf(errno, true, s->what, "%s %s: socketpair", op, s->what);
			rn_close_fd(&listener);
			rn_close_fd(&sock);
			return r;
		}
		mon = qmp[0];
		peer = qmp[1];
		fds[RN_FD_LISTEN] = listener;
	} else {
		int sp[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
			return rs_failf(errno, true, s->what, "%s %s: socketpair", op, s->what);
		sock = sp[0];
		peer = sp[1];
	}
	fds[0] = fds[1] = peer;
	r = rn_server_start(&s->server, p->program, a.argv, fds, op, s->what);
	rn_close_fd(&peer);
	rn_close_fd(&listener);
	if (r) {
		rn_close_fd(&sock);
		rn_close_fd(&mon);
		return r;
	}
	rn_qmp_init(&s->qmp, mon);
	r = rn_connect(s, op, sock, deadline);
	if (!r && p->listens) {
		char why[1024];
		int q = rn_qmp_start(&s->qmp, deadline, why, sizeof(why));
		if (q)
			r = rn_fail_server(s, op, why, deadline);
	}
	if (r) {
		rn_disconnect(s);
		rn_qmp_close(&s->qmp);
		rn_server_stop(&s->server);
	}
	return r;
}

/* Free what rn_handle_new made; the descriptor stays the caller's. */
static void rn_handle_free(refstor *s)
{
	rn_server_destroy(&s->server);
	pthread_rwlock_destroy(&s->lock);
	free(s->filename);
	free(s->what);
	free(s);
}

/* A handle serving fd (not taken on failure). */
static int rn_handle_new(int fd, const char *filename, const char *op, bool writable, bool direct,
			 refstor **out)
{
	char fdname[48];
	snprintf(fdname, sizeof(fdname), "file descriptor %d", fd);
	const char *what = filename ? filename : fdname;
	struct stat st;
	if (fstat(fd, &st))
		return rs_failf(errno, true, what, "%s %s: fstat", op, what);
	enum rs_kind kind;
	int r = rs_check_type(st.st_mode, op, what, &kind);
	if (r)
		return r;

	refstor *s = calloc(1, sizeof(*s));
	if (!s)
		return rs_fail_path(ENOMEM, what, "%s %s: out of memory", op, what);
	s->fd = fd;
	s->writable = writable;
	s->direct = direct;
	s->is_block = kind == RS_BLOCK;
	atomic_init(&s->req_align, 1);
	atomic_init(&s->size, 0);
	rn_server_init(&s->server);
	rn_qmp_init(&s->qmp, -1);
	/* Writers first: with readers preferred, a resize would wait for ever
	 * behind threads that keep doing I/O (CONC-2). */
	pthread_rwlockattr_t attr;
	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	r = pthread_rwlock_init(&s->lock, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (r) {
		rn_server_destroy(&s->server);
		free(s);
		return rs_failf(r, true, what, "%s %s: pthread_rwlock_init", op, what);
	}
	s->filename = filename ? strdup(filename) : NULL;
	s->what = strdup(what);
	if ((filename && !s->filename) || !s->what) {
		rn_handle_free(s);
		return rs_fail_path(ENOMEM, what, "%s %s: out of memory", op, what);
	}
	r = rn_start(s, op);
	if (r) {
		rn_handle_free(s);
		return r;
	}
	*out = s;
	return 0;
}

int refstor_open(const struct refstor_open_opts *o, refstor **out)
{
	int r = rs_admit_open(o, out);
	if (r)
		return r;
	/* Not O_DIRECT: this descriptor does no I/O; the server opens the
	 * inode again (/proc/self/fd/3) with its own cache mode. */
	int fd = rs_open_nonblock(o->path, o->writable ? O_RDWR : O_RDONLY, 0);
	if (fd < 0)
		return rs_failf(errno, true, o->path, "open %s (%s)", o->path,
				o->writable ? "read-write" : "read-only");
	r = rs_ready_fd(fd, "open", o->path, false);
	if (!r)
		r = rn_handle_new(fd, o->path, "open", o->writable, o->direct, out);
	if (r)
		close(fd);
	return r;
}

static int rn_truncate(int fd, uint64_t size)
{
	int r;
	do
		r = ftruncate(fd, (off_t)size);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

/*
 * The size create asks for.  qemu resizes through the server (block_resize,
 * then the preallocation over NBD).  nbdkit cannot resize: the file got its
 * length by ftruncate before the server started, and only the preallocation
 * is done over NBD.
 */
static int rn_create_size(refstor *s, const struct refstor_create_opts *o)
{
	if (o->size == 0)
		return 0;
	if (rn_preset()->limits & REFSTOR_LIMIT_NO_RESIZE)
		return rn_prealloc(s, "create", 0, o->size, o->prealloc);
	pthread_rwlock_wrlock(&s->lock);
	int r = rn_resize_locked(s, o->size, o->prealloc);
	pthread_rwlock_unlock(&s->lock);
	return r;
}

int refstor_create(const struct refstor_create_opts *o, refstor **out)
{
	int r = rs_admit_create(o, out);
	if (r)
		return r;
	const char *path = o->open.path;

	/* Exclusively first even when overwriting, as the reference: then we
	 * know whether the file is ours to remove if anything later fails. */
	bool made = true;
	int fd = rs_open_nonblock(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	if (fd < 0 && errno == EEXIST && o->overwrite) {
		made = false;
		if ((r = rs_check_path("create", path)))
			return r;
		fd = rs_open_nonblock(path, O_RDWR | O_CREAT, 0644);
	}
	if (fd < 0)
		return rs_failf(errno, true, path, "create %s", path);
	/*
	 * An existing file is emptied here, before the server starts, as
	 * O_TRUNC would: qemu refuses a writable direct export of a file whose
	 * length is not a multiple of its request alignment, so emptying it
	 * through the server would fail where the reference succeeds.  (The
	 * cost: where the server then refuses direct I/O, the file is already
	 * empty, which the reference avoids: OPEN-DIRECT-1 on ramfs.)  nbdkit
	 * gets the new length here too: it cannot change it afterwards.
	 */
	r = rs_ready_fd(fd, "create", path, false);
	int e = 0;
	if (!r && !made)
		e = rn_truncate(fd, 0);
	if (!r && !e && o->size > 0 && (rn_preset()->limits & REFSTOR_LIMIT_NO_RESIZE))
		e = rn_truncate(fd, o->size);
	if (e)
		r = rs_failf(e, true, path, "create %s: truncate", path);
	refstor *s = NULL;
	if (!r)
		r = rn_handle_new(fd, path, "create", true, o->open.direct, &s);
	if (r) {
		close(fd);
		goto undo;
	}
	r = rn_create_size(s, o);
	if (r) {
		/* Keep the resize's message, with the creation as context. */
		char why[1024];
		snprintf(why, sizeof(why), "%s", refstor_last_error());
		refstor_close(s);
		rs_fail_path(-r, path, "create %s (%" PRIu64 " bytes, %s): %s", path, o->size,
			     refstor_prealloc_name(o->prealloc), why);
		goto undo;
	}
	*out = s;
	return 0;
undo:
	if (made)
		unlink(path);
	return r;
}

int refstor_from_fd(int fd, refstor **out)
{
	if (!out)
		return rs_fail(EINVAL, "from_fd: NULL output pointer");
	*out = NULL;
	if (fd < 0)
		return rs_fail(EBADF, "from_fd: invalid file descriptor %d", fd);
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0)
		return rs_failf(errno, true, NULL, "from_fd file descriptor %d: fcntl(F_GETFL)",
				fd);
	/* An O_PATH descriptor can do no I/O, but the server's reopen of
	 * /proc/self/fd/N would give it a working one: refuse it with the
	 * errno its own I/O would get (FROMFD-3). */
	if (fl & O_PATH)
		return rs_fail(
		    EBADF, "from_fd file descriptor %d: opened with O_PATH, which can do no I/O",
		    fd);
	/* pwrite on an O_APPEND descriptor writes at the end whatever the
	 * offset (FROMFD-3): refused as the reference refuses it, though the
	 * server's own descriptor would not have O_APPEND. */
	bool writable = (fl & O_ACCMODE) != O_RDONLY;
	if ((fl & O_APPEND) && writable)
		return rs_fail(EINVAL,
			       "from_fd file descriptor %d: opened with O_APPEND, which writes at "
			       "the end of the file whatever the offset",
			       fd);
	return rn_handle_new(fd, NULL, "from_fd", writable, (fl & O_DIRECT) != 0, out);
}

void refstor_close(refstor *s)
{
	if (!s)
		return;
	rn_disconnect(s);
	rn_qmp_close(&s->qmp);
	rn_server_stop(&s->server);
	close(s->fd);
	rn_handle_free(s);
}

size_t refstor_mem_align(const refstor *s)
{
	/* NBD copies every buffer: any address will do. */
	return s ? 1 : 0;
}

size_t refstor_req_align(const refstor *s)
{
	return s ? atomic_load(&((refstor *)s)->req_align) : 0;
}

/* NBD has no zeroing or trimming granularity of its own (no block-size
 * constraint applies to WRITE_ZEROES or TRIM beyond the minimum block size),
 * and the filesystem under the server is the server's to know: the request
 * alignment is all a client can be told. */
size_t refstor_zero_align(const refstor *s)
{
	return s ? atomic_load(&((refstor *)s)->req_align) : 0;
}

size_t refstor_discard_align(const refstor *s)
{
	return s ? atomic_load(&((refstor *)s)->req_align) : 0;
}

uint64_t refstor_size(const refstor *s)
{
	return s ? atomic_load(&((refstor *)s)->size) : 0;
}

const char *refstor_filename(const refstor *s)
{
	return s ? s->filename : NULL;
}

#define RN_STR_(x) #x
#define RN_STR(x)  RN_STR_(x)

const char *refstor_version(void)
{
	return RN_STR(REFSTOR_VERSION_MAJOR) "." RN_STR(REFSTOR_VERSION_MINOR) "." RN_STR(
	    REFSTOR_VERSION_PATCH);
}

unsigned refstor_abi_version(void)
{
	return REFSTOR_ABI_VERSION;
}

uint64_t refstor_limits(void)
{
	return rn_preset()->limits;
}
