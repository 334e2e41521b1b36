//! Vault commands: first run, unlock (passphrase, recovery key, keychain), lock, passphrase
//! change, a new master key, idle activity, status and About. Passphrases and keys arrive in
//! zeroizing buffers, are handed straight to the core, and are never logged or echoed back in an
//! error.
//!
//! Every command that does slow work and then installs a session (unlock, recovery, passphrase
//! change) reads the state's lock count first and installs through
//! `AppState::open_unless_locked_since`: a lock that lands meanwhile is never undone.

use casenotes::secret::{Passphrase, RecoveryKey};
use casenotes::vault::{FailedUnlocks, Session, Unlock, Vault};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, State};
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::error::{IpcError, IpcResult};
use crate::lock::{self, DraftsSaved};
use crate::state::{AppState, LockReason};

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
    /// True only when the keychain slot is on, the passphrase was used in this run, *and* the
    /// vault last locked because the person locked it (never after an idle, minimise or closing
    /// lock).
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
    /// When the vault was unlocked before this time (RFC 3339 UTC), if ever.
    pub last_unlocked_at: Option<String>,
    /// Set when this unlock found that an older copy of the vault had been put back (the audit
    /// log is behind its anchor): the core's words, for an alert. Also written into the log.
    pub audit_rollback: Option<String>,
    /// Set when this unlock finished a change of master key that a crash had interrupted: the new
    /// recovery key was never shown, so the master key should be changed again.
    pub interrupted_rekey: Option<String>,
}

impl From<&Session> for Unlocked {
    fn from(s: &Session) -> Self {
        Self {
            failed_before_this_unlock: FailedAttempts::from(s.failed_since_last_unlock()),
            last_unlocked_at: s.last_unlocked_at().map(str::to_owned),
            audit_rollback: s.audit_rollback().map(str::to_owned),
            interrupted_rekey: s.interrupted_rekey().map(str::to_owned),
        }
    }
}

#[derive(Deserialize, TS)]
pub struct ChangeMasterKeyArgs {
    #[ts(type = "string")]
    pub current: Zeroizing<String>,
    #[ts(type = "string")]
    pub new_passphrase: Zeroizing<String>,
    #[ts(type = "string")]
    pub confirmation: Zeroizing<String>,
}

/// A summary of the open vault for the home screen. Holds no clinical data.
#[derive(Debug, Serialize, TS)]
pub struct VaultStatus {
    pub vault_dir: String,
    pub vault_id: String,
    pub created_at: String,
    #[ts(type = "number")]
    pub audit_entries: i64,
    /// When the vault was unlocked before this session (RFC 3339 UTC), if ever.
    pub last_unlocked_at: Option<String>,
    /// Set when this session's unlock found an older copy of the vault put back.
    pub audit_rollback: Option<String>,
    /// Set when this session's unlock finished an interrupted change of master key.
    pub interrupted_rekey: Option<String>,
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
        keychain_unlock_available: state.keychain_unlock_allowed() && vault.keychain_enabled(),
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
    let ticket = state.ticket();
    let session = open_vault(&state)?.unlock(Unlock::Passphrase(&passphrase))?;
    let answer = Unlocked::from(&session);
    state.open_unless_locked_since(session, true, ticket)?;
    crate::commands::settings::renew_keychain_slot(&state);
    lock::set_unlocked_title(&app);
    Ok(answer)
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
    let ticket = state.ticket();
    let session = open_vault(&state)?.recover(&key, &passphrase)?;
    let answer = Unlocked::from(&session);
    state.open_unless_locked_since(session, true, ticket)?;
    crate::commands::settings::renew_keychain_slot(&state);
    lock::set_unlocked_title(&app);
    Ok(answer)
}

/// Unlocks through the OS keychain; refused until the passphrase has been used in this run, and
/// after any lock the person did not make themselves (idle, minimise, closing).
#[tauri::command]
pub async fn unlock_with_keychain(
    app: AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Unlocked> {
    let answer = unlock_with_keychain_body(&state)?;
    lock::set_unlocked_title(&app);
    Ok(answer)
}

fn unlock_with_keychain_body(state: &AppState) -> IpcResult<Unlocked> {
    if !state.passphrase_used_this_run() {
        return Err(IpcError::passphrase_required());
    }
    if !state.keychain_unlock_allowed() {
        return Err(IpcError::keychain_not_offered());
    }
    let ticket = state.ticket();
    let session = open_vault(state)?.unlock_with_keychain()?;
    let answer = Unlocked::from(&session);
    state.open_unless_locked_since(session, false, ticket)?;
    Ok(answer)
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
pub async fn drafts_saved(drafts: State<'_, DraftsSaved>, args: DraftsSavedArgs) -> IpcResult<()> {
    drafts.answer(args.request);
    Ok(())
}

/// Changes the passphrase. The core removes the keychain slot when it does (a fresh one is made
/// if the setting is on). On a blocking thread: two scrypt runs take about a second.
#[tauri::command]
pub async fn change_passphrase(app: AppHandle, args: ChangePassphraseArgs) -> IpcResult<()> {
    tauri::async_runtime::spawn_blocking(move || {
        change_passphrase_body(&app.state::<AppState>(), args)
    })
    .await
    .map_err(|_| {
        IpcError::internal("Changing the passphrase stopped unexpectedly. Please try again.")
    })?
}

/// The body of [`change_passphrase`], without Tauri, for the tests.
pub fn change_passphrase_body(state: &AppState, args: ChangePassphraseArgs) -> IpcResult<()> {
    let ticket = state.unlocked_ticket()?;
    let current = Passphrase::new(args.current);
    let new = new_passphrase(args.new_passphrase, &args.confirmation)?;
    let session = open_vault(state)?.change_passphrase(&current, &new)?;
    // The core hands back a fresh session; installing it drops the old one (connection closed,
    // key wiped). A lock that landed meanwhile wins: the fresh session is locked at once.
    state
        .open_unless_locked_since(session, true, ticket)
        .map_err(|e| match e.kind.as_str() {
            "locked" => IpcError {
                kind: e.kind,
                message: "casenotes locked while your passphrase was being changed. The change is made: unlock with your new passphrase.".to_owned(),
            },
            _ => e,
        })?;
    crate::commands::settings::renew_keychain_slot(state);
    Ok(())
}

/// A new master key (rekey), for when the passphrase or recovery key may have been seen by
/// someone else: the current passphrase is checked, the core re-encrypts the vault under a fresh
/// key with the new passphrase, and the new recovery key comes back to be shown once. The idle
/// lock waits meanwhile, as at first run, until `recovery_key_stored`. Runs under the session
/// (so no lock starts half-way) on a blocking thread: it takes a few seconds.
#[tauri::command]
pub async fn change_master_key(
    app: AppHandle,
    args: ChangeMasterKeyArgs,
) -> IpcResult<CreatedVault> {
    tauri::async_runtime::spawn_blocking(move || {
        change_master_key_body(&app.state::<AppState>(), args)
    })
    .await
    .map_err(|_| {
        IpcError::internal("Changing the master key stopped unexpectedly. Please try again.")
    })?
}

/// The body of [`change_master_key`], without Tauri, for the tests.
pub fn change_master_key_body(
    state: &AppState,
    args: ChangeMasterKeyArgs,
) -> IpcResult<CreatedVault> {
    let current = Passphrase::new(args.current);
    let new = new_passphrase(args.new_passphrase, &args.confirmation)?;
    let recovery_key = state.with_session(|s| {
        s.confirm_passphrase(&current)?;
        s.rekey(&new)
    })?;
    state.await_recovery_key()?;
    // The core switched the keychain slot off (it held the old key); a fresh one if it is wanted.
    crate::commands::settings::renew_keychain_slot(state);
    Ok(CreatedVault {
        recovery_key: recovery_key.expose().to_owned(),
    })
}

/// The practitioner pressed a key or moved the pointer: restart the idle clock.
#[tauri::command]
pub async fn note_activity(state: State<'_, AppState>) -> IpcResult<()> {
    state.touch()
}

#[tauri::command]
pub async fn vault_status(state: State<'_, AppState>) -> IpcResult<VaultStatus> {
    let (status, interrupted_rekey) =
        state.with_session(|s| Ok((s.status()?, s.interrupted_rekey().map(str::to_owned))))?;
    Ok(VaultStatus {
        vault_dir: status.vault_dir.display().to_string(),
        vault_id: status.vault_id,
        created_at: status.created_at,
        audit_entries: status.audit_entries,
        last_unlocked_at: status.last_unlocked_at,
        audit_rollback: status.audit_rollback,
        interrupted_rekey,
    })
}

#[tauri::command]
pub async fn about() -> IpcResult<About> {
    Ok(About {
        version: casenotes::build_info::VERSION.to_owned(),
        commit: casenotes::build_info::GIT_COMMIT.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use casenotes::audit;

    use super::*;

    const PASSPHRASE: &str = "marmalade tugboat orchard velvet";
    const NEW_PASSPHRASE: &str = "lantern pebble harbour quince";

    fn z(s: &str) -> Zeroizing<String> {
        Zeroizing::new(s.to_owned())
    }

    /// A state over a fresh vault, unlocked with the passphrase.
    fn unlocked_state(tmp: &std::path::Path) -> Arc<AppState> {
        let dir = tmp.join("vault");
        let created = Vault::create(&dir, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
        let state = Arc::new(AppState::new(dir, None));
        state.open(created.session, true).unwrap();
        state
    }

    fn unlock_core(dir: &std::path::Path, passphrase: &str) -> Session {
        Vault::open(dir)
            .unwrap()
            .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
                passphrase,
            )))
            .unwrap()
    }

    /// The audit actions, oldest first.
    fn actions(session: &Session) -> Vec<String> {
        let mut all: Vec<String> = audit::list(session.conn().unwrap(), None)
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        // `list` gives the newest last when limited; make sure of the order either way.
        if all.first().map(String::as_str) != Some("vault_created") {
            all.reverse();
        }
        all
    }

    #[test]
    fn a_lock_during_a_passphrase_change_is_final() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked_state(tmp.path());
        let changing = Arc::clone(&state);
        let change = std::thread::spawn(move || {
            change_passphrase_body(
                &changing,
                ChangePassphraseArgs {
                    current: z(PASSPHRASE),
                    new_passphrase: z(NEW_PASSPHRASE),
                    confirmation: z(NEW_PASSPHRASE),
                },
            )
        });
        // Two scrypt runs (about a second, more in a debug build): lock in the middle of them.
        std::thread::sleep(Duration::from_millis(150));
        assert!(
            !change.is_finished(),
            "the change ended before the lock: the race was not driven"
        );
        state
            .take_session_to_lock(LockReason::Requested)
            .expect("the session was open")
            .lock()
            .unwrap();
        let answer = change.join().unwrap();
        assert_eq!(answer.unwrap_err().kind, "locked");
        assert!(!state.is_unlocked(), "the lock was undone");
        assert_eq!(
            state.with_session(|s| s.status()).unwrap_err().kind,
            "locked"
        );

        // The change itself was made; the log ends with a lock, with every unlock locked.
        let session = unlock_core(&state.vault_dir(), NEW_PASSPHRASE);
        let mut log = actions(&session);
        assert_eq!(
            log.pop().as_deref(),
            Some("vault_unlocked"),
            "this check's own"
        );
        assert_eq!(log.last().map(String::as_str), Some("vault_locked"));
        assert!(log.iter().any(|a| a == "passphrase_changed"));
        let count = |what: &str| log.iter().filter(|a| *a == what).count();
        assert_eq!(count("vault_unlocked"), count("vault_locked"));
        session.verify_audit().unwrap();
        session.lock().unwrap();
    }

    #[test]
    fn a_session_made_meanwhile_is_not_installed_after_a_lock_closed_the_open_one() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked_state(tmp.path());
        let ticket = state.unlocked_ticket().unwrap();
        // A second session, as a passphrase change or a recovery makes one...
        let session = unlock_core(&state.vault_dir(), PASSPHRASE);
        // ...while the open one is locked.
        state
            .take_session_to_lock(LockReason::Idle)
            .unwrap()
            .lock()
            .unwrap();
        let answer = state.open_unless_locked_since(session, true, ticket);
        assert_eq!(answer.unwrap_err().kind, "locked");
        assert!(!state.is_unlocked());
        let session = unlock_core(&state.vault_dir(), PASSPHRASE);
        let mut log = actions(&session);
        log.pop();
        assert_eq!(log.last().map(String::as_str), Some("vault_locked"));
        session.lock().unwrap();

        // A lock that finds nothing open (a stale request) does not cancel an unlock.
        let ticket = state.ticket();
        let session = unlock_core(&state.vault_dir(), PASSPHRASE);
        assert!(state.take_session_to_lock(LockReason::Requested).is_none());
        state
            .open_unless_locked_since(session, true, ticket)
            .unwrap();
        assert!(state.is_unlocked());
    }

    #[test]
    fn keychain_unlock_only_after_a_lock_the_person_made() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("vault");
        Vault::create(&dir, &Passphrase::from_str_for_tests(PASSPHRASE))
            .unwrap()
            .session
            .lock()
            .unwrap();
        let state = AppState::new(dir.clone(), None);
        let refused = unlock_with_keychain_body(&state).unwrap_err();
        assert_eq!(refused.kind, "passphrase_required");
        assert!(refused.message.contains("since casenotes started"));

        for reason in [LockReason::Idle, LockReason::Minimised, LockReason::Closing] {
            state.open(unlock_core(&dir, PASSPHRASE), true).unwrap();
            state.take_session_to_lock(reason).unwrap().lock().unwrap();
            assert!(!state.keychain_unlock_allowed(), "{reason:?}");
            let refused = unlock_with_keychain_body(&state).unwrap_err();
            assert_eq!(refused.kind, "passphrase_required", "{reason:?}");
            assert!(refused.message.contains("locked itself"), "{reason:?}");
            assert!(!state.is_unlocked());
        }

        state.open(unlock_core(&dir, PASSPHRASE), true).unwrap();
        state
            .take_session_to_lock(LockReason::Requested)
            .unwrap()
            .lock()
            .unwrap();
        assert!(state.keychain_unlock_allowed());
        // A lock with nothing open (quitting while locked) does not change why it last locked.
        assert!(state.take_session_to_lock(LockReason::Closing).is_none());
        assert!(state.keychain_unlock_allowed());
    }

    #[test]
    fn the_unlock_answer_says_when_the_vault_was_last_unlocked() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked_state(tmp.path());
        state.take_session().unwrap().lock().unwrap();
        let session = unlock_core(&state.vault_dir(), PASSPHRASE);
        let answer = Unlocked::from(&session);
        let last = answer.last_unlocked_at.expect("unlocked once before");
        assert!(
            chrono::DateTime::parse_from_rfc3339(&last).is_ok(),
            "{last}"
        );
        assert_eq!(answer.audit_rollback, None);
        assert_eq!(answer.interrupted_rekey, None);
    }

    #[test]
    fn a_new_master_key_needs_the_current_passphrase_and_shows_a_new_recovery_key() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked_state(tmp.path());
        let args = |current: &str| ChangeMasterKeyArgs {
            current: z(current),
            new_passphrase: z(NEW_PASSPHRASE),
            confirmation: z(NEW_PASSPHRASE),
        };
        let Err(wrong) = change_master_key_body(&state, args(NEW_PASSPHRASE)) else {
            panic!("changed with a wrong passphrase");
        };
        assert_eq!(wrong.kind, "wrong_passphrase");
        assert!(state.is_unlocked(), "a wrong passphrase changes nothing");

        let Ok(created) = change_master_key_body(&state, args(PASSPHRASE)) else {
            panic!("the master key was not changed");
        };
        assert!(created.recovery_key.starts_with("AGE-SECRET-KEY-1"));
        assert!(
            !state.idle_expired(Instant::now() + Duration::from_secs(3600)),
            "the idle lock waits while the new recovery key is on screen"
        );
        state.recovery_key_stored().unwrap();
        state.take_session().unwrap().lock().unwrap();

        let vault = Vault::open(&state.vault_dir()).unwrap();
        assert!(vault
            .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
                PASSPHRASE
            )))
            .is_err());
        let key = RecoveryKey::parse(&created.recovery_key).unwrap();
        vault
            .unlock(Unlock::RecoveryKey(&key))
            .unwrap()
            .lock()
            .unwrap();
        let session = unlock_core(&state.vault_dir(), NEW_PASSPHRASE);
        assert!(actions(&session).iter().any(|a| a == "vault_rekeyed"));
        session.lock().unwrap();
    }
}
