//! The handle: a regular file or a block device used as disk-image storage,
//! with the semantics of docs/spec.md.  Everything here is safe Rust over the
//! wrappers of `sys`; the C-facing argument checks live in lib.rs.

use std::alloc::{self, Layout};
use std::ffi::{CStr, CString, OsStr};
use std::fs::{File, OpenOptions};
use std::mem::ManuallyDrop;
use std::os::fd::{AsRawFd, FromRawFd, RawFd};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;
use std::ptr::NonNull;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::{Error, Res};
use crate::sys::{self, IoVec};

/// What `write_zeroes` and `discard` do at the tail of a file (refstor.h
/// `enum refstor_profile`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    Imago,
    KeepLength,
}

/// `enum refstor_prealloc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prealloc {
    None,
    Zero,
    Allocate,
    WriteData,
}

impl Prealloc {
    pub fn from_c(v: i32) -> Option<Self> {
        match v {
            0 => Some(Prealloc::None),
            1 => Some(Prealloc::Zero),
            2 => Some(Prealloc::Allocate),
            3 => Some(Prealloc::WriteData),
            _ => None,
        }
    }
}

/// What `open` asks for.
pub struct OpenReq<'a> {
    pub path: &'a CStr,
    pub writable: bool,
    pub direct: bool,
    pub profile: Profile,
}

/// A block device's fixed geometry.
#[derive(Clone, Copy, Debug)]
struct Device {
    sector: u64,
}

pub struct Store {
    file: File,
    filename: Option<CString>,
    writable: bool,
    direct: bool,
    dev: Option<Device>,
    profile: Profile,
    /// The logical size (refstor_size).  Writes raise it under the shared
    /// lock (fetch_max); resize and discard-by-truncate change the length
    /// under the exclusive one.
    size: AtomicU64,
    lock: RwLock<()>,
    pub mem_align: usize,
    pub req_align: usize,
    pub zero_align: usize,
    pub discard_align: usize,
    /// Punching holes failed as unsupported once: never try again
    /// (ZERO-UNSUP-2, FAULT-NOTSUP-2).
    punch_unsupported: AtomicBool,
}

/// The kernel's "cannot" errnos from fallocate, all `-ENOTSUP`
/// (ERR-NOTSUP-1).
fn is_unsupported(e: i32) -> bool {
    matches!(e, sys::ENOTSUP | sys::ENODEV | sys::ENXIO | sys::ENOTTY)
}

/// Quotes a path as Rust's `Debug` does (DESC-1); bytes that are not UTF-8
/// come out as `\xNN`, as `OsStr`'s `Debug` writes them.
pub fn debug_quote(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => format!("{s:?}"),
        Err(_) => format!("{:?}", OsStr::from_bytes(bytes)),
    }
}

/// A zeroed heap buffer with a given alignment, for direct I/O.
struct AlignedBuf {
    ptr: NonNull<u8>,
    layout: Layout,
}

impl AlignedBuf {
    fn zeroed(len: usize, align: usize) -> Res<Self> {
        let layout = Layout::from_size_align(len.max(1), align.max(1).next_power_of_two())
            .map_err(|_| Error::new(sys::EINVAL, "bad buffer layout"))?;
        // SAFETY: the layout has a non-zero size.
        let ptr = unsafe { alloc::alloc_zeroed(layout) };
        NonNull::new(ptr)
            .map(|ptr| AlignedBuf { ptr, layout })
            .ok_or_else(|| Error::new(sys::ENOMEM, "out of memory for a zero buffer"))
    }

    fn iov(&self, len: usize) -> IoVec {
        IoVec { iov_base: self.ptr.as_ptr().cast(), iov_len: len.min(self.layout.size()) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: we own layout.size() initialised bytes.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.layout.size()) }
    }
}

impl Drop for AlignedBuf {
    fn drop(&mut self) {
        // SAFETY: allocated with this layout in zeroed().
        unsafe { alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// Moves an iovec list forward by n transferred bytes.
fn advance(iov: &mut [IoVec], idx: &mut usize, mut n: usize) {
    while n > 0 && *idx < iov.len() {
        let v = &mut iov[*idx];
        if n >= v.iov_len {
            n -= v.iov_len;
            *idx += 1;
        } else {
            // SAFETY: stays inside the caller's buffer.
            v.iov_base = unsafe { v.iov_base.cast::<u8>().add(n).cast() };
            v.iov_len -= n;
            n = 0;
        }
    }
}

fn round_up(x: u64, a: u64) -> u64 {
    x.div_ceil(a) * a
}

/// What a descriptor is, checked before a handle takes it.
struct Inspected {
    size: u64,
    dev: Option<Device>,
}

impl Store {
    /// Opens a path (refstor_open).  Never writes to it (OPEN-NOMOD-*),
    /// never blocks on a FIFO (O_NONBLOCK, OPEN-TYPE-1).
    pub fn open(req: &OpenReq) -> Res<Store> {
        let path = Path::new(OsStr::from_bytes(req.path.to_bytes()));
        let file = OpenOptions::new()
            .read(true)
            .write(req.writable)
            .custom_flags(sys::O_NONBLOCK)
            .open(path)
            .map_err(|e| Error::io(&e, format_args!("open {}", debug_quote(req.path.to_bytes()))))?;
        Store::adopt_path(file, req, "open")
    }

    /// Creates a path (refstor_create).  Returns the handle and whether this
    /// call made the file (so that a failure after it removes it:
    /// CREATE-UNDO-1).
    pub fn create(req: &OpenReq, overwrite: bool) -> Res<(Store, bool)> {
        let shown = debug_quote(req.path.to_bytes());
        let path = Path::new(OsStr::from_bytes(req.path.to_bytes()));
        let mut opts = OpenOptions::new();
        opts.read(true).write(true).custom_flags(sys::O_NONBLOCK);
        let (file, made) = match opts.clone().create_new(true).open(path) {
            Ok(f) => (f, true),
            Err(e) if e.raw_os_error() == Some(sys::EEXIST) && overwrite => {
                // Open what is there without O_TRUNC: it is emptied only once
                // it is known to be a regular file that takes the mode asked
                // for (OPEN-TYPE-1, OPEN-DIRECT-1).
                let f = opts.open(path).map_err(|e| Error::io(&e, format_args!("create {shown}")))?;
                (f, false)
            }
            Err(e) => return Err(Error::io(&e, format_args!("create {shown}"))),
        };
        let unmake = || {
            if made {
                let _ = std::fs::remove_file(path);
            }
        };
        let store = match Store::adopt_path(file, req, "create") {
            Ok(s) => s,
            Err(e) => {
                unmake();
                return Err(e);
            }
        };
        if !made && store.dev.is_none() {
            sys::ftruncate_retry(store.fd(), 0)
                .map_err(|e| Error::os(e, format_args!("create {shown}: truncating the existing file")))?;
            store.size.store(0, Ordering::Release);
        }
        Ok((store, made))
    }

    /// Removes the file a failed create made (CREATE-UNDO-1), after closing it.
    pub fn undo_create(self) {
        let name = self.filename.clone();
        drop(self);
        if let Some(n) = name {
            let _ = std::fs::remove_file(Path::new(OsStr::from_bytes(n.as_bytes())));
        }
    }

    /// The checks and flags of a descriptor this library opened itself.
    fn adopt_path(file: File, req: &OpenReq, verb: &str) -> Res<Store> {
        let shown = format!("{verb} {}", debug_quote(req.path.to_bytes()));
        let fd = file.as_raw_fd();
        let what = Store::inspect(&file, &shown)?;
        // O_NONBLOCK only served the open; O_DIRECT is set here, after the
        // type check, so that a filesystem without direct I/O is told apart
        // from any other EINVAL (OPEN-DIRECT-1).
        let fl = sys::get_fl(fd).map_err(|e| Error::os(e, format_args!("{shown}: fcntl(F_GETFL)")))?;
        let mut want = fl & !sys::O_NONBLOCK;
        if req.direct {
            want |= sys::O_DIRECT;
        }
        if want != fl {
            sys::set_fl(fd, want).map_err(|e| {
                if req.direct && e == sys::EINVAL {
                    Error::new(
                        sys::EINVAL,
                        format!(
                            "{shown}: direct I/O (O_DIRECT) is not supported by this filesystem: {}",
                            std::io::Error::from_raw_os_error(e)
                        ),
                    )
                } else {
                    Error::os(e, format_args!("{shown}: fcntl(F_SETFL)"))
                }
            })?;
        }
        Ok(Store::assemble(file, Some(req.path.to_owned()), req.writable, req.direct, req.profile, what))
    }

    /// Adopts a caller's descriptor (refstor_from_fd).  On failure the
    /// descriptor is neither closed nor changed: the caller still owns it
    /// (FROMFD-2).
    pub fn from_fd(fd: RawFd) -> Res<Store> {
        if fd < 0 {
            return Err(Error::new(sys::EBADF, format!("from_fd: negative file descriptor {fd}")));
        }
        let shown = format!("from_fd: file descriptor {fd}");
        let fl = sys::get_fl(fd).map_err(|e| Error::os(e, &shown))?;
        if fl & sys::O_PATH != 0 {
            return Err(Error::new(sys::EBADF, format!("{shown}: an O_PATH descriptor cannot do I/O")));
        }
        if fl & sys::O_APPEND != 0 && fl & sys::O_ACCMODE != sys::O_RDONLY {
            // pwrite on an O_APPEND descriptor appends whatever the offset:
            // every write would land in the wrong place.
            return Err(Error::new(
                sys::EINVAL,
                format!("{shown}: opened with O_APPEND, so writes at an offset would append instead"),
            ));
        }
        // SAFETY: fd is open (F_GETFL worked); ManuallyDrop keeps it open
        // whatever happens below.
        let borrowed = ManuallyDrop::new(unsafe { File::from_raw_fd(fd) });
        let what = Store::inspect(&borrowed, &shown)?;
        let writable = fl & sys::O_ACCMODE != sys::O_RDONLY;
        let direct = fl & sys::O_DIRECT != 0;
        let file = ManuallyDrop::into_inner(borrowed);
        Ok(Store::assemble(file, None, writable, direct, Profile::Imago, what))
    }

    /// The type and size of what a descriptor refers to: a regular file or a
    /// block device; a directory, FIFO, socket or sizeless character device
    /// is refused (OPEN-ERRNO-1, OPEN-TYPE-1, ERR-NOTSUP-1, FROMFD-2).
    fn inspect(file: &File, shown: &str) -> Res<Inspected> {
        let fd = file.as_raw_fd();
        let meta = file.metadata().map_err(|e| Error::io(&e, format_args!("{shown}: fstat")))?;
        let ft = meta.file_type();
        if ft.is_file() {
            Ok(Inspected { size: meta.len(), dev: None })
        } else if ft.is_dir() {
            Err(Error::new(sys::EISDIR, format!("{shown}: is a directory, not an image")))
        } else if ft.is_fifo() || ft.is_socket() {
            let kind = if ft.is_fifo() { "a FIFO" } else { "a socket" };
            Err(Error::new(
                sys::EINVAL,
                format!("{shown}: is {kind}, not a regular file or block device"),
            ))
        } else if ft.is_block_device() || ft.is_char_device() {
            let size = sys::blk_size(fd).map_err(|e| {
                Error::new(
                    sys::ENOTSUP,
                    format!(
                        "{shown}: cannot read the device's size (BLKGETSIZE64): {}",
                        std::io::Error::from_raw_os_error(e)
                    ),
                )
            })?;
            let sector = sys::blk_sector_size(fd)
                .map_err(|e| Error::os(e, format_args!("{shown}: BLKSSZGET")))?;
            Ok(Inspected { size, dev: Some(Device { sector: sector as u64 }) })
        } else {
            Err(Error::new(sys::EINVAL, format!("{shown}: unsupported file type")))
        }
    }

    fn assemble(
        file: File,
        filename: Option<CString>,
        writable: bool,
        direct: bool,
        profile: Profile,
        what: Inspected,
    ) -> Store {
        let fd = file.as_raw_fd();
        let (mem_align, req_align) = if direct { Store::dio_alignment(fd, what.dev) } else { (1, 1) };
        // zero_align and discard_align: powers of two, at least req_align and
        // the filesystem's fragment size (a device's sector) (ALIGN-ZERO-*).
        let unit = match what.dev {
            Some(d) => d.sector,
            None => sys::fs_block_sizes(fd).map_or(512, |(_, frsize)| frsize.max(1)),
        };
        let zero = (unit.max(req_align as u64)).next_power_of_two() as usize;
        Store {
            file,
            filename,
            writable,
            direct,
            dev: what.dev,
            profile,
            size: AtomicU64::new(what.size),
            lock: RwLock::new(()),
            mem_align,
            req_align,
            zero_align: zero,
            discard_align: zero,
            punch_unsupported: AtomicBool::new(false),
        }
    }

    /// A direct handle's (mem_align, req_align), without any I/O: the
    /// kernel's own answer (statx STATX_DIOALIGN, the device's logical
    /// sector size), else the filesystem's block size, which direct I/O
    /// always accepts (ALIGN-SAFE-*, ALIGN-MIN-1).
    fn dio_alignment(fd: RawFd, dev: Option<Device>) -> (usize, usize) {
        let statx = sys::dio_align(fd);
        let (mem, req) = match (dev, statx) {
            (Some(d), Some((m, o))) => (m as u64, (o as u64).max(d.sector)),
            (Some(d), None) => (d.sector, d.sector),
            (None, Some((m, o))) => (m as u64, o as u64),
            (None, None) => {
                let bs = sys::fs_block_sizes(fd).map_or(4096, |(bsize, _)| bsize);
                let bs = bs.clamp(512, 65536).next_power_of_two();
                (bs, bs)
            }
        };
        (mem.max(1).next_power_of_two() as usize, req.max(1).next_power_of_two() as usize)
    }

    fn fd(&self) -> RawFd {
        self.file.as_raw_fd()
    }

    fn shared(&self) -> RwLockReadGuard<'_, ()> {
        self.lock.read().unwrap_or_else(|p| p.into_inner())
    }

    fn exclusive(&self) -> RwLockWriteGuard<'_, ()> {
        self.lock.write().unwrap_or_else(|p| p.into_inner())
    }

    pub fn size(&self) -> u64 {
        self.size.load(Ordering::Acquire)
    }

    pub fn filename(&self) -> Option<&CStr> {
        self.filename.as_deref()
    }

    /// The handle for messages: its quoted path, or "fd N".
    pub fn name(&self) -> String {
        match &self.filename {
            Some(n) => debug_quote(n.as_bytes()),
            None => format!("fd {}", self.fd()),
        }
    }

    /// `file:"<path>"` or `file:<unknown path>` (DESC-1).
    pub fn describe(&self) -> String {
        match &self.filename {
            Some(n) => format!("file:{}", debug_quote(n.as_bytes())),
            None => "file:<unknown path>".to_string(),
        }
    }

    /// PATH-REL-1, PATH-REL-2: `Path::parent().join()`.
    pub fn resolve_relative_path(&self, rel: &CStr) -> Res<Vec<u8>> {
        let relp = Path::new(OsStr::from_bytes(rel.to_bytes()));
        if relp.is_absolute() {
            return Ok(rel.to_bytes().to_vec());
        }
        let name = self.filename.as_ref().ok_or_else(|| {
            Error::new(
                sys::EINVAL,
                format!(
                    "resolve_relative_path {}: no filename set for base image ({})",
                    debug_quote(rel.to_bytes()),
                    self.describe()
                ),
            )
        })?;
        let base = Path::new(OsStr::from_bytes(name.as_bytes()));
        let parent = base.parent().ok_or_else(|| {
            Error::new(
                sys::EINVAL,
                format!("resolve_relative_path: {} has no parent directory", self.name()),
            )
        })?;
        Ok(parent.join(relp).into_os_string().into_vec())
    }

    /// Refuses a misaligned direct request before any I/O (BAD-ALIGN-1).
    pub fn check_io_alignment(&self, what: &str, iov: &[IoVec], offset: u64) -> Res<()> {
        let (req, mem) = (self.req_align, self.mem_align);
        if !self.direct || (req <= 1 && mem <= 1) {
            return Ok(());
        }
        let bad = |why: String| {
            Err(Error::new(sys::EINVAL, format!("{what} on {} (direct I/O): {why}", self.name())))
        };
        if offset % req as u64 != 0 {
            return bad(format!("offset {offset} is not a multiple of req_align {req}"));
        }
        for (i, v) in iov.iter().enumerate().filter(|(_, v)| v.iov_len > 0) {
            if v.iov_len % req != 0 {
                return bad(format!("iovec {i}: length {} is not a multiple of req_align {req}", v.iov_len));
            }
            if v.iov_base as usize % mem != 0 {
                return bad(format!("iovec {i}: buffer {:p} is not aligned to mem_align {mem}", v.iov_base));
            }
        }
        Ok(())
    }

    pub fn refuse_read_only(&self, what: &str) -> Res<()> {
        if self.writable {
            Ok(())
        } else {
            Err(Error::new(sys::EBADF, format!("{what} on {}: the handle is read-only", self.name())))
        }
    }

    /// Fills the vector from offset; past the end of the file the rest reads
    /// as zeroes (READ-EOF-*).  `iov` holds only non-empty entries.
    pub fn readv(&self, iov: &mut [IoVec], offset: u64) -> Res<()> {
        let _g = self.shared();
        self.readv_locked(iov, offset)
    }

    fn readv_locked(&self, iov: &mut [IoVec], offset: u64) -> Res<()> {
        let (mut idx, mut pos) = (0usize, offset);
        while idx < iov.len() {
            let n = sys::preadv_once(self.fd(), &iov[idx..], pos)
                .map_err(|e| Error::os(e, format_args!("read of {} at offset {pos}", self.name())))?;
            if n == 0 {
                break; // EOF
            }
            pos += n as u64;
            advance(iov, &mut idx, n);
            // A direct read that stopped at an unaligned position stopped at
            // the end of the file; going on there may be refused (READ-EOF-3).
            if self.direct && self.req_align > 1 && pos % self.req_align as u64 != 0 {
                break;
            }
        }
        for v in &iov[idx..] {
            // SAFETY: the caller's buffer, v.iov_len bytes.
            unsafe { std::ptr::write_bytes(v.iov_base.cast::<u8>(), 0, v.iov_len) };
        }
        Ok(())
    }

    /// Writes the whole vector (non-empty entries only); the size follows
    /// every part that lands (WRITE-GROW-1, FAULT-EIO-1).
    pub fn writev(&self, iov: &mut [IoVec], offset: u64) -> Res<()> {
        self.refuse_read_only("write")?;
        let _g = self.shared();
        self.writev_locked(iov, offset, "write", true)
    }

    /// The write loop; `track` raises the size after every part that lands
    /// (resize's WRITE_DATA sets the size itself, afterwards).
    fn writev_locked(&self, iov: &mut [IoVec], offset: u64, what: &str, track: bool) -> Res<()> {
        let (mut idx, mut pos) = (0usize, offset);
        while idx < iov.len() {
            let n = sys::pwritev_once(self.fd(), &iov[idx..], pos)
                .map_err(|e| Error::os(e, format_args!("{what} of {} at offset {pos}", self.name())))?;
            if n == 0 {
                return Err(Error::new(
                    sys::EIO,
                    format!("{what} of {} at offset {pos}: the write made no progress (wrote 0 bytes)", self.name()),
                ));
            }
            pos += n as u64;
            advance(iov, &mut idx, n);
            if track && self.dev.is_none() {
                self.size.fetch_max(pos, Ordering::AcqRel);
            }
        }
        Ok(())
    }

    /// Punches [off, end) (KEEP_SIZE): Ok(true) done, Ok(false) the storage
    /// cannot (remembered: ZERO-UNSUP-2).
    fn punch(&self, off: u64, end: u64, what: &str) -> Res<bool> {
        if self.punch_unsupported.load(Ordering::Acquire) {
            return Ok(false);
        }
        let mode = sys::FALLOC_FL_PUNCH_HOLE | sys::FALLOC_FL_KEEP_SIZE;
        match sys::fallocate_retry(self.fd(), mode, off, end - off) {
            Ok(()) => Ok(true),
            Err(e) if is_unsupported(e) => {
                self.punch_unsupported.store(true, Ordering::Release);
                Ok(false)
            }
            Err(e) => Err(Error::os(
                e,
                format_args!("{what} of {} [{off}, {end}): fallocate(PUNCH_HOLE)", self.name()),
            )),
        }
    }

    /// write_zeroes (discard = false) and discard (discard = true): ZERO-*,
    /// PROFILE-KEEP-1, DEV-TRUNC-1.  The range is already validated.
    pub fn zero(&self, offset: u64, length: u64, discard: bool) -> Res<()> {
        let what = if discard { "discard" } else { "write_zeroes" };
        let unsupported = |s: &Store| -> Res<()> {
            if discard {
                Ok(())
            } else {
                Err(Error::new(
                    sys::ENOTSUP,
                    format!(
                        "write_zeroes of {} [{offset}, {}): the storage cannot punch holes",
                        s.name(),
                        offset + length
                    ),
                ))
            }
        };
        let end = offset + length;
        let shared = self.shared();
        let size = self.size();
        // ZERO-PAST-1: nothing to do at or past the end, or for no bytes.
        if length == 0 || offset >= size {
            return Ok(());
        }
        self.refuse_read_only(what)?;
        if let Some(d) = self.dev {
            // DEV-TRUNC-1: never truncated; the tail up to the end is punched.
            let end = end.min(size);
            self.sector_aligned(d.sector, offset, end, what)?;
            return if self.punch(offset, end, what)? { Ok(()) } else { unsupported(self) };
        }
        if end < size || self.profile == Profile::KeepLength {
            // Inside the file, or a tail under keep-length: a hole, the
            // length untouched (ZERO-MID-*, PROFILE-KEEP-1).
            let end = end.min(size);
            return if self.punch(offset, end, what)? { Ok(()) } else { unsupported(self) };
        }
        // imago's discard-by-truncate (ZERO-TRUNC-*): under the exclusive
        // lock, cut the file at offset; the handle keeps its size.
        drop(shared);
        let _g = self.exclusive();
        let size = self.size();
        if offset >= size {
            return Ok(());
        }
        if end < size {
            // The size grew meanwhile: the range is inside now.
            return if self.punch(offset, end, what)? { Ok(()) } else { unsupported(self) };
        }
        sys::ftruncate_retry(self.fd(), offset).map_err(|e| {
            Error::os(e, format_args!("{what} of {} from {offset} to the end: ftruncate", self.name()))
        })
    }

    /// A block device zeroes whole sectors only: [offset, end) must start and
    /// end on one (DEV-TRUNC-1, ALLOC-ZERO-1 on devices).
    fn sector_aligned(&self, sector: u64, offset: u64, end: u64, what: &str) -> Res<()> {
        if offset % sector == 0 && end % sector == 0 {
            return Ok(());
        }
        Err(Error::new(
            sys::EINVAL,
            format!("{what} of {} [{offset}, {end}): not aligned to the device's {sector}-byte sectors", self.name()),
        ))
    }

    /// write_allocated_zeroes (ALLOC-*): FALLOC_FL_ZERO_RANGE; past the size
    /// it grows the size and the file.  The range is already validated.
    pub fn write_allocated_zeroes(&self, offset: u64, length: u64) -> Res<()> {
        let what = "write_allocated_zeroes";
        if length == 0 {
            return Ok(());
        }
        self.refuse_read_only(what)?;
        let end = offset + length;
        let _g = self.shared();
        let mut mode = sys::FALLOC_FL_ZERO_RANGE;
        if let Some(d) = self.dev {
            let size = self.size();
            if end > size {
                return Err(Error::new(
                    sys::EINVAL,
                    format!("{what} of {} [{offset}, {end}): past the end of the device ({size} bytes)", self.name()),
                ));
            }
            self.sector_aligned(d.sector, offset, end, what)?;
            mode |= sys::FALLOC_FL_KEEP_SIZE;
        }
        match sys::fallocate_retry(self.fd(), mode, offset, length) {
            Ok(()) => {
                if self.dev.is_none() {
                    self.size.fetch_max(end, Ordering::AcqRel);
                }
                Ok(())
            }
            Err(e) if is_unsupported(e) => Err(Error::new(
                sys::ENOTSUP,
                format!(
                    "{what} of {} [{offset}, {end}): fallocate(ZERO_RANGE) is not supported here: {}",
                    self.name(),
                    std::io::Error::from_raw_os_error(e)
                ),
            )),
            Err(e) => Err(Error::os(e, format_args!("{what} of {} [{offset}, {end}): fallocate(ZERO_RANGE)", self.name()))),
        }
    }

    pub fn sync(&self) -> Res<()> {
        sys::fsync_retry(self.fd()).map_err(|e| Error::os(e, format_args!("sync of {}: fsync", self.name())))
    }

    /// RESIZE-*, DEV-RESIZE-1, under the exclusive lock (CONC-3).
    pub fn resize(&self, new_size: u64, mode: Prealloc) -> Res<()> {
        self.refuse_read_only("resize")?;
        let _g = self.exclusive();
        let old = self.size();
        if new_size == old {
            return Ok(()); // nothing changes, not even the length
        }
        if self.dev.is_some() {
            return Err(Error::new(
                sys::ENOTSUP,
                format!("resize of {} from {old} to {new_size}: a block device cannot be resized", self.name()),
            ));
        }
        let fd = self.fd();
        let grow = new_size > old;
        let ctx = || format!("resize of {} from {old} to {new_size} ({mode:?})", self.name());
        if !grow || matches!(mode, Prealloc::None | Prealloc::Zero) {
            sys::ftruncate_retry(fd, new_size).map_err(|e| Error::os(e, format_args!("{}: ftruncate", ctx())))?;
            self.size.store(new_size, Ordering::Release);
            return Ok(());
        }
        let orig_len = self
            .file
            .metadata()
            .map_err(|e| Error::io(&e, format_args!("{}: fstat", ctx())))?
            .len();
        let result = match mode {
            Prealloc::Allocate => sys::fallocate_retry(fd, 0, old, new_size - old).map_err(|e| {
                if is_unsupported(e) {
                    Error::new(
                        sys::ENOTSUP,
                        format!("{}: fallocate is not supported here: {}", ctx(), std::io::Error::from_raw_os_error(e)),
                    )
                } else {
                    Error::os(e, format_args!("{}: fallocate", ctx()))
                }
            }),
            _ => self.fill_zeroes(old, new_size).map_err(|e| Error::new(e.errno, format!("{}: {}", ctx(), e.msg))),
        };
        match result {
            Ok(()) => {
                self.size.store(new_size, Ordering::Release);
                Ok(())
            }
            Err(e) => {
                // Roll back to the length and size from before (ENOSPC-3,
                // ENOSPC-4, FAULT-ZERO-1): what was added goes again.
                if let Ok(m) = self.file.metadata() {
                    if m.len() != orig_len {
                        let _ = sys::ftruncate_retry(fd, orig_len);
                    }
                }
                self.size.store(old, Ordering::Release);
                Err(e)
            }
        }
    }

    /// WRITE_DATA: writes zeroes over [from, to), through the aligned path
    /// on a direct handle (RESIZE-DIRECT-1).  Called under the exclusive
    /// lock, so a partial first block can be read, completed and written
    /// back without losing a racing write.
    fn fill_zeroes(&self, from: u64, to: u64) -> Res<()> {
        let a = if self.direct { self.req_align.max(1) as u64 } else { 1 };
        let bufalign = self.mem_align.max(self.req_align).max(4096);
        let mut pos = from;
        if a > 1 && pos % a != 0 {
            let blk = pos - pos % a;
            let mut head = AlignedBuf::zeroed(a as usize, bufalign)?;
            let mut v = [head.iov(a as usize)];
            self.readv_locked(&mut v, blk)?;
            head.as_mut_slice()[(pos - blk) as usize..].fill(0);
            let mut v = [head.iov(a as usize)];
            self.writev_locked(&mut v, blk, "writing zeroes", false)?;
            pos = blk + a;
        }
        let end = round_up(to, a);
        const CHUNK: u64 = 1 << 20;
        let chunk = round_up(CHUNK, a);
        let zeroes = AlignedBuf::zeroed(chunk.min(end.saturating_sub(pos)).max(1) as usize, bufalign)?;
        while pos < end {
            let n = (end - pos).min(chunk) as usize;
            let mut v = [zeroes.iov(n)];
            self.writev_locked(&mut v, pos, "writing zeroes", false)?;
            pos += n as u64;
        }
        if end != to || pos > to {
            sys::ftruncate_retry(self.fd(), to).map_err(|e| Error::os(e, "ftruncate"))?;
        }
        Ok(())
    }
}
