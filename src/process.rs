//! Process hygiene shared by the `casenotes` command line and the desktop app: no core dumps, and
//! panics reported without their message.
//!
//! A core dump of an unlocked casenotes holds the master key and whatever notes were on screen,
//! so dumps are switched off before any secret exists: `RLIMIT_CORE` is set to 0 (soft and hard
//! limit, so nothing can raise it again), which every child process inherits, WebKit's web and
//! network processes included; on Linux the process is also marked not dumpable, which also
//! keeps other processes of the same user from attaching with ptrace. A panic's message can quote
//! the data being worked on, so the hook prints one plain sentence and a source location only.
//! This module never prints anything a panic carries.

/// Switches off core dumps for this process and the processes it starts. Best effort: returns
/// whether the limit is now 0.
pub fn forbid_core_dumps() -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_DUMPABLE takes plain integer arguments and touches no memory.
    unsafe {
        libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0);
    }
    #[cfg(unix)]
    {
        let none = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: setrlimit reads the struct we pass, which lives across the call.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) == 0 }
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// Replaces the panic hook with one that says, in a sentence, that something went wrong and
/// where in the source, and never prints the panic's own message.
pub fn install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!(" (at {}:{})", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "casenotes: something went wrong inside casenotes{place}. Work already saved is safe; \
             the step that was running did not complete. Please report this."
        );
    }));
}
