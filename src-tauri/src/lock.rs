//! Locking, from whatever asks for it: the Lock button or Ctrl+L (a command), the idle watcher,
//! minimising the window, closing it, and quitting.
//!
//! Every path ends in [`lock`]: the session is taken out of the state and consumed by
//! `Session::lock` (audit entry, connection closed, key wiped), the window title loses anything
//! but "locked", the UI is told by the `vault-locked` event, and the web view is reloaded so that
//! no page state survives even if the UI's own clean-up failed.

use std::time::{Duration, Instant};

use serde::Serialize;
use tauri::{AppHandle, Emitter, Manager};
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

/// The event the UI listens for.
pub const LOCKED_EVENT: &str = "vault-locked";
/// Window titles: the title never carries a client's name.
pub const TITLE_LOCKED: &str = "casenotes (locked)";
pub const TITLE_UNLOCKED: &str = "casenotes";

/// Why the vault locked, for the lock screen's wording.
#[derive(Debug, Clone, Copy, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Requested,
    Idle,
    Minimised,
    Closing,
}

/// The payload of the `vault-locked` event.
#[derive(Debug, Clone, Serialize, TS)]
pub struct LockedEvent {
    pub reason: LockReason,
}

/// Locks the vault if it is open. Returns whether there was anything to lock.
pub fn lock(app: &AppHandle, reason: LockReason) -> IpcResult<bool> {
    let state = app.state::<AppState>();
    let Some(session) = state.take_session() else {
        return Ok(false);
    };
    let closed = session.lock();
    if reason != LockReason::Closing {
        if let Some(window) = app.get_webview_window("main") {
            // Best effort: the vault is already locked; a failure here only leaves a stale page,
            // which the reload below replaces anyway.
            let _ = window.set_title(TITLE_LOCKED);
            let _ = app.emit(LOCKED_EVENT, LockedEvent { reason });
            let _ = window.reload();
        }
    }
    closed?;
    Ok(true)
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
                let _ = lock(&app, LockReason::Idle);
            } else if state.lock_on_minimise() && window_minimised(&app) {
                let _ = lock(&app, LockReason::Minimised);
            }
        })
        .expect("the operating system refused to start the idle-lock thread");
}
