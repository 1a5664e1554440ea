//! refstor_rust: a second, independent implementation of the refstor C ABI
//! (ref/include/refstor.h), written from docs/spec.md.
//!
//! This file is the C boundary: it checks what only C can get wrong (NULL
//! pointers, `uint64_t` ranges, iovec arrays, enum values, reserved fields),
//! turns `Result`s into a negative errno plus a thread-local message, and
//! keeps panics from unwinding into C.  The storage itself is `store::Store`.

#![deny(warnings)]

mod error;
mod store;
mod sys;

use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use error::{fail, Error, Res};
use store::{OpenReq, Prealloc, Profile, Store};
use sys::IoVec;

/// The ABI level implemented: REFSTOR_ABI_VERSION of refstor.h 1.0.
const ABI_VERSION: c_uint = 100;

/// `struct refstor_open_opts` (bools read as bytes: any non-zero is true).
#[repr(C)]
pub struct OpenOpts {
    path: *const c_char,
    writable: u8,
    direct: u8,
    relaxed_sync: u8,
    profile: c_int,
    reserved: [u64; 6],
}

/// `struct refstor_create_opts`.
#[repr(C)]
pub struct CreateOpts {
    open: OpenOpts,
    size: u64,
    prealloc: c_int,
    overwrite: u8,
    reserved: [u64; 4],
}

const _: () = assert!(std::mem::size_of::<OpenOpts>() == 64);
const _: () = assert!(std::mem::size_of::<CreateOpts>() == 112);

fn einval(msg: impl Into<String>) -> Error {
    Error::new(sys::EINVAL, msg)
}

/// Runs an exported body: a panic becomes -EIO with a message, never an
/// unwind into C.
fn guard(what: &str, f: impl FnOnce() -> Res<c_int>) -> c_int {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => v,
        Ok(Err(e)) => fail(e),
        Err(p) => {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            fail(Error::new(sys::EIO, format!("{what}: internal error (panic: {why})")))
        }
    }
}

/// A value-returning accessor: a panic gives the default.
fn quiet<T: Default>(f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_default()
}

/// The handle behind a pointer, or -EINVAL (BAD-NULL-1).
///
/// SAFETY: a non-NULL `s` is a live handle from open/create/from_fd.
unsafe fn handle<'a>(s: *const Store, what: &str) -> Res<&'a Store> {
    s.as_ref().ok_or_else(|| einval(format!("{what}: NULL handle")))
}

/// BAD-RANGE-1: offsets and lengths fit in off_t, and so does their end.
fn check_range(what: &str, offset: u64, length: u64) -> Res<()> {
    const MAX: u64 = i64::MAX as u64;
    match offset.checked_add(length) {
        Some(end) if offset <= MAX && length <= MAX && end <= MAX => Ok(()),
        _ => Err(einval(format!(
            "{what}: offset {offset} + length {length} is out of range (above INT64_MAX)"
        ))),
    }
}

/// Copies the caller's iovec array, checking it (BAD-NULL-1), and keeps the
/// non-empty entries; returns them and their total length.
///
/// SAFETY: `iov` points at `iovcnt` iovecs when non-NULL.
unsafe fn take_iovecs(what: &str, iov: *const IoVec, iovcnt: c_int) -> Res<(Vec<IoVec>, u64)> {
    if iovcnt < 0 {
        return Err(einval(format!("{what}: negative iovcnt {iovcnt}")));
    }
    if iovcnt == 0 {
        return Ok((Vec::new(), 0));
    }
    if iov.is_null() {
        return Err(einval(format!("{what}: NULL iovec array with iovcnt {iovcnt}")));
    }
    let all = std::slice::from_raw_parts(iov, iovcnt as usize);
    let mut total: u64 = 0;
    let mut kept = Vec::with_capacity(all.len());
    for (i, v) in all.iter().enumerate() {
        if v.iov_len == 0 {
            continue;
        }
        if v.iov_base.is_null() {
            return Err(einval(format!("{what}: iovec {i} has a NULL buffer and length {}", v.iov_len)));
        }
        total = total
            .checked_add(v.iov_len as u64)
            .filter(|&t| t <= isize::MAX as u64)
            .ok_or_else(|| einval(format!("{what}: the iovec lengths add up past SSIZE_MAX")))?;
        kept.push(*v);
    }
    Ok((kept, total))
}

/// SAFETY: as take_iovecs; `s` as handle().
unsafe fn rw(what: &str, s: *const Store, iov: *const IoVec, iovcnt: c_int, offset: u64, write: bool) -> Res<c_int> {
    let st = handle(s, what)?;
    let (mut v, total) = take_iovecs(what, iov, iovcnt)?;
    check_range(what, offset, total)?;
    if write {
        st.refuse_read_only(what)?; // OPEN-RO-1, before anything else
    }
    if total == 0 {
        return Ok(0); // READ-IOV-2: nothing to do, the size unchanged
    }
    st.check_io_alignment(what, &v, offset)?;
    if write {
        st.writev(&mut v, offset)?;
    } else {
        st.readv(&mut v, offset)?;
    }
    Ok(0)
}

/// Reads the options common to open and create (PROFILE-OPT-1, OPEN-PATH-1).
///
/// SAFETY: `o.path` is NULL or a C string.
unsafe fn open_req<'a>(what: &str, o: &'a OpenOpts) -> Res<OpenReq<'a>> {
    if o.path.is_null() {
        return Err(einval(format!("{what}: filename required (NULL path)")));
    }
    let profile = match o.profile {
        0 => Profile::Imago,
        1 => Profile::KeepLength,
        p => return Err(einval(format!("{what}: unknown profile {p}"))),
    };
    if let Some(i) = o.reserved.iter().position(|&r| r != 0) {
        return Err(einval(format!(
            "{what}: reserved[{i}] of struct refstor_open_opts is {} (an option this library does not know)",
            o.reserved[i]
        )));
    }
    Ok(OpenReq { path: CStr::from_ptr(o.path), writable: o.writable != 0, direct: o.direct != 0, profile })
}

/// Hands a new handle to C.
fn publish(store: Store, out: *mut *mut Store) -> Res<c_int> {
    // SAFETY: `out` was checked non-NULL by the caller.
    unsafe { *out = Box::into_raw(Box::new(store)) };
    Ok(0)
}

#[no_mangle]
pub unsafe extern "C" fn refstor_open(o: *const OpenOpts, out: *mut *mut Store) -> c_int {
    guard("refstor_open", || {
        if !out.is_null() {
            *out = ptr::null_mut();
        }
        let o = o.as_ref().ok_or_else(|| einval("refstor_open: NULL options"))?;
        if out.is_null() {
            return Err(einval("refstor_open: NULL output pointer"));
        }
        let req = open_req("refstor_open", o)?;
        publish(Store::open(&req)?, out)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_create(o: *const CreateOpts, out: *mut *mut Store) -> c_int {
    guard("refstor_create", || {
        if !out.is_null() {
            *out = ptr::null_mut();
        }
        let o = o.as_ref().ok_or_else(|| einval("refstor_create: NULL options"))?;
        if out.is_null() {
            return Err(einval("refstor_create: NULL output pointer"));
        }
        let mut req = open_req("refstor_create", &o.open)?;
        req.writable = true;
        if let Some(i) = o.reserved.iter().position(|&r| r != 0) {
            return Err(einval(format!(
                "refstor_create: reserved[{i}] of struct refstor_create_opts is {} (an option this library does not know)",
                o.reserved[i]
            )));
        }
        let mode = Prealloc::from_c(o.prealloc)
            .ok_or_else(|| einval(format!("refstor_create: unknown preallocation mode {}", o.prealloc)))?;
        if o.size > i64::MAX as u64 {
            return Err(einval(format!("refstor_create: size {} is above INT64_MAX", o.size)));
        }
        let (store, made) = Store::create(&req, o.overwrite != 0)?;
        if o.size > 0 {
            if let Err(e) = store.resize(o.size, mode) {
                let e = Error::new(e.errno, format!("refstor_create: initial {}", e.msg));
                if made {
                    store.undo_create(); // CREATE-UNDO-1
                }
                return Err(e);
            }
        }
        publish(store, out)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_from_fd(fd: c_int, out: *mut *mut Store) -> c_int {
    guard("refstor_from_fd", || {
        if out.is_null() {
            return Err(einval("refstor_from_fd: NULL output pointer"));
        }
        *out = ptr::null_mut();
        publish(Store::from_fd(fd)?, out)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_close(s: *mut Store) {
    if !s.is_null() {
        let b = Box::from_raw(s);
        quiet(move || drop(b));
    }
}

/// The four alignment getters: a handle's field, 0 for a NULL handle.
macro_rules! align_getter {
    ($($name:ident => $field:ident),* $(,)?) => {$(
        #[no_mangle]
        pub unsafe extern "C" fn $name(s: *const Store) -> usize {
            quiet(|| s.as_ref().map_or(0, |s| s.$field))
        }
    )*};
}

align_getter! {
    refstor_mem_align => mem_align,
    refstor_req_align => req_align,
    refstor_zero_align => zero_align,
    refstor_discard_align => discard_align,
}

#[no_mangle]
pub unsafe extern "C" fn refstor_size(s: *const Store) -> u64 {
    quiet(|| s.as_ref().map_or(0, |s| s.size()))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_filename(s: *const Store) -> *const c_char {
    catch_unwind(AssertUnwindSafe(|| {
        s.as_ref().and_then(|s| s.filename()).map_or(ptr::null(), |n| n.as_ptr())
    }))
    .unwrap_or(ptr::null())
}

#[no_mangle]
pub unsafe extern "C" fn refstor_describe(s: *const Store, buf: *mut c_char, len: usize) -> c_int {
    guard("refstor_describe", || {
        let st = handle(s, "refstor_describe")?;
        if buf.is_null() {
            return Err(einval("refstor_describe: NULL buffer"));
        }
        let text = st.describe();
        let bytes = text.as_bytes();
        if len == 0 {
            return Err(Error::new(
                sys::ERANGE,
                format!("refstor_describe: a 0-byte buffer cannot hold {} bytes", bytes.len() + 1),
            ));
        }
        let n = bytes.len().min(len - 1);
        ptr::copy_nonoverlapping(bytes.as_ptr(), buf.cast::<u8>(), n);
        *buf.add(n) = 0;
        if n < bytes.len() {
            return Err(Error::new(
                sys::ERANGE,
                format!("refstor_describe: the description needs {} bytes, the buffer has {len}", bytes.len() + 1),
            ));
        }
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_resolve_relative_path(s: *const Store, rel: *const c_char, out: *mut *mut c_char) -> c_int {
    guard("refstor_resolve_relative_path", || {
        if !out.is_null() {
            *out = ptr::null_mut();
        }
        let st = handle(s, "refstor_resolve_relative_path")?;
        if rel.is_null() || out.is_null() {
            return Err(einval("refstor_resolve_relative_path: NULL path or output pointer"));
        }
        let joined = st.resolve_relative_path(CStr::from_ptr(rel))?;
        let p = sys::malloc(joined.len() + 1).cast::<u8>();
        if p.is_null() {
            return Err(Error::new(sys::ENOMEM, "refstor_resolve_relative_path: out of memory"));
        }
        ptr::copy_nonoverlapping(joined.as_ptr(), p, joined.len());
        *p.add(joined.len()) = 0;
        *out = p.cast();
        Ok(0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_readv(s: *mut Store, iov: *const IoVec, iovcnt: c_int, offset: u64) -> c_int {
    guard("refstor_readv", || rw("refstor_readv", s, iov, iovcnt, offset, false))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_writev(s: *mut Store, iov: *const IoVec, iovcnt: c_int, offset: u64) -> c_int {
    guard("refstor_writev", || rw("refstor_writev", s, iov, iovcnt, offset, true))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_read(s: *mut Store, buf: *mut c_void, len: usize, offset: u64) -> c_int {
    let v = IoVec { iov_base: buf, iov_len: len };
    guard("refstor_read", || rw("refstor_read", s, &v, 1, offset, false))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_write(s: *mut Store, buf: *const c_void, len: usize, offset: u64) -> c_int {
    let v = IoVec { iov_base: buf.cast_mut(), iov_len: len };
    guard("refstor_write", || rw("refstor_write", s, &v, 1, offset, true))
}

/// The three zeroing calls: one handle and range check, then the store's call.
unsafe fn zeroing(name: &'static str, s: *mut Store, offset: u64, length: u64, f: impl FnOnce(&Store) -> Res<()>) -> c_int {
    guard(name, || {
        let st = handle(s, name)?;
        check_range(name, offset, length)?;
        f(st).map(|()| 0)
    })
}

#[no_mangle]
pub unsafe extern "C" fn refstor_write_zeroes(s: *mut Store, offset: u64, length: u64) -> c_int {
    zeroing("refstor_write_zeroes", s, offset, length, |st| st.zero(offset, length, false))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_discard(s: *mut Store, offset: u64, length: u64) -> c_int {
    zeroing("refstor_discard", s, offset, length, |st| st.zero(offset, length, true))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_write_allocated_zeroes(s: *mut Store, offset: u64, length: u64) -> c_int {
    zeroing("refstor_write_allocated_zeroes", s, offset, length, |st| st.write_allocated_zeroes(offset, length))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_flush(s: *mut Store) -> c_int {
    guard("refstor_flush", || handle(s, "refstor_flush").map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_sync(s: *mut Store) -> c_int {
    guard("refstor_sync", || handle(s, "refstor_sync")?.sync().map(|()| 0))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_invalidate_cache(s: *mut Store) -> c_int {
    guard("refstor_invalidate_cache", || handle(s, "refstor_invalidate_cache").map(|_| 0))
}

#[no_mangle]
pub unsafe extern "C" fn refstor_resize(s: *mut Store, new_size: u64, mode: c_int) -> c_int {
    guard("refstor_resize", || {
        let st = handle(s, "refstor_resize")?;
        let mode = Prealloc::from_c(mode)
            .ok_or_else(|| einval(format!("refstor_resize: unknown preallocation mode {mode}")))?;
        if new_size > i64::MAX as u64 {
            return Err(einval(format!("refstor_resize: size {new_size} is above INT64_MAX")));
        }
        st.resize(new_size, mode).map(|()| 0)
    })
}

#[no_mangle]
pub extern "C" fn refstor_last_error() -> *const c_char {
    error::last()
}

#[no_mangle]
pub extern "C" fn refstor_version() -> *const c_char {
    c"1.0.0".as_ptr()
}

#[no_mangle]
pub extern "C" fn refstor_abi_version() -> c_uint {
    ABI_VERSION
}
