//! Errors: a negative errno for the caller and a message for
//! `refstor_last_error()`, kept per thread (ERR-RET-1, ERR-TLS-1).

use std::cell::RefCell;
use std::ffi::{c_char, CString};
use std::io;

use crate::sys::EIO;

/// A failed call: its errno (positive) and what failed.
#[derive(Debug)]
pub struct Error {
    pub errno: i32,
    pub msg: String,
}

pub type Res<T> = Result<T, Error>;

impl Error {
    /// An error with a message of our own.
    pub fn new(errno: i32, msg: impl Into<String>) -> Self {
        Error { errno, msg: msg.into() }
    }

    /// A failed system call: the context, then the errno's text (strerror),
    /// which is never cut (ERR-MSG-LONG-1).
    pub fn os(errno: i32, context: impl std::fmt::Display) -> Self {
        let text = io::Error::from_raw_os_error(errno);
        Error { errno, msg: format!("{context}: {text}") }
    }

    /// A `std::io::Error` from std's own calls (open).
    pub fn io(e: &io::Error, context: impl std::fmt::Display) -> Self {
        let errno = e.raw_os_error().unwrap_or(EIO);
        Error { errno, msg: format!("{context}: {e}") }
    }
}

thread_local! {
    static LAST: RefCell<CString> = RefCell::new(CString::default());
}

/// Records the message for this thread and returns the negative errno.
pub fn fail(e: Error) -> i32 {
    let mut bytes = e.msg.into_bytes();
    bytes.retain(|&b| b != 0);
    if bytes.is_empty() {
        bytes = b"refstor: unknown error".to_vec();
    }
    let msg = CString::new(bytes).unwrap_or_default();
    let _ = LAST.try_with(|l| *l.borrow_mut() = msg);
    -(if e.errno > 0 { e.errno } else { EIO })
}

/// This thread's last message; "" before any failure.  Valid until the next
/// failure on this thread replaces it.
pub fn last() -> *const c_char {
    LAST.try_with(|l| l.borrow().as_ptr()).unwrap_or(c"".as_ptr())
}
