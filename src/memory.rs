//! Memory that held clinical text or a key is wiped when it is freed, so a locked vault leaves
//! nothing readable in the process: not in SQLite's page cache (decrypted pages, freed when the
//! connection closes at lock), not in strings the app or the CLI built from a note.
//!
//! Two parts, because SQLite and Rust allocate separately:
//! - [`wipe_sqlite_memory_on_free`] wraps SQLite's allocator (`SQLITE_CONFIG_MALLOC`) so every
//!   block is zeroed before it is freed. It must run before SQLite initialises (before the first
//!   connection opens), so `db::open` calls it, and the binaries call it first thing. This is what
//!   `cipher_memory_security` would do, without its per-allocation `mlock`, which measured 4x
//!   slower writes here.
//! - [`WipeOnFree`] is a global allocator for the binaries (`#[global_allocator]`): Rust memory
//!   is zeroed before it goes back to the system allocator.
//!
//! Memory that is never freed while locked (the page cache of an open connection) is released by
//! closing the connection, which locking does.

use std::alloc::{GlobalAlloc, Layout, System};
use std::os::raw::{c_int, c_void};
use std::sync::OnceLock;

use rusqlite::ffi;

/// SQLite's own allocator, which ours wraps; set once, before SQLite initialises.
struct Methods(ffi::sqlite3_mem_methods);
// SAFETY: the struct holds function pointers and SQLite's app-data pointer, which SQLite itself
// shares between all its threads; it is written once, before use, and only read after.
unsafe impl Send for Methods {}
// SAFETY: as above: never written after it is set.
unsafe impl Sync for Methods {}

static DEFAULT: OnceLock<Methods> = OnceLock::new();

fn default_methods() -> &'static ffi::sqlite3_mem_methods {
    // Our methods are installed only after DEFAULT is set, so SQLite never calls them before.
    &DEFAULT
        .get()
        .unwrap_or_else(|| unreachable!("SQLite's allocator is wrapped only once set"))
        .0
}

unsafe extern "C" fn wipe_malloc(n: c_int) -> *mut c_void {
    // SAFETY: the default xMalloc is a valid SQLite allocator function.
    unsafe { (default_methods().xMalloc.unwrap_unchecked())(n) }
}

/// Zeroes a block SQLite allocated, before it is freed or moved.
unsafe fn wipe(p: *mut c_void) {
    if p.is_null() {
        return;
    }
    // SAFETY: `p` came from the default allocator; xSize gives its usable size.
    let size = unsafe { (default_methods().xSize.unwrap_unchecked())(p) };
    if size > 0 {
        // SAFETY: the block is `size` writable bytes owned by SQLite, which is freeing it.
        let block = unsafe { std::slice::from_raw_parts_mut(p.cast::<u8>(), size as usize) };
        zeroize::Zeroize::zeroize(block);
    }
}

unsafe extern "C" fn wipe_free(p: *mut c_void) {
    // SAFETY: SQLite frees a block it allocated through us.
    unsafe {
        wipe(p);
        (default_methods().xFree.unwrap_unchecked())(p);
    }
}

unsafe extern "C" fn wipe_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    // A reallocation may move the block and free the old one unwiped: allocate, copy, wipe,
    // free instead.
    // SAFETY: as for malloc and free above; `p` is a live block of at least `old` bytes.
    unsafe {
        if p.is_null() {
            return wipe_malloc(n);
        }
        let old = (default_methods().xSize.unwrap_unchecked())(p);
        let new = wipe_malloc(n);
        if new.is_null() {
            return new;
        }
        let keep = old.min(n).max(0) as usize;
        std::ptr::copy_nonoverlapping(p.cast::<u8>(), new.cast::<u8>(), keep);
        wipe_free(p);
        new
    }
}

unsafe extern "C" fn wipe_size(p: *mut c_void) -> c_int {
    // SAFETY: passes through to the default allocator.
    unsafe { (default_methods().xSize.unwrap_unchecked())(p) }
}

unsafe extern "C" fn wipe_roundup(n: c_int) -> c_int {
    // SAFETY: passes through to the default allocator.
    unsafe { (default_methods().xRoundup.unwrap_unchecked())(n) }
}

unsafe extern "C" fn wipe_init(app: *mut c_void) -> c_int {
    // SAFETY: passes through to the default allocator.
    unsafe { (default_methods().xInit.unwrap_unchecked())(app) }
}

unsafe extern "C" fn wipe_shutdown(app: *mut c_void) {
    // SAFETY: passes through to the default allocator.
    unsafe { (default_methods().xShutdown.unwrap_unchecked())(app) }
}

/// Makes SQLite zero every block before freeing it. Idempotent; a no-op (returning false) if
/// SQLite has already initialised, which is why the binaries call it before anything else.
pub fn wipe_sqlite_memory_on_free() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        let mut default = ffi::sqlite3_mem_methods {
            xMalloc: None,
            xFree: None,
            xRealloc: None,
            xSize: None,
            xRoundup: None,
            xInit: None,
            xShutdown: None,
            pAppData: std::ptr::null_mut(),
        };
        // SAFETY: SQLITE_CONFIG_GETMALLOC writes the current methods into the struct we pass.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_GETMALLOC, &mut default) };
        let complete = default.xMalloc.is_some()
            && default.xFree.is_some()
            && default.xRealloc.is_some()
            && default.xSize.is_some()
            && default.xRoundup.is_some()
            && default.xInit.is_some()
            && default.xShutdown.is_some();
        if rc != ffi::SQLITE_OK || !complete {
            return false;
        }
        let app = default.pAppData;
        if DEFAULT.set(Methods(default)).is_err() {
            return false;
        }
        let ours = ffi::sqlite3_mem_methods {
            xMalloc: Some(wipe_malloc),
            xFree: Some(wipe_free),
            xRealloc: Some(wipe_realloc),
            xSize: Some(wipe_size),
            xRoundup: Some(wipe_roundup),
            xInit: Some(wipe_init),
            xShutdown: Some(wipe_shutdown),
            pAppData: app,
        };
        // SAFETY: SQLITE_CONFIG_MALLOC copies the struct; our functions live for the process.
        // SQLite refuses (SQLITE_MISUSE) once initialised, and then keeps its own allocator.
        let rc = unsafe { ffi::sqlite3_config(ffi::SQLITE_CONFIG_MALLOC, &ours) };
        rc == ffi::SQLITE_OK
    })
}

/// Hands memory freed at lock back to the operating system. glibc keeps freed blocks (wiped
/// first, above) in its arenas for reuse, so a locked app would otherwise stay as large as its
/// busiest unlocked moment: the closed connection's page cache, the notes it read. `malloc_trim`
/// returns every whole free page of every arena. Cheap (a few milliseconds); a no-op elsewhere.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas and gives free pages back to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// A global allocator that zeroes memory before returning it to the system allocator. The
/// `casenotes` CLI and the desktop app install it with `#[global_allocator]`.
pub struct WipeOnFree;

// SAFETY: every method forwards to `System` with the same layout; dealloc only writes zeros
// into the block being freed, which the caller owns until the call returns.
unsafe impl GlobalAlloc for WipeOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` is a live block of `layout.size()` bytes that the caller is freeing.
        unsafe {
            zeroize::Zeroize::zeroize(std::slice::from_raw_parts_mut(ptr, layout.size()));
            System.dealloc(ptr, layout);
        }
    }
    // `realloc` keeps the trait's default (allocate, copy, dealloc), so the old block is wiped.
}

#[cfg(test)]
mod tests {
    #[test]
    fn sqlite_allocates_through_the_wiping_allocator() {
        // Other tests in this binary may have opened SQLite first; install where we can and
        // check that, installed, SQLite still works (a round trip through malloc/realloc/free).
        let installed = super::wipe_sqlite_memory_on_free();
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (x TEXT); INSERT INTO t VALUES (hex(randomblob(50000)));",
        )
        .unwrap();
        let n: i64 = conn
            .query_row("SELECT length(x) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 100_000);
        let _ = installed;
    }
}
