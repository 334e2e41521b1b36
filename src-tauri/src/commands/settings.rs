//! Settings commands: idle time, lock on minimise, keychain unlock. Values live inside the vault
//! (`casenotes::domain::settings`), so every command here needs the vault unlocked.

use casenotes::domain::settings as core_settings;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};
use crate::state::{self, AppState, IDLE_MINUTES_RANGE, LOCK_ON_MINIMISE};

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
            keychain_unlock: s.vault().keychain_enabled(),
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

/// Switches "Unlock with this computer's keychain" on or off.
#[tauri::command]
pub async fn set_keychain_unlock(state: State<'_, AppState>, args: SwitchArgs) -> IpcResult<()> {
    state.with_session(|s| {
        if args.on {
            s.enable_keychain()
        } else {
            s.disable_keychain()
        }
    })
}
