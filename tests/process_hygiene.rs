//! The process set-up shared by the CLI and the desktop app: core dumps off for the process and
//! its children (WebKit's processes are children of the app), and panics that never print their
//! message. Its own test binary, because it changes the whole process.

use std::process::Command;

const CANARY: &str = "canary-text-of-a-session-note";

#[cfg(unix)]
#[test]
fn core_dumps_are_off_for_the_process_and_its_children() {
    assert!(casenotes::process::forbid_core_dumps());
    let mut limit = libc::rlimit {
        rlim_cur: 1,
        rlim_max: 1,
    };
    // SAFETY: getrlimit writes into the struct we own.
    assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut limit) }, 0);
    assert_eq!((limit.rlim_cur, limit.rlim_max), (0, 0));
    let child = Command::new("sh")
        .args(["-c", "ulimit -c; ulimit -H -c"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&child.stdout), "0\n0\n");
    #[cfg(target_os = "linux")]
    // SAFETY: PR_GET_DUMPABLE takes no pointers.
    unsafe {
        assert_eq!(libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    }
}

#[test]
fn a_panic_prints_a_sentence_and_a_place_but_never_its_message() {
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "panicking_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CASENOTES_TEST_PANIC_CHILD", "1")
        .output()
        .unwrap();
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the child panicked: {all}");
    assert!(
        all.contains("something went wrong inside casenotes"),
        "{all}"
    );
    assert!(
        all.contains("process_hygiene.rs:"),
        "a source location: {all}"
    );
    assert!(!all.contains(CANARY), "the panic's message leaked: {all}");
}

/// Run only as the child of the test above.
#[test]
fn panicking_child() {
    if std::env::var_os("CASENOTES_TEST_PANIC_CHILD").is_none() {
        return;
    }
    casenotes::process::install_quiet_panic_hook();
    panic!("{CANARY}");
}
