// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// Memory is zeroed as it is freed, so text from a note does not linger after the vault locks.
#[global_allocator]
static ALLOCATOR: casenotes::memory::WipeOnFree = casenotes::memory::WipeOnFree;

fn main() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    give_webkit_the_wiped_heap();
    casenotes_desktop::run();
}

/// WebKit's parts in this process allocate from WebKit's own heap (bmalloc), whose freed blocks
/// the `free` below never sees: after a lock, two to six copies of the last note's text stayed
/// there (scripts/memory-proof.sh). With `Malloc=1` in its environment WebKit uses malloc, and
/// the proof finds none. WebKit reads the variable while its libraries load, before `main`:
/// setting it here instead made things worse (five and six copies). So the process runs itself
/// again once (same pid and arguments) with it set; nothing secret exists yet, and if the exec
/// fails (the binary replaced on disk by an upgrade, say) the app runs on as before. WebKit's
/// own processes inherit it.
///
/// The installed desktop entry (assets/linux/casenotes.desktop) sets it already, so a start from
/// the menu skips the second start, which costs about 120 ms of launch time.
///
/// Tried and dropped: glibc's `perturb` (fill each freed block) with its thread cache off, for
/// WebKit's processes, which do not have this `free`. It cut the web process's copies of the
/// note from 10-11 to 2, but that process then crashed in 6 of the 38 end-to-end tests.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_webkit_the_wiped_heap() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("Malloc").is_some_and(|v| v == "1") {
        return;
    }
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "casenotes-desktop".into());
    // `exec` only returns on failure.
    let _ = std::process::Command::new("/proc/self/exe")
        .arg0(arg0)
        .args(args)
        .env("Malloc", "1")
        .exec();
}

/// C code in this process (GLib, GIO, GTK, WebKit's parts that run in it) frees its memory with
/// libc's `free`, and so did the copy of every IPC answer that wry hands to WebKit (a `GBytes`):
/// left as it was, the text of the last client file opened stayed in freed blocks after the lock
/// (scripts/memory-proof.sh found it). These two replace libc's `free` and `realloc` for the
/// whole process (the dynamic linker prefers a program's own definitions) and zero each block
/// before handing it back to glibc. `malloc` and the rest stay glibc's.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
mod wipe_c_heap {
    use std::os::raw::c_void;
    use std::sync::atomic::{compiler_fence, Ordering};

    extern "C" {
        fn __libc_malloc(size: usize) -> *mut c_void;
        fn __libc_free(ptr: *mut c_void);
        fn malloc_usable_size(ptr: *mut c_void) -> usize;
    }

    /// `free(3)`, zeroing the block first.
    ///
    /// # Safety
    /// As `free(3)`: `ptr` is null or a live block from this process's malloc.
    #[no_mangle]
    pub unsafe extern "C" fn free(ptr: *mut c_void) {
        if ptr.is_null() {
            return;
        }
        // SAFETY: `ptr` is a live malloc block of `malloc_usable_size(ptr)` writable bytes,
        // which its owner is giving up; nothing else reads it from here on.
        unsafe {
            std::ptr::write_bytes(ptr.cast::<u8>(), 0, malloc_usable_size(ptr));
            // __libc_free is opaque to the compiler, but keep the zeroing in any case.
            compiler_fence(Ordering::SeqCst);
            __libc_free(ptr);
        }
    }

    /// `realloc(3)` that never lets glibc move a block and free the old copy unwiped: a block
    /// that must grow is copied to a new one and the old one goes through [`free`].
    ///
    /// # Safety
    /// As `realloc(3)`.
    #[no_mangle]
    pub unsafe extern "C" fn realloc(ptr: *mut c_void, size: usize) -> *mut c_void {
        // SAFETY: the contract of realloc(3), kept case by case below.
        unsafe {
            if ptr.is_null() {
                return __libc_malloc(size);
            }
            if size == 0 {
                free(ptr);
                return std::ptr::null_mut();
            }
            let old = malloc_usable_size(ptr);
            if size <= old {
                return ptr; // it fits: realloc may hand back the same block
            }
            let new = __libc_malloc(size);
            if !new.is_null() {
                std::ptr::copy_nonoverlapping(ptr.cast::<u8>(), new.cast::<u8>(), old);
                free(ptr);
            }
            new // on failure the old block stays valid and untouched, as realloc(3) requires
        }
    }
}
