//! The plain C ABI the Node.js shim calls (wasm32 only; the module has no imports).
//!
//! Strings cross as UTF-8 bytes in memory the shim gets from [`shoebox_alloc`]. Results come
//! back as JSON in a buffer owned by the caller, returned as `(ptr << 32) | len` in a `u64`, and
//! released with [`shoebox_free`]:
//!
//! - `shoebox_init(config) -> {"ok":true,"users":N}` or `{"error":"…"}`
//! - `shoebox_handle(event, now_seconds, seed32) -> {"response":{…},"log":"…"}` or `{"error":"…"}`
#![allow(unsafe_code)] // the ABI boundary: raw pointers from the host, checked for null

use crate::auth::Auth;
use std::cell::RefCell;

thread_local! {
    static AUTH: RefCell<Option<Auth>> = const { RefCell::new(None) };
}

/// bcrypt links getrandom only to make salts, which the edge never does: refuse, don't import.
#[unsafe(no_mangle)]
unsafe extern "Rust" fn __getrandom_v03_custom(_dest: *mut u8, _len: usize) -> Result<(), getrandom::Error> {
    Err(getrandom::Error::UNSUPPORTED)
}

/// Allocates `len` bytes for the host to write into.
#[unsafe(no_mangle)]
pub extern "C" fn shoebox_alloc(len: usize) -> *mut u8 {
    let mut buf = vec![0u8; len].into_boxed_slice();
    let ptr = buf.as_mut_ptr();
    std::mem::forget(buf);
    ptr
}

/// Frees a buffer from [`shoebox_alloc`] or a result.
///
/// # Safety
/// `ptr` and `len` must come from this module, once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shoebox_free(ptr: *mut u8, len: usize) {
    if !ptr.is_null() {
        // SAFETY: the caller passes back a pointer and length this module handed out.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len)) });
    }
}

fn result(json: String) -> u64 {
    let bytes = json.into_bytes().into_boxed_slice();
    let len = bytes.len() as u64;
    let ptr = Box::into_raw(bytes) as *mut u8 as usize as u64;
    (ptr << 32) | len
}

fn error(message: impl std::fmt::Display) -> u64 {
    result(serde_json::json!({ "error": message.to_string() }).to_string())
}

/// # Safety
/// `ptr`/`len` must describe initialised memory of this module.
unsafe fn input<'a>(ptr: *const u8, len: usize) -> Result<&'a str, &'static str> {
    if ptr.is_null() {
        return Err("null input");
    }
    // SAFETY: the host wrote `len` bytes at `ptr`, inside a buffer from `shoebox_alloc`.
    let bytes = unsafe { std::slice::from_raw_parts(ptr, len) };
    std::str::from_utf8(bytes).map_err(|_| "input is not UTF-8")
}

/// Parses the configuration (key and users) and keeps it for later requests.
///
/// # Safety
/// `ptr`/`len` must describe a buffer from [`shoebox_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shoebox_init(ptr: *const u8, len: usize) -> u64 {
    // SAFETY: forwarded from the caller's contract.
    let text = match unsafe { input(ptr, len) } {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    match Auth::from_json(text) {
        Ok(auth) => {
            let users = auth.user_count();
            AUTH.with(|a| *a.borrow_mut() = Some(auth));
            result(serde_json::json!({ "ok": true, "users": users }).to_string())
        }
        Err(e) => error(e),
    }
}

/// Handles one origin-request event at `now` (Unix seconds) with 32 random bytes at `seed`.
///
/// # Safety
/// `ptr`/`len` and `seed` (32 bytes) must be buffers from [`shoebox_alloc`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn shoebox_handle(ptr: *const u8, len: usize, now: f64, seed: *const u8) -> u64 {
    // SAFETY: forwarded from the caller's contract.
    let event = match unsafe { input(ptr, len) } {
        Ok(t) => t,
        Err(e) => return error(e),
    };
    if seed.is_null() {
        return error("null seed");
    }
    let mut seed_bytes = [0u8; 32];
    // SAFETY: the caller provides 32 readable bytes at `seed`.
    seed_bytes.copy_from_slice(unsafe { std::slice::from_raw_parts(seed, 32) });
    let now = if now.is_finite() && now > 0.0 { now as u64 } else { 0 };
    AUTH.with(|a| match a.borrow().as_ref() {
        None => error("not initialised: call shoebox_init first"),
        Some(auth) => {
            let handled = auth.handle_event(event, now, seed_bytes);
            match serde_json::to_string(&handled.response) {
                Ok(response) => {
                    result(format!(r#"{{"response":{response},"log":{}}}"#, serde_json::json!(handled.log)))
                }
                Err(e) => error(e),
            }
        }
    })
}
