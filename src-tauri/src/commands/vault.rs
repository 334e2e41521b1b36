//! Vault commands: first run, unlock (passphrase, recovery key, keychain), lock, passphrase
//! change, idle activity, status and About. Passphrases and keys arrive in zeroizing buffers,
//! are handed straight to the core, and are never logged or echoed back in an error.

use casenotes::secret::{Passphrase, RecoveryKey};
use casenotes::vault::{FailedUnlocks, Unlock, Vault};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};
use crate::lock::{self, LockReason};
use crate::state::AppState;

/// Failed unlock attempts since the last successful unlock.
#[derive(Debug, Clone, Serialize, TS, PartialEq, Eq)]
pub struct FailedAttempts {
    pub count: u32,
    /// RFC 3339 UTC; the UI shows it in local time as "3 March 2026 at 14:05".
    pub first_at: Option<String>,
    pub last_at: Option<String>,
}

impl From<&FailedUnlocks> for FailedAttempts {
    fn from(f: &FailedUnlocks) -> Self {
        Self {
            count: f.count,
            first_at: f.first_at.map(|t| t.to_rfc3339()),
            last_at: f.last_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// What the UI needs to choose its first screen; readable while locked.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VaultState {
    /// False on first run: the UI offers to create a vault.
    pub exists: bool,
    pub unlocked: bool,
    pub vault_dir: String,
    pub failed_unlocks: FailedAttempts,
    /// True only when the keychain slot is on *and* the passphrase was used in this run.
    pub keychain_unlock_available: bool,
}

#[derive(Deserialize, TS)]
pub struct NewPassphraseArgs {
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
    #[ts(type = "string")]
    pub confirmation: Zeroizing<String>,
}

/// Shown once and never stored by the app.
#[derive(Serialize, TS)]
pub struct CreatedVault {
    pub recovery_key: String,
}

#[derive(Deserialize, TS)]
pub struct UnlockArgs {
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
}

#[derive(Deserialize, TS)]
pub struct RecoverArgs {
    #[ts(type = "string")]
    pub recovery_key: Zeroizing<String>,
    #[ts(type = "string")]
    pub new_passphrase: Zeroizing<String>,
    #[ts(type = "string")]
    pub confirmation: Zeroizing<String>,
}

#[derive(Deserialize, TS)]
pub struct ChangePassphraseArgs {
    #[ts(type = "string")]
    pub current: Zeroizing<String>,
    #[ts(type = "string")]
    pub new_passphrase: Zeroizing<String>,
    #[ts(type = "string")]
    pub confirmation: Zeroizing<String>,
}

/// The answer to a successful unlock.
#[derive(Debug, Serialize, TS)]
pub struct Unlocked {
    /// Attempts that failed between the previous unlock and this one.
    pub failed_before_this_unlock: FailedAttempts,
}

/// A summary of the open vault for the home screen. Holds no clinical data.
#[derive(Debug, Serialize, TS)]
pub struct VaultStatus {
    pub vault_dir: String,
    pub vault_id: String,
    pub created_at: String,
    #[ts(type = "number")]
    pub audit_entries: i64,
}

#[derive(Debug, Serialize, TS)]
pub struct About {
    pub version: String,
    pub commit: String,
}

fn new_passphrase(
    text: Zeroizing<String>,
    confirmation: &Zeroizing<String>,
) -> IpcResult<Passphrase> {
    if *text != **confirmation {
        return Err(casenotes::Error::PassphraseMismatch.into());
    }
    let p = Passphrase::new(text);
    p.check_strength()?;
    Ok(p)
}

/// The vault to unlock. Waits first for a lock still finishing (it may be making a backup, a few
/// seconds at most), so an unlock never meets the previous session still writing.
fn open_vault(state: &AppState) -> IpcResult<Vault> {
    state.wait_for_lock_in_progress();
    Ok(Vault::open(&state.vault_dir())?)
}

/// Reads whether a vault exists, whether it is open, and the failed-attempt count.
#[tauri::command]
pub async fn vault_state(state: State<'_, AppState>) -> IpcResult<VaultState> {
    let vault_dir = state.vault_dir();
    let vault = match Vault::open(&vault_dir) {
        Ok(v) => v,
        Err(casenotes::Error::NoVault { .. }) => {
            return Ok(VaultState {
                exists: false,
                unlocked: false,
                vault_dir: vault_dir.display().to_string(),
                failed_unlocks: FailedAttempts::from(&FailedUnlocks::default()),
                keychain_unlock_available: false,
            })
        }
        Err(e) => return Err(e.into()),
    };
    Ok(VaultState {
        exists: true,
        unlocked: state.is_unlocked(),
        vault_dir: vault_dir.display().to_string(),
        failed_unlocks: FailedAttempts::from(&vault.failed_unlocks()?),
        keychain_unlock_available: state.passphrase_used_this_run() && vault.keychain_enabled(),
    })
}

/// First run: creates the vault, leaves it unlocked, and hands back the recovery key once.
#[tauri::command]
pub async fn create_vault(
    app: AppHandle,
    state: State<'_, AppState>,
    args: NewPassphraseArgs,
) -> IpcResult<CreatedVault> {
    let passphrase = new_passphrase(args.passphrase, &args.confirmation)?;
    let created = Vault::create(&state.vault_dir(), &passphrase)?;
    let recovery_key = created.recovery_key.expose().to_owned();
    state.open(created.session, true)?;
    state.await_recovery_key()?;
    lock::set_unlocked_title(&app);
    Ok(CreatedVault { recovery_key })
}

/// First run: the practitioner has stored the recovery key, so the idle lock may start.
#[tauri::command]
pub async fn recovery_key_stored(state: State<'_, AppState>) -> IpcResult<()> {
    state.recovery_key_stored()
}

#[tauri::command]
pub async fn unlock(
    app: AppHandle,
    state: State<'_, AppState>,
    args: UnlockArgs,
) -> IpcResult<Unlocked> {
    let passphrase = Passphrase::new(args.passphrase);
    let session = open_vault(&state)?.unlock(Unlock::Passphrase(&passphrase))?;
    let failed = FailedAttempts::from(session.failed_since_last_unlock());
    state.open(session, true)?;
    lock::set_unlocked_title(&app);
    Ok(Unlocked {
        failed_before_this_unlock: failed,
    })
}

/// Unlocks with the recovery key and sets a new passphrase.
#[tauri::command]
pub async fn recover(
    app: AppHandle,
    state: State<'_, AppState>,
    args: RecoverArgs,
) -> IpcResult<Unlocked> {
    let key = RecoveryKey::parse(&args.recovery_key)?;
    let passphrase = new_passphrase(args.new_passphrase, &args.confirmation)?;
    let session = open_vault(&state)?.recover(&key, &passphrase)?;
    let failed = FailedAttempts::from(session.failed_since_last_unlock());
    state.open(session, true)?;
    lock::set_unlocked_title(&app);
    Ok(Unlocked {
        failed_before_this_unlock: failed,
    })
}

/// Unlocks through the OS keychain; refused until the passphrase has been used in this run.
#[tauri::command]
pub async fn unlock_with_keychain(
    app: AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Unlocked> {
    if !state.passphrase_used_this_run() {
        return Err(IpcError::passphrase_required());
    }
    let session = open_vault(&state)?.unlock_with_keychain()?;
    let failed = FailedAttempts::from(session.failed_since_last_unlock());
    state.open(session, false)?;
    lock::set_unlocked_title(&app);
    Ok(Unlocked {
        failed_before_this_unlock: failed,
    })
}

/// Locks now (the Lock button and Ctrl+L). On a blocking thread: a lock may make a backup first
/// (seconds), and the reloaded page's own commands must not wait behind it.
#[tauri::command]
pub async fn lock(app: AppHandle) -> IpcResult<()> {
    tauri::async_runtime::spawn_blocking(move || lock::lock(&app, LockReason::Requested))
        .await
        .map_err(|_| IpcError::internal("Locking stopped unexpectedly. Please try again."))?
        .map(|_| ())
}

#[derive(Deserialize, TS)]
pub struct DraftsSavedArgs {
    /// The `request` of the `vault-locking` event being answered.
    #[ts(type = "number")]
    pub request: u64,
}

/// The page's answer to `vault-locking`: its drafts are saved, the lock may go ahead.
#[tauri::command]
pub async fn drafts_saved(state: State<'_, AppState>, args: DraftsSavedArgs) -> IpcResult<()> {
    state.drafts_saved.answer(args.request);
    Ok(())
}

/// Changes the passphrase. The core removes the keychain slot when it does.
#[tauri::command]
pub async fn change_passphrase(
    state: State<'_, AppState>,
    args: ChangePassphraseArgs,
) -> IpcResult<()> {
    if !state.is_unlocked() {
        return Err(IpcError::locked());
    }
    let current = Passphrase::new(args.current);
    let new = new_passphrase(args.new_passphrase, &args.confirmation)?;
    let session = open_vault(&state)?.change_passphrase(&current, &new)?;
    // The core hands back a fresh session; `open` drops the old one (connection closed, key wiped).
    state.open(session, true)?;
    Ok(())
}

/// The practitioner pressed a key or moved the pointer: restart the idle clock.
#[tauri::command]
pub async fn note_activity(state: State<'_, AppState>) -> IpcResult<()> {
    state.touch()
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> IpcResult<VaultStatus> {
    let status = state.with_session(|s| s.status())?;
    Ok(VaultStatus {
        vault_dir: status.vault_dir.display().to_string(),
        vault_id: status.vault_id,
        created_at: status.created_at,
        audit_entries: status.audit_entries,
    })
}

#[tauri::command]
pub async fn about() -> IpcResult<About> {
    Ok(About {
        version: casenotes::build_info::VERSION.to_owned(),
        commit: casenotes::build_info::GIT_COMMIT.to_owned(),
    })
}
