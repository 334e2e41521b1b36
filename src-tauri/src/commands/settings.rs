//! Settings commands: idle time, lock on minimise, keychain unlock. Values live inside the vault
//! (`casenotes::domain::settings`), so every command here needs the vault unlocked.
//!
//! Keychain unlock is a wish kept in the vault ([`KEYCHAIN_UNLOCK`]); the keychain slot itself
//! (the secret in the OS keychain and `keys/keychain.age`) lives for one run of the app at most.
//! It is made when the wish is switched on and again after each passphrase unlock
//! ([`renew_keychain_slot`]), and removed by every lock casenotes makes itself, at quit and at
//! start-up (`lock.rs`).

use casenotes::domain::settings as core_settings;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppState, IDLE_MINUTES_RANGE, LOCK_ON_MINIMISE};

/// Settings key (inside the vault): "unlock with this computer's keychain" is wanted.
pub const KEYCHAIN_UNLOCK: &str = "desktop_keychain_unlock";

fn keychain_wanted(session: &casenotes::vault::Session) -> casenotes::Result<bool> {
    Ok(core_settings::get(session, KEYCHAIN_UNLOCK)?.as_deref() == Some("true"))
}

/// After the passphrase (or recovery key) opened the vault: if keychain unlock is wanted and the
/// slot is not there (removed at the last quit or by a lock casenotes made itself), make a fresh
/// one for this run. Best effort: a keychain that cannot be reached leaves the passphrase as the
/// way in, which it always is.
pub fn renew_keychain_slot(state: &AppState) {
    let _ = state.with_session(|s| {
        if keychain_wanted(s)? && !s.vault().keychain_enabled() {
            s.enable_keychain()?;
        }
        Ok(())
    });
}

#[derive(Debug, Serialize, TS, PartialEq, Eq)]
pub struct Settings {
    /// 1 to 60; default 5.
    pub idle_lock_minutes: u32,
    pub lock_on_minimise: bool,
    pub keychain_unlock: bool,
}

#[derive(Deserialize, TS)]
pub struct IdleMinutesArgs {
    pub minutes: u32,
}

#[derive(Deserialize, TS)]
pub struct SwitchArgs {
    pub on: bool,
}

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> IpcResult<Settings> {
    state.with_session(|s| {
        Ok(Settings {
            idle_lock_minutes: state::idle_minutes(s)?,
            lock_on_minimise: state::lock_on_minimise(s)?,
            keychain_unlock: keychain_wanted(s)?,
        })
    })
}

#[tauri::command]
pub async fn set_idle_lock_minutes(
    state: State<'_, AppState>,
    args: IdleMinutesArgs,
) -> IpcResult<()> {
    if !IDLE_MINUTES_RANGE.contains(&args.minutes) {
        return Err(IpcError::invalid_setting(format!(
            "The idle time must be between {} and {} minutes.",
            IDLE_MINUTES_RANGE.start(),
            IDLE_MINUTES_RANGE.end()
        )));
    }
    state.with_session(|s| {
        core_settings::set(
            s,
            core_settings::IDLE_LOCK_MINUTES,
            &args.minutes.to_string(),
        )
    })?;
    state.set_idle_minutes(args.minutes);
    Ok(())
}

#[tauri::command]
pub async fn set_lock_on_minimise(state: State<'_, AppState>, args: SwitchArgs) -> IpcResult<()> {
    let value = if args.on { "true" } else { "false" };
    state.with_session(|s| core_settings::set(s, LOCK_ON_MINIMISE, value))?;
    state.set_lock_on_minimise(args.on);
    Ok(())
}

/// Switches "Unlock with this computer's keychain" on or off: the wish, and the slot with it.
#[tauri::command]
pub async fn set_keychain_unlock(state: State<'_, AppState>, args: SwitchArgs) -> IpcResult<()> {
    set_keychain_unlock_body(&state, args.on)
}

pub fn set_keychain_unlock_body(state: &AppState, on: bool) -> IpcResult<()> {
    state.with_session(|s| {
        if on {
            if !s.vault().keychain_enabled() {
                s.enable_keychain()?;
            }
        } else {
            // Off whatever the slot's state: the aim is that neither half remains.
            s.disable_keychain()?;
        }
        core_settings::set(s, KEYCHAIN_UNLOCK, if on { "true" } else { "false" })
    })
}
