/* SPDX-License-Identifier: MIT */
/*
 * refstor_engine.c - an fio external ioengine over librefstor.
 *
 *   fio --ioengine=external:/path/to/librefstor-fio.so ...
 *
 * Every byte a job moves goes through the refstor API: files are opened with
 * refstor_open/refstor_create (direct=1 -> direct handle, read-only jobs ->
 * read-only handle), reads and writes are refstor_readv/refstor_writev, trims
 * are refstor_discard (or write_zeroes/write_allocated_zeroes, refstor_trim=),
 * fsync=/fdatasync= are refstor_sync, and the size fio works with is
 * refstor_size, so block devices need nothing special.
 *
 * The implementation is any shared object with the refstor ABI: refstor_impl=
 * names one (a port), loaded with dlopen by the conformance suite's loader
 * (conformance/impl.c), and every refstor call below goes through its
 * function pointers.  Without refstor_impl= it is the librefstor this engine
 * is linked with (rs_default_impl says how it is found).
 *
 * fio has no stable engine ABI: this file reads struct thread_data, io_u and
 * fio_file as the fio it was compiled against lays them out, and refuses to
 * run under any other version (see rs_init).
 *
 * State: per job, the loaded implementation (td->io_ops_data, struct
 * rs_job); per open file, the handle (fio_file's engine data, struct
 * rs_file).  The only file-scope objects are the option table and the ops
 * table that fio itself requires of an engine.
 */
#include <refstor.h>
/* Not installed: the one spelling of the modes, shared with the library. */
#include "../ref/src/refstor_names.h"
/* The conformance suite's loader: struct rs_impl, rs_impl_load. */
#include "impl.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fio.h"
#include "optgroup.h"

#ifndef REFSTOR_FIO_VERSION
#error "REFSTOR_FIO_VERSION (the fio version of the headers) must be defined by the build"
#endif

/* What DDIR_TRIM becomes (refstor_trim=). */
enum rs_trim_mode {
	RS_TRIM_DISCARD = 1,
	RS_TRIM_WRITE_ZEROES,
	RS_TRIM_ALLOCATED_ZEROES,
};

/* refstor_prealloc=: 0 means "not set", and fio lays files out itself. */
enum {
	RS_PREALLOC_UNSET = 0,
	RS_PREALLOC_BASE = 1, /* RS_PREALLOC_BASE + enum refstor_prealloc */
};

struct rs_options {
	void *pad; /* fio treats an option at offset 0 as "no storage" */
	unsigned int trim;
	unsigned int prealloc;
	char *impl; /* refstor_impl=: NULL or "" for the linked librefstor */
};

/* Per job (td->io_ops_data): the implementation every call goes through. */
struct rs_job {
	struct rs_impl *impl;
	/* What messages call it: "refstor_impl=PATH" or "librefstor PATH". */
	char what[1024];
	char path[]; /* the shared object, which impl->path points to */
};

enum { RS_ERR_MAX = 1024 }; /* refstor's own message limit */

/*
 * Per open file (fio_file engine data): the handle and everything the I/O
 * path needs, on one cache line, so an I/O reads nothing else of ours (td
 * is large, and its engine fields lie far from what fio touches per I/O).
 */
struct rs_file {
	refstor *s;
	/* The implementation's functions, copied from the job's rs_impl. */
	int (*readv)(refstor *s, const struct iovec *iov, int n, uint64_t off);
	int (*writev)(refstor *s, const struct iovec *iov, int n, uint64_t off);
	int (*sync)(refstor *s); /* NULL if the implementation lacks it */
	int (*trim)(refstor *s, uint64_t offset, uint64_t length);
	const char *trim_name;
	const struct rs_impl *impl; /* for the cold paths */
	bool sync_writes;           /* sync=1 (O_SYNC): refstor has no such mode */
	/* The last failure on this file, kept for ->errdetails, which fio
	 * calls at completion time and perhaps on another thread than the
	 * one whose refstor_last_error() holds it. */
	char err[RS_ERR_MAX];
};

/* fio requires a writable, non-const option table (it caches lookups in it). */
static struct fio_option rs_option_table[] = {
    {
	.name = "refstor_trim",
	.lname = "refstor trim operation",
	.type = FIO_OPT_STR,
	.off1 = offsetof(struct rs_options, trim),
	.help = "What a trim does through librefstor",
	.def = "discard",
	.posval =
	    {
		{
		    .ival = "discard",
		    .oval = RS_TRIM_DISCARD,
		    .help = "refstor_discard: punch a hole (or do nothing "
			    "where the storage cannot)",
		},
		{
		    .ival = "write_zeroes",
		    .oval = RS_TRIM_WRITE_ZEROES,
		    .help = "refstor_write_zeroes: reads as zeroes after; "
			    "fails where that needs writing data",
		},
		{
		    .ival = "allocated_zeroes",
		    .oval = RS_TRIM_ALLOCATED_ZEROES,
		    .help = "refstor_write_allocated_zeroes: zeroes that "
			    "stay allocated (fallocate ZERO_RANGE)",
		},
	    },
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "refstor_prealloc",
	.lname = "refstor layout preallocation",
	.type = FIO_OPT_STR,
	.off1 = offsetof(struct rs_options, prealloc),
	.help = "Lay files out with refstor_create/refstor_resize in this mode "
		"(unset: fio lays them out itself)",
	.posval =
	    {
		{
		    .ival = REFSTOR_PREALLOC_NAME_NONE,
		    .oval = RS_PREALLOC_BASE + REFSTOR_PREALLOC_NONE,
		    .help = "sparse (ftruncate)",
		},
		{
		    .ival = REFSTOR_PREALLOC_NAME_ZERO,
		    .oval = RS_PREALLOC_BASE + REFSTOR_PREALLOC_ZERO,
		    .help = "reads as zero (same as none for files)",
		},
		{
		    .ival = REFSTOR_PREALLOC_NAME_ALLOCATE,
		    .oval = RS_PREALLOC_BASE + REFSTOR_PREALLOC_ALLOCATE,
		    .help = "blocks reserved (fallocate); fails where "
			    "unsupported",
		},
		{
		    .ival = REFSTOR_PREALLOC_NAME_WRITE_DATA,
		    .oval = RS_PREALLOC_BASE + REFSTOR_PREALLOC_WRITE_DATA,
		    .help = "zeroes written",
		},
	    },
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = "refstor_impl",
	.lname = "refstor implementation",
	.type = FIO_OPT_STR_STORE,
	.off1 = offsetof(struct rs_options, impl),
	.help = "Shared object with the refstor ABI to do the I/O through (a port); "
		"default: the librefstor this engine is linked with",
	.category = FIO_OPT_C_ENGINE,
	.group = FIO_OPT_G_INVALID,
    },
    {
	.name = NULL,
    },
};

/*
 * Report a failure: the whole message on stderr (fio's verror keeps only
 * 128 bytes of it), and as the job's error so fio's summary line and exit
 * status carry it.  err > 0.
 */
static void rs_job_error(struct thread_data *td, int err, const char *func, const char *msg)
{
	log_err("fio: refstor: %s\n", msg);
	td_vmsg(td, err, msg, func);
}

/* Same, for a failed call (r < 0), with the implementation's own message. */
static void rs_call_error(struct thread_data *td, const struct rs_impl *impl, int r,
			  const char *func)
{
	rs_job_error(td, -r, func, impl->last_error());
}

static bool rs_writable(struct thread_data *td)
{
	/* read_only is fio's --readonly; trims modify the file too. */
	return (td_write(td) || td_trim(td)) && !read_only;
}

/*
 * The layouts this engine reads are those of REFSTOR_FIO_VERSION's headers;
 * in another fio they may differ, silently.  Checked by every hook fio may
 * call first, before touching td: on a mismatch even td's fields are not
 * where this file expects them, so only log_err() may be used.
 */
static bool rs_abi_ok(void)
{
	if (strcmp(fio_version_string, REFSTOR_FIO_VERSION) == 0)
		return true;
	log_err("fio: refstor: this engine was built against %s headers but is running in %s "
		"(fio has no stable engine ABI): rebuild it with -DREFSTOR_FIO_SRC= pointing at "
		"a configured %s source tree\n",
		REFSTOR_FIO_VERSION, fio_version_string, fio_version_string);
	return false;
}

/*
 * The default implementation: the librefstor this engine is linked with,
 * found where the dynamic loader found it (dladdr on one of its functions)
 * rather than at a path fixed at build time, so that an installed engine
 * uses the installed library, and LD_LIBRARY_PATH or an ldconfig change
 * that points the engine at another librefstor points refstor_impl's
 * default there too.  dlopen of that path then only takes a reference to
 * the object already loaded.  Returns the path, or NULL.
 */
static const char *rs_default_impl(void)
{
	Dl_info di;
	if (!dladdr((void *)refstor_version, &di) || !di.dli_fname || !di.dli_fname[0])
		return NULL;
	return di.dli_fname;
}

/* Reports that the implementation lacks func, which why needs; returns 1. */
static int rs_lacks(struct thread_data *td, const struct rs_job *job, const char *func,
		    const char *why)
{
	char msg[2048];
	snprintf(msg, sizeof(msg), "%s lacks %s, which %s needs", job->what, func, why);
	rs_job_error(td, ENOSYS, "refstor_impl", msg);
	return 1;
}

/* refstor_trim='s function of impl, and its name. */
static int (*rs_trim_func(const struct thread_data *td, const struct rs_impl *impl,
			  const char **name))(refstor *, uint64_t, uint64_t)
{
	const struct rs_options *eo = td->eo;
	switch (eo ? eo->trim : RS_TRIM_DISCARD) {
	case RS_TRIM_WRITE_ZEROES:
		*name = "refstor_write_zeroes";
		return impl->write_zeroes;
	case RS_TRIM_ALLOCATED_ZEROES:
		*name = "refstor_write_allocated_zeroes";
		return impl->write_allocated_zeroes;
	default:
		*name = "refstor_discard";
		return impl->discard;
	}
}

/* Whether the job asks for refstor_sync (see rs_queue and rs_file_setup). */
static bool rs_job_syncs(const struct thread_data *td)
{
	const struct thread_options *o = &td->o;
	return o->sync_io || o->fsync_blocks || o->fdatasync_blocks || o->sync_file_range ||
	       o->end_fsync || o->fsync_on_close;
}

/*
 * The functions this job will call that not every implementation has (the
 * loader already insists on the core ones): a port lacking one fails the job
 * here, before any I/O, rather than on a NULL pointer.  create and resize
 * are checked where they are needed (only some jobs create or grow files);
 * the alignments with direct=1 (rs_check_direct).  Returns 0, or 1 after
 * reporting.
 */
static int rs_job_check(struct thread_data *td, const struct rs_job *job)
{
	const struct rs_impl *impl = job->impl;
	const char *trim_name;
	if (td_trim(td) && !rs_trim_func(td, impl, &trim_name)) {
		const struct rs_options *eo = td->eo;
		const unsigned int mode = eo ? eo->trim : RS_TRIM_DISCARD;
		return rs_lacks(td, job, trim_name,
				mode == RS_TRIM_WRITE_ZEROES ? "refstor_trim=write_zeroes"
				: mode == RS_TRIM_ALLOCATED_ZEROES
				    ? "refstor_trim=allocated_zeroes"
				    : "a trim job (refstor_trim=discard, the default)");
	}
	if (rs_job_syncs(td) && !impl->sync)
		return rs_lacks(td, job, "refstor_sync",
				"sync=, fsync=, fdatasync=, sync_file_range=, end_fsync= or "
				"fsync_on_close=");
	if (td->o.invalidate_cache && !impl->invalidate_cache)
		return rs_lacks(td, job, "refstor_invalidate_cache",
				"invalidate=1 (the default; invalidate=0 does without)");
	if (td->o.odirect && (!impl->req_align || !impl->mem_align))
		return rs_lacks(td, job,
				impl->req_align ? "refstor_mem_align" : "refstor_req_align",
				"direct=1 (to check the job's alignment)");
	return 0;
}

/*
 * The job's implementation, loaded on first use: ->get_file_size comes
 * before ->init, in fio's main process (for the layout), and a forked job
 * inherits what was loaded there.  Each job loads its own (dlopen counts
 * references, so the same object is mapped once); ->cleanup unloads it.
 * Returns NULL after reporting.
 */
static struct rs_job *rs_job_get(struct thread_data *td)
{
	if (td->io_ops_data)
		return td->io_ops_data;
	const struct rs_options *eo = td->eo;
	const bool given = eo && eo->impl && eo->impl[0];
	const char *path = given ? eo->impl : rs_default_impl();
	if (!path) {
		rs_job_error(td, EINVAL, "refstor_impl",
			     "cannot find the librefstor this engine is linked with (dladdr): "
			     "set refstor_impl=PATH");
		return NULL;
	}
	size_t len = strlen(path) + 1;
	struct rs_job *job = calloc(1, sizeof(*job) + len);
	if (!job) {
		rs_job_error(td, ENOMEM, "refstor_impl", "out of memory");
		return NULL;
	}
	memcpy(job->path, path, len);
	snprintf(job->what, sizeof(job->what), "%s%s", given ? "refstor_impl=" : "librefstor ",
		 path);
	char err[1024];
	job->impl = rs_impl_load(job->path, err, sizeof(err));
	if (!job->impl) {
		/* EINVAL, not ENOENT: setup_files() takes ENOENT from
		 * ->get_file_size as "lay the file out" and goes on. */
		char msg[sizeof(job->what) + sizeof(err) + 2];
		snprintf(msg, sizeof(msg), "%s: %s", job->what, err);
		rs_job_error(td, EINVAL, "refstor_impl", msg);
		free(job);
		return NULL;
	}
	if (rs_job_check(td, job)) {
		rs_impl_unload(job->impl);
		free(job);
		return NULL;
	}
	td->io_ops_data = job;
	return job;
}

static void rs_cleanup(struct thread_data *td)
{
	struct rs_job *job = td->io_ops_data;
	if (job) {
		rs_impl_unload(job->impl);
		free(job);
		td->io_ops_data = NULL;
	}
}

static int rs_init(struct thread_data *td)
{
	if (!rs_abi_ok())
		return 1;
	/* pre_read reads through fio_file's fd, which refstor does not expose. */
	if (td->o.pre_read) {
		rs_job_error(td, EINVAL, "refstor options",
			     "pre_read=1 is not supported: fio would read through a file "
			     "descriptor the engine does not expose; run a read job first instead");
		return 1;
	}
	return rs_job_get(td) ? 0 : 1;
}

/* The implementation's functions, refstor_trim= and sync=, resolved once
 * per open for the I/O path.  rs_job_check made sure that the ones this job
 * uses are there; any other is NULL, and rs_queue says so if fio asks. */
static void rs_file_setup(struct thread_data *td, const struct rs_impl *impl, struct rs_file *rf)
{
	rf->impl = impl;
	rf->readv = impl->readv;
	rf->writev = impl->writev;
	rf->sync = impl->sync;
	rf->trim = rs_trim_func(td, impl, &rf->trim_name);
	/* sync=1 asks for O_SYNC/O_DSYNC, a mode refstor handles lack: a
	 * refstor_sync after every write gives the same durability. */
	rf->sync_writes = td->o.sync_io != 0 && impl->sync;
}

/*
 * With direct=1 every request must respect the handle's alignments, which
 * only refstor knows (it probes them).  Check what the job will send before
 * the first I/O, and say which fio option to change: otherwise the job fails
 * on its first I/O with a bare EINVAL.  Returns 0, or 1 after reporting.
 */
static int rs_check_direct(struct thread_data *td, const struct rs_impl *impl, struct fio_file *f,
			   refstor *s)
{
	const struct thread_options *o = &td->o;
	/* Both are there: rs_job_check fails a direct job whose port lacks one. */
	const unsigned long long req = impl->req_align(s);
	const unsigned long long mem = impl->mem_align(s);
	char msg[512];
	msg[0] = '\0';

	for (int d = DDIR_READ; d <= DDIR_TRIM && !msg[0]; d++) {
		bool used = d == DDIR_READ    ? td_read(td)
			    : d == DDIR_WRITE ? td_write(td)
					      : td_trim(td);
		/* An unused direction's sizes do not matter: the verify reads
		 * of a write job use the write sizes, checked as writes. */
		if (!used)
			continue;
		const char *dn = io_ddir_name((enum fio_ddir)d);
		/* Only the first problem is reported: each check needs an empty msg. */
		if (o->min_bs[d] % req || o->max_bs[d] % req)
			snprintf(
			    msg, sizeof(msg),
			    "%s block size %llu..%llu is not a multiple of the direct I/O "
			    "req_align %llu of %s: set bs= (or bsrange=) to a multiple of %llu",
			    dn, o->min_bs[d], o->max_bs[d], req, f->file_name, req);
		for (unsigned int i = 0; i < o->bssplit_nr[d] && !msg[0]; i++) {
			if (o->bssplit[d][i].bs % req)
				snprintf(msg, sizeof(msg),
					 "bssplit size %llu for %s is not a multiple of the "
					 "direct I/O req_align %llu of %s: set bssplit= sizes to "
					 "multiples of %llu",
					 (unsigned long long)o->bssplit[d][i].bs, dn, req,
					 f->file_name, req);
		}
		if (!msg[0] && o->ba[d] % req)
			snprintf(
			    msg, sizeof(msg),
			    "%s offsets are aligned to blockalign=%llu, not to the direct I/O "
			    "req_align %llu of %s: set blockalign= (ba=) to a multiple of %llu",
			    dn, o->ba[d], req, f->file_name, req);
	}
	/* f->file_offset is 0 until setup_files() has computed it. */
	if (!msg[0] && (o->start_offset % req || o->offset_increment % req || f->file_offset % req))
		snprintf(msg, sizeof(msg),
			 "offset=%llu and offset_increment=%llu (first offset %llu) must be "
			 "multiples of the direct I/O req_align %llu of %s: set offset= and "
			 "offset_increment= to multiples of %llu",
			 o->start_offset, o->offset_increment, (unsigned long long)f->file_offset,
			 req, f->file_name, req);

	/* fio places buffer i at page_align(base) + iomem_align + i * max_bs. */
	for (unsigned int i = 0; i < td->io_u_all.nr && !msg[0]; i++) {
		const struct io_u *u = td->io_u_all.io_us[i];
		if (!u->buf || (uintptr_t)u->buf % mem == 0)
			continue;
		if (o->mem_align % mem)
			snprintf(
			    msg, sizeof(msg),
			    "I/O buffers start iomem_align=%u bytes past a page, not at a "
			    "multiple of the direct I/O mem_align %llu of %s: set iomem_align= "
			    "(mem_align=) to a multiple of %llu, or 0",
			    o->mem_align, mem, f->file_name, mem);
		else
			snprintf(msg, sizeof(msg),
				 "I/O buffers lie %llu bytes apart (the largest block size), not a "
				 "multiple of the direct I/O mem_align %llu of %s: set bs= to a "
				 "multiple of %llu, or iodepth=1",
				 td_max_bs(td), mem, f->file_name, mem);
	}
	if (!msg[0])
		return 0;
	rs_job_error(td, EINVAL, "refstor direct I/O alignment", msg);
	return 1;
}

/*
 * The length fio will want the file to have, as setup_files() will compute
 * it after this hook: filesize= (the top of a range), or the start offset
 * plus this file's share of size= (fio gives a remainder to the first files,
 * so round up).  0 when fio decides some other way (size=N%, fill_device).
 */
static uint64_t rs_wanted_size(struct thread_data *td, struct fio_file *f)
{
	const struct thread_options *o = &td->o;
	if (o->file_size_low)
		return o->file_size_high;
	if (!o->size || !o->nr_files || o->fill_device)
		return 0;
	uint64_t share = o->size / o->nr_files;
	if (share * o->nr_files < o->size)
		share += td_min_bs(td);
	return get_start_offset(td, f) + share;
}

/* refstor_prealloc= as a refstor mode; meaningful only when set. */
static enum refstor_prealloc rs_prealloc_mode(struct thread_data *td)
{
	const struct rs_options *eo = td->eo;
	return (enum refstor_prealloc)(eo->prealloc - RS_PREALLOC_BASE);
}

/* Whether this engine lays f out, in place of fio's extend_file(). */
static bool rs_lays_out(struct thread_data *td, const struct fio_file *f)
{
	const struct rs_options *eo = td->eo;
	/* Not where fio would not lay it out either. */
	return eo && eo->prealloc != RS_PREALLOC_UNSET && f->filetype == FIO_TYPE_FILE &&
	       !read_only && !td->o.create_on_open && !td->o.fill_device;
}

/* Only called where rs_lays_out(): refstor_prealloc= is set. */
static void rs_log_layout(struct thread_data *td, uint64_t size)
{
	if (output_format & FIO_OUTPUT_NORMAL)
		log_info("%s: Laying out IO file with refstor_prealloc=%s (%llu MiB)\n", td->o.name,
			 refstor_prealloc_name(rs_prealloc_mode(td)),
			 (unsigned long long)(size >> 20));
}

/*
 * A missing file, created here rather than by fio's layout: in
 * refstor_prealloc='s mode and at the size fio wants (so fio finds it big
 * enough and does not lay it out with its own writes), or, for a direct job,
 * empty: fio lays it out afterwards, but its alignment is checked now,
 * before fio spends time writing it.  Returns refstor_create's result.
 */
static int rs_create_missing(struct thread_data *td, const struct rs_impl *impl, struct fio_file *f,
			     refstor **out)
{
	struct refstor_create_opts co = {
	    .open = {.path = f->file_name, .writable = true, .direct = td->o.odirect != 0},
	};
	if (rs_lays_out(td, f)) {
		co.size = rs_wanted_size(td, f);
		co.prealloc = rs_prealloc_mode(td);
		if (co.size)
			rs_log_layout(td, co.size);
	}
	return impl->create(&co, out);
}

/*
 * ->get_file_size: refstor_size of a handle, so block devices report their
 * capacity like files report their length.  A direct job opens the handle
 * direct, so misalignment is reported here, before any layout.  A missing
 * file is ENOENT, which setup_files() takes as "lay it out" - unless we
 * create it (rs_create_missing).
 */
static int rs_get_file_size(struct thread_data *td, struct fio_file *f)
{
	/* Called before ->init: in fio's main process, for the layout. */
	if (!rs_abi_ok())
		return 1;
	if (fio_file_size_known(f))
		return 0;
	const struct rs_job *job = rs_job_get(td);
	if (!job)
		return 1;
	const struct rs_impl *impl = job->impl;

	const bool direct = td->o.odirect != 0;
	struct refstor_open_opts oo = {.path = f->file_name, .direct = direct};
	const char *func = "refstor_open";
	bool created = false;
	refstor *s;
	int r = impl->open(&oo, &s);
	if (r == -ENOENT && f->filetype == FIO_TYPE_FILE && !read_only && td->o.allow_create &&
	    (direct || rs_lays_out(td, f))) {
		if (!impl->create)
			return rs_lacks(td, job, "refstor_create", "creating a missing file");
		func = "refstor_create";
		r = rs_create_missing(td, impl, f, &s);
		created = r == 0;
		if (r == -EEXIST) { /* another job created it first */
			func = "refstor_open";
			r = impl->open(&oo, &s);
		}
	}
	if (r == -ENOENT && f->filetype == FIO_TYPE_FILE) {
		/* As fio's own stat() would: setup_files() clears ENOENT. */
		td_verror(td, ENOENT, func);
		return 1;
	}
	if (r) {
		rs_call_error(td, impl, r, func);
		return 1;
	}
	if (direct && rs_check_direct(td, impl, f, s)) {
		impl->close(s);
		if (created) /* leave nothing behind of a job that never ran */
			unlink(f->file_name);
		return 1;
	}
	uint64_t size = impl->size(s);
	impl->close(s);

	/* An existing file shorter than the job: grow it in the mode asked. */
	uint64_t want = rs_lays_out(td, f) ? rs_wanted_size(td, f) : 0;
	if (!created && want > size) {
		if (!impl->resize)
			return rs_lacks(td, job, "refstor_resize",
					"refstor_prealloc= on a file shorter than the job");
		rs_log_layout(td, want);
		oo.writable = true;
		func = "refstor_open";
		r = impl->open(&oo, &s);
		if (!r) {
			func = "refstor_resize";
			r = impl->resize(s, want, rs_prealloc_mode(td));
			size = impl->size(s);
			impl->close(s);
		}
		if (r) {
			rs_call_error(td, impl, r, func);
			return 1;
		}
	}
	f->real_file_size = size;
	fio_file_set_size_known(f);
	return 0;
}

static int rs_open_file(struct thread_data *td, struct fio_file *f)
{
	const struct rs_job *job = rs_job_get(td);
	if (!job)
		return 1;
	const struct rs_impl *impl = job->impl;
	struct rs_file *rf = calloc(1, sizeof(*rf));
	if (!rf) {
		rs_job_error(td, ENOMEM, "refstor_open", "out of memory");
		return 1;
	}
	struct refstor_open_opts oo = {
	    .path = f->file_name,
	    .writable = rs_writable(td),
	    .direct = td->o.odirect != 0,
	};
	int r = impl->open(&oo, &rf->s);
	const char *func = "refstor_open";
	/* fio normally lays files out before opening them; create_on_open
	 * (or a file removed meanwhile) leaves the creating to us. */
	if (r == -ENOENT && oo.writable && td->o.allow_create && f->filetype == FIO_TYPE_FILE) {
		if (!impl->create) {
			free(rf);
			return rs_lacks(td, job, "refstor_create", "creating a missing file");
		}
		struct refstor_create_opts co = {.open = oo};
		func = "refstor_create";
		r = impl->create(&co, &rf->s);
		if (r == -EEXIST) { /* another job created it first */
			func = "refstor_open";
			r = impl->open(&oo, &rf->s);
		}
	}
	if (r) {
		rs_call_error(td, impl, r, func);
		free(rf);
		return 1;
	}
	if (oo.direct && rs_check_direct(td, impl, f, rf->s)) {
		impl->close(rf->s);
		free(rf);
		return 1;
	}
	rs_file_setup(td, impl, rf);
	FILE_SET_ENG_DATA(f, rf);
	return 0;
}

static int rs_close_file(struct thread_data fio_unused *td, struct fio_file *f)
{
	struct rs_file *rf = FILE_ENG_DATA(f);
	if (rf) {
		rf->impl->close(rf->s);
		free(rf);
		FILE_SET_ENG_DATA(f, NULL);
	}
	/* There never was a descriptor; fio checks that there is none now. */
	f->fd = -1;
	return 0;
}

/*
 * invalidate=1 (fio's default) means "start from a cold page cache".  The
 * handle itself caches nothing (refstor_invalidate_cache), but the kernel's
 * page cache may hold the file: drop it the way fio's own engines do, so a
 * buffered job through refstor starts from the same state as one through
 * psync.  This is cache control, not I/O, on a descriptor of its own, since
 * refstor does not expose its descriptor.
 */
static int rs_invalidate(struct thread_data *td, struct fio_file *f)
{
	struct rs_file *rf = FILE_ENG_DATA(f);
	/* rs_job_check failed the job if invalidate=1 and the port lacks it. */
	int r = rf && rf->impl->invalidate_cache ? rf->impl->invalidate_cache(rf->s) : 0;
	if (r) {
		rs_call_error(td, rf->impl, r, "refstor_invalidate_cache");
		return r;
	}
	int fd = open(f->file_name, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		/* Advisory: failure only means a warmer cache. */
		(void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
		close(fd);
	}
	return 0;
}

/* Cold path of rs_queue, out of line to keep the I/O path small. */
static __attribute__((noinline, cold)) void rs_io_error(struct thread_data *td, struct io_u *io_u,
							struct rs_file *rf, int r, const char *func,
							bool missing)
{
	/* A function the implementation lacks has no message of its own. */
	const char *msg = missing ? "the implementation lacks it" : rf->impl->last_error();
	snprintf(rf->err, sizeof(rf->err), "%s: %s", func, msg);
	io_u->error = -r;
	/* The job's error first: io_u_log_error() would otherwise set it to
	 * the bare strerror().  fio does not log errors of completed io_us
	 * itself (sync engines do, see psync): it prints "io_u error ..."
	 * and then our ->errdetails, the whole message. */
	td_vmsg(td, -r, msg, func);
	io_u_log_error(td, io_u);
}

/*
 * The I/O path: one refstor call per io_u, completed before returning
 * (FIO_SYNCIO), like psync.  Nothing here allocates, formats or locks:
 * whatever it costs beyond pread/pwrite is the implementation's, reached
 * through the pointers rs_file_setup copied next to the handle.
 */
static enum fio_q_status rs_queue(struct thread_data *td, struct io_u *io_u)
{
	struct rs_file *rf = FILE_ENG_DATA(io_u->file);
	struct iovec iov = {.iov_base = io_u->xfer_buf, .iov_len = io_u->xfer_buflen};
	const char *func;
	int r;

	fio_ro_check(td, io_u);

	switch (io_u->ddir) {
	case DDIR_READ:
		func = "refstor_readv";
		r = rf->readv(rf->s, &iov, 1, io_u->offset);
		break;
	case DDIR_WRITE:
		func = "refstor_writev";
		r = rf->writev(rf->s, &iov, 1, io_u->offset);
		if (!r && rf->sync_writes) {
			func = "refstor_sync";
			r = rf->sync(rf->s);
		}
		break;
	case DDIR_TRIM:
		func = rf->trim_name;
		if (__builtin_expect(!rf->trim, 0))
			goto missing;
		r = rf->trim(rf->s, io_u->offset, io_u->xfer_buflen);
		break;
	case DDIR_SYNC:
	case DDIR_DATASYNC:
	case DDIR_SYNC_FILE_RANGE:
		/* refstor has one durability call; it covers data and metadata,
		 * so it is at least what fdatasync and sync_file_range ask. */
		func = "refstor_sync";
		/* rs_job_check made sure of it for the options fio syncs for. */
		if (__builtin_expect(!rf->sync, 0))
			goto missing;
		r = rf->sync(rf->s);
		break;
	default:
		io_u->error = EINVAL;
		return FIO_Q_COMPLETED;
	}
	if (__builtin_expect(r != 0, 0))
		rs_io_error(td, io_u, rf, r, func, false);
	return FIO_Q_COMPLETED;
missing: /* a function the job was not expected to need */
	rs_io_error(td, io_u, rf, -ENOSYS, func, true);
	return FIO_Q_COMPLETED;
}

/* fio prints this after its "io_u error" line: the library's whole message. */
static char *rs_errdetails(struct io_u *io_u)
{
	const struct rs_file *rf = io_u->file ? FILE_ENG_DATA(io_u->file) : NULL;
	return strdup(rf && rf->err[0] ? rf->err : "refstor: no details");
}

/* fio finds the engine by this name (dlsym "ioengine"), and links it into
 * its engine list through ->list, so it cannot be const. */
__attribute__((visibility("default"))) struct ioengine_ops ioengine = {
    .name = "refstor",
    .version = FIO_IOOPS_VERSION,
    .flags = FIO_SYNCIO,
    .init = rs_init,
    .cleanup = rs_cleanup,
    .queue = rs_queue,
    .errdetails = rs_errdetails,
    .open_file = rs_open_file,
    .close_file = rs_close_file,
    .invalidate = rs_invalidate,
    .get_file_size = rs_get_file_size,
    .options = rs_option_table,
    .option_struct_size = sizeof(struct rs_options),
};
