//! The libc calls the port makes, declared here (no `libc` crate: std only).
//!
//! Every read, write, fallocate, ftruncate and fsync goes through glibc's
//! symbols, so the conformance suite's interposer (docs/porting.md
//! "Interposition") sees them.  Linux only; the constants are the generic
//! ones, with O_DIRECT per architecture.

use std::ffi::{c_char, c_int, c_uint, c_ulong, c_void};
use std::os::fd::RawFd;

pub const EINTR: i32 = 4;
pub const EIO: i32 = 5;
pub const ENXIO: i32 = 6;
pub const EBADF: i32 = 9;
pub const ENOMEM: i32 = 12;
pub const EEXIST: i32 = 17;
pub const ENODEV: i32 = 19;
pub const EISDIR: i32 = 21;
pub const EINVAL: i32 = 22;
pub const ENOTTY: i32 = 25;
pub const ERANGE: i32 = 34;
pub const ENOTSUP: i32 = 95; // == EOPNOTSUPP on Linux

pub const O_ACCMODE: c_int = 0o3;
pub const O_RDONLY: c_int = 0o0;
pub const O_NONBLOCK: c_int = 0o4000;
pub const O_APPEND: c_int = 0o2000;
pub const O_PATH: c_int = 0o10000000;
#[cfg(any(target_arch = "aarch64", target_arch = "arm", target_arch = "powerpc64"))]
pub const O_DIRECT: c_int = 0o200000;
#[cfg(not(any(target_arch = "aarch64", target_arch = "arm", target_arch = "powerpc64")))]
pub const O_DIRECT: c_int = 0o40000;

const F_GETFL: c_int = 3;
const F_SETFL: c_int = 4;

pub const FALLOC_FL_KEEP_SIZE: c_int = 0x01;
pub const FALLOC_FL_PUNCH_HOLE: c_int = 0x02;
pub const FALLOC_FL_ZERO_RANGE: c_int = 0x10;

const BLKSSZGET: c_ulong = 0x1268;
const BLKGETSIZE64: c_ulong = 0x8008_1272;

const AT_EMPTY_PATH: c_int = 0x1000;
const STATX_DIOALIGN: c_uint = 0x2000;

/// Linux's limit on iovecs per call (`IOV_MAX`).
pub const IOV_MAX: usize = 1024;

/// `struct iovec`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct IoVec {
    pub iov_base: *mut c_void,
    pub iov_len: usize,
}

/// `struct statx`: 256 bytes; only the fields at known offsets are read.
#[repr(C, align(8))]
struct Statx([u8; 256]);

extern "C" {
    fn preadv(fd: c_int, iov: *const IoVec, iovcnt: c_int, offset: i64) -> isize;
    fn pwritev(fd: c_int, iov: *const IoVec, iovcnt: c_int, offset: i64) -> isize;
    fn fallocate(fd: c_int, mode: c_int, offset: i64, len: i64) -> c_int;
    fn ftruncate(fd: c_int, len: i64) -> c_int;
    fn fsync(fd: c_int) -> c_int;
    fn fcntl(fd: c_int, cmd: c_int, ...) -> c_int;
    fn ioctl(fd: c_int, request: c_ulong, ...) -> c_int;
    fn statx(dirfd: c_int, path: *const c_char, flags: c_int, mask: c_uint, buf: *mut Statx)
        -> c_int;
    fn fstatvfs(fd: c_int, buf: *mut c_void) -> c_int;
    pub fn malloc(size: usize) -> *mut c_void;
}

/// The calling thread's errno.
pub fn errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap_or(EIO)
}

/// Runs a call until it does not fail with EINTR (imago's `while_eintr`).
fn retry<T: Copy + PartialOrd + Default>(mut f: impl FnMut() -> T) -> Result<T, i32> {
    loop {
        let r = f();
        if r >= T::default() {
            return Ok(r);
        }
        let e = errno();
        if e != EINTR {
            return Err(e);
        }
    }
}

/// One `preadv`: at most IOV_MAX iovecs; the byte count or an errno.
pub fn preadv_once(fd: RawFd, iov: &[IoVec], offset: u64) -> Result<usize, i32> {
    let n = iov.len().min(IOV_MAX) as c_int;
    // SAFETY: the iovecs point at buffers the caller vouched for.
    retry(|| unsafe { preadv(fd, iov.as_ptr(), n, offset as i64) }).map(|r| r as usize)
}

/// One `pwritev`: at most IOV_MAX iovecs; the byte count or an errno.
pub fn pwritev_once(fd: RawFd, iov: &[IoVec], offset: u64) -> Result<usize, i32> {
    let n = iov.len().min(IOV_MAX) as c_int;
    // SAFETY: as preadv_once.
    retry(|| unsafe { pwritev(fd, iov.as_ptr(), n, offset as i64) }).map(|r| r as usize)
}

pub fn fallocate_retry(fd: RawFd, mode: c_int, offset: u64, len: u64) -> Result<(), i32> {
    // SAFETY: plain syscall wrapper.
    retry(|| unsafe { fallocate(fd, mode, offset as i64, len as i64) }).map(|_| ())
}

pub fn ftruncate_retry(fd: RawFd, len: u64) -> Result<(), i32> {
    // SAFETY: plain syscall wrapper.
    retry(|| unsafe { ftruncate(fd, len as i64) }).map(|_| ())
}

pub fn fsync_retry(fd: RawFd) -> Result<(), i32> {
    // SAFETY: plain syscall wrapper.
    retry(|| unsafe { fsync(fd) }).map(|_| ())
}

pub fn get_fl(fd: RawFd) -> Result<c_int, i32> {
    // SAFETY: F_GETFL takes no argument.
    let r = unsafe { fcntl(fd, F_GETFL) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(r)
    }
}

pub fn set_fl(fd: RawFd, flags: c_int) -> Result<(), i32> {
    // SAFETY: F_SETFL takes an int.
    let r = unsafe { fcntl(fd, F_SETFL, flags) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(())
    }
}

/// `BLKGETSIZE64`: a block device's size in bytes.
pub fn blk_size(fd: RawFd) -> Result<u64, i32> {
    let mut size: u64 = 0;
    // SAFETY: BLKGETSIZE64 writes a u64.
    let r = unsafe { ioctl(fd, BLKGETSIZE64, &mut size as *mut u64) };
    if r < 0 {
        Err(errno())
    } else {
        Ok(size)
    }
}

/// `BLKSSZGET`: a block device's logical sector size.
pub fn blk_sector_size(fd: RawFd) -> Result<u32, i32> {
    let mut ssz: c_int = 0;
    // SAFETY: BLKSSZGET writes an int.
    let r = unsafe { ioctl(fd, BLKSSZGET, &mut ssz as *mut c_int) };
    if r < 0 || ssz <= 0 {
        Err(if r < 0 { errno() } else { EINVAL })
    } else {
        Ok(ssz as u32)
    }
}

/// `statx(STATX_DIOALIGN)`: (mem_align, offset_align) when the kernel reports
/// both as non-zero.
pub fn dio_align(fd: RawFd) -> Option<(u32, u32)> {
    let mut st = Statx([0; 256]);
    // SAFETY: statx fills the 256-byte buffer; "" with AT_EMPTY_PATH is fd.
    let r = unsafe { statx(fd, c"".as_ptr(), AT_EMPTY_PATH, STATX_DIOALIGN, &mut st) };
    if r < 0 {
        return None;
    }
    let u32_at = |o: usize| u32::from_ne_bytes(st.0[o..o + 4].try_into().unwrap());
    let mask = u32_at(0);
    let (mem, off) = (u32_at(152), u32_at(156));
    (mask & STATX_DIOALIGN != 0 && mem > 0 && off > 0).then_some((mem, off))
}

/// `fstatvfs`: (f_bsize, f_frsize).
pub fn fs_block_sizes(fd: RawFd) -> Option<(u64, u64)> {
    // struct statvfs on 64-bit glibc begins with unsigned long f_bsize,
    // f_frsize; 32 words is more than its size.
    let mut buf = [0u64; 32];
    // SAFETY: the buffer is larger than struct statvfs.
    let r = unsafe { fstatvfs(fd, buf.as_mut_ptr().cast()) };
    (r == 0).then_some((buf[0], buf[1]))
}
