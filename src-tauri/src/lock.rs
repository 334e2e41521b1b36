//! Locking, from whatever asks for it: the Lock button or Ctrl+L (a command), the idle watcher,
//! minimising the window, closing it, and quitting.
//!
//! Every path ends in [`lock`]: the session is taken out of the state and consumed by
//! `Session::lock` (audit entry, connection closed, key wiped), the window title loses anything
//! but "locked", the UI is told by the `vault-locked` event, and the web view is reloaded so that
//! no page state survives even if the UI's own clean-up failed.
//!
//! Locks the Rust side starts (idle, minimise, closing, a termination signal) go through
//! [`lock_after_saving`] first: the page is told the vault is about to lock, saves any draft
//! still in its autosave pause, and answers; the lock waits for that answer at most
//! [`SAVE_BEFORE_LOCK`], so a page that hangs cannot hold the vault open.
//!
//! **Backup on lock.** When a backup is due (a folder chosen, "back up automatically" on, and the
//! last good backup older than the set time), every lock, quitting included, makes one between
//! taking the session out of the state and locking it: the page is told first, so the lock screen
//! shows at once (with "Backing up…") and commands already answer `locked`. A failed backup is
//! recorded by the core and never prevents the lock. Because the whole lock runs under
//! [`AppState::locking`], quitting waits for a backup in progress to finish, and so does an
//! unlock (`AppState::wait_for_lock_in_progress`).
//!
//! **The keychain slot needs the person.** Only a lock the person made (the Lock button, Ctrl+L)
//! leaves the keychain slot in place and offers it on the lock screen. Every lock casenotes makes
//! itself (idle, minimise, closing) switches the slot off first, so its secret leaves the
//! keychain; the next passphrase unlock makes a fresh one (`commands::settings`). The slot is
//! also removed at start-up and as the app quits ([`forget_keychain`]), so no keychain secret
//! outlives one run of the app.

use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::{AppState, LockReason};

/// The event the UI listens for.
pub const LOCKED_EVENT: &str = "vault-locked";
/// Sent before a lock the Rust side starts: "save your drafts now, then answer".
pub const LOCKING_EVENT: &str = "vault-locking";
/// How long a lock waits for the page to save its drafts. A save is one small transaction
/// (a few milliseconds); this bounds how long a hung page can delay the lock.
pub const SAVE_BEFORE_LOCK: Duration = Duration::from_millis(1500);
/// Window titles: the title never carries a client's name.
pub const TITLE_LOCKED: &str = "casenotes (locked)";
pub const TITLE_UNLOCKED: &str = "casenotes";

/// The payload of the `vault-locked` event.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LockedEvent {
    pub reason: LockReason,
}

/// The payload of the `vault-locking` event: the page answers with the same `request` once its
/// drafts are saved.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LockingEvent {
    pub reason: LockReason,
    #[ts(type = "number")]
    pub request: u64,
}

/// The "save drafts before locking" handshake: numbered requests, and the highest number the
/// page has answered. This module is its one owner (Tauri manages it beside `AppState`, which
/// knows nothing of it); the page's answer arrives through the `drafts_saved` command. Kept
/// apart from the session's mutex, so waiting here never blocks the `save_draft` command the
/// page sends meanwhile.
#[derive(Default)]
pub struct DraftsSaved {
    numbers: Mutex<(u64, u64)>, // (last requested, last answered)
    answered: Condvar,
}

impl DraftsSaved {
    fn numbers(&self) -> std::sync::MutexGuard<'_, (u64, u64)> {
        self.numbers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new request's number.
    pub fn request(&self) -> u64 {
        let mut n = self.numbers();
        n.0 += 1;
        n.0
    }

    /// The page has saved its drafts in answer to `request`.
    pub fn answer(&self, request: u64) {
        let mut n = self.numbers();
        if request <= n.0 && request > n.1 {
            n.1 = request;
            self.answered.notify_all();
        }
    }

    /// Waits until `request` is answered or `limit` has passed; true if answered.
    pub fn wait(&self, request: u64, limit: Duration) -> bool {
        let n = self.numbers();
        let (n, _) = self
            .answered
            .wait_timeout_while(n, limit, |n| n.1 < request)
            .unwrap_or_else(|p| p.into_inner());
        n.1 >= request
    }
}

/// Asks the page to save any draft, waits for its answer (at most [`SAVE_BEFORE_LOCK`]), then
/// locks. Blocks: never call it on the main thread, which delivers the page's answer (see
/// [`lock_after_saving_in_background`]).
pub fn lock_after_saving(app: &AppHandle, reason: LockReason) -> IpcResult<bool> {
    let state = app.state::<AppState>();
    let _one_at_a_time = one_at_a_time(&state);
    if !state.is_unlocked() {
        return Ok(false);
    }
    let drafts = app.state::<DraftsSaved>();
    let request = drafts.request();
    if app
        .emit(LOCKING_EVENT, LockingEvent { reason, request })
        .is_ok()
    {
        drafts.wait(request, SAVE_BEFORE_LOCK);
    }
    lock_now(app, &state, reason)
}

/// [`lock_after_saving`] on its own thread, then `then` (for window events, which arrive on the
/// main thread). If no thread can be started, locks at once: locking matters more than a draft.
pub fn lock_after_saving_in_background(
    app: &AppHandle,
    reason: LockReason,
    then: impl FnOnce(&AppHandle) + Send + 'static,
) {
    let handle = app.clone();
    let spawned = std::thread::Builder::new()
        .name("lock".to_owned())
        .spawn(move || {
            let _ = lock_after_saving(&handle, reason);
            then(&handle);
        });
    if spawned.is_err() {
        let _ = lock(app, reason);
    }
}

/// Locks the vault if it is open. Returns whether there was anything to lock.
pub fn lock(app: &AppHandle, reason: LockReason) -> IpcResult<bool> {
    let state = app.state::<AppState>();
    let _one_at_a_time = one_at_a_time(&state);
    lock_now(app, &state, reason)
}

/// Every lock, with or without saving drafts first, runs whole under this guard: a second way of
/// locking returns only once the first has closed the database.
fn one_at_a_time<'a>(state: &'a AppState) -> std::sync::MutexGuard<'a, ()> {
    state.locking.lock().unwrap_or_else(|p| p.into_inner())
}

/// The lock itself; the caller holds [`one_at_a_time`].
fn lock_now(app: &AppHandle, state: &AppState, reason: LockReason) -> IpcResult<bool> {
    let Some(mut session) = state.take_session_to_lock(reason) else {
        return Ok(false);
    };
    if reason != LockReason::Requested && session.vault().keychain_enabled() {
        // Best effort: a keychain that cannot be reached must not stop the lock, and the state
        // refuses keychain unlock after this lock anyway.
        let _ = session.disable_keychain();
    }
    // A backup takes a few seconds: show the lock screen first. Otherwise the page hears of the
    // lock only once the database is closed, as before.
    let back_up = crate::commands::backups::due_on_lock(&session);
    if back_up {
        tell_the_page(app, reason);
        if reason == LockReason::Closing {
            // The window is going: hide it now rather than leave the page showing meanwhile.
            if let Some(window) = app.get_webview_window("main") {
                let _ = window.hide();
            }
        }
        crate::commands::backups::back_up_on_lock(app, &mut session);
    }
    let closed = session.lock();
    // The page cache and everything read while unlocked are freed (and wiped) by now: give the
    // memory back, so the locked app is small again.
    casenotes::memory::release_freed_memory();
    if !back_up {
        tell_the_page(app, reason);
    }
    closed?;
    Ok(true)
}

/// The title, the `vault-locked` event and the reload. Best effort: the session is already out of
/// the state; a failure here only leaves a stale page, which the reload replaces anyway.
fn tell_the_page(app: &AppHandle, reason: LockReason) {
    if reason == LockReason::Closing {
        return;
    }
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(TITLE_LOCKED);
        let _ = app.emit(LOCKED_EVENT, LockedEvent { reason });
        let _ = window.reload();
    }
}

/// Removes a keychain slot left on a locked vault (start-up after a crash, quitting while
/// locked): the keychain secret lives for one run of the app at most. Best effort.
pub fn forget_keychain(state: &AppState) {
    if let Ok(vault) = casenotes::vault::Vault::open(&state.vault_dir()) {
        if vault.keychain_enabled() {
            let _ = vault.forget_keychain();
        }
    }
}

pub fn window_minimised(app: &AppHandle) -> bool {
    app.get_webview_window("main")
        .and_then(|w| w.is_minimized().ok())
        .unwrap_or(false)
}

pub fn set_unlocked_title(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.set_title(TITLE_UNLOCKED);
    }
}

/// Checks once a second whether the open vault has been idle too long, or its window minimised
/// while "lock when minimised" is on, and locks it if so. Runs on its own thread for the life of
/// the app, so a hung or misbehaving page cannot keep the vault open. (Minimising is also caught
/// at once through the window's resize event where the platform sends one; not every Linux
/// window manager does, hence the poll.)
pub fn spawn_idle_watcher(app: AppHandle) {
    std::thread::Builder::new()
        .name("idle-lock".to_owned())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_secs(1));
            let state = app.state::<AppState>();
            if state.idle_expired(Instant::now()) {
                let _ = lock_after_saving(&app, LockReason::Idle);
            } else if state.lock_on_minimise() && window_minimised(&app) {
                let _ = lock_after_saving(&app, LockReason::Minimised);
            }
        })
        .expect("the operating system refused to start the idle-lock thread");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_waits_for_its_own_answer_and_no_longer_than_the_limit() {
        let saved = std::sync::Arc::new(DraftsSaved::default());
        let first = saved.request();
        assert!(
            !saved.wait(first, Duration::from_millis(20)),
            "no answer yet"
        );

        let second = saved.request();
        let answering = std::sync::Arc::clone(&saved);
        let page = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            answering.answer(second);
        });
        let start = Instant::now();
        assert!(saved.wait(second, Duration::from_secs(5)));
        assert!(
            start.elapsed() < Duration::from_secs(4),
            "woken by the answer"
        );
        page.join().unwrap();
    }

    #[test]
    fn answers_to_requests_never_made_are_ignored() {
        let saved = DraftsSaved::default();
        saved.answer(7);
        let request = saved.request();
        assert!(!saved.wait(request, Duration::from_millis(10)));
    }
}
