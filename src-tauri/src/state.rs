//! The shell's state: which vault folder this process works on, and whether it is unlocked.
//!
//! There is exactly one piece of mutable state, [`AppState::inner`], behind one mutex:
//! - `open` is `Some` while the vault is unlocked. It owns the core's [`Session`] (the only
//!   database connection and the master key) together with what the idle lock needs. Locking
//!   takes it out and consumes the session, which closes the connection and wipes the key; there
//!   is no other copy.
//! - `passphrase_used_this_run` becomes true once the passphrase (or recovery key) has opened the
//!   vault in this process. Keychain unlock is offered only after that, so a restart of the app
//!   always asks for the passphrase.
//!
//! Slow work (scrypt during unlock) happens before the mutex is taken, so the idle watcher and
//! other commands never wait behind it. This module holds no SQL and no cryptography.

use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use casenotes::domain::settings;
use casenotes::vault::Session;

use crate::error::{IpcError, IpcResult};

/// Default idle time before the vault locks itself, in minutes.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The range the Settings screen accepts.
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;
/// Settings key (stored inside the vault) for "lock when the window is minimised".
pub const LOCK_ON_MINIMISE: &str = "desktop_lock_on_minimise";

/// What the shell keeps between commands. Managed by Tauri; reached through `State<AppState>`.
pub struct AppState {
    /// The "save drafts before locking" handshake (see `lock.rs`); not vault state.
    pub drafts_saved: crate::lock::DraftsSaved,
    /// Held for the whole of a lock, so that a second way of locking (the close button pressed
    /// twice, a signal during a close) waits until the first has closed the database rather than
    /// letting the app quit under it.
    pub locking: Mutex<()>,
    /// The vault folder, fixed at start-up (`CASENOTES_VAULT`, else the platform data folder).
    pub vault_dir: PathBuf,
    /// Debug builds only: `CASENOTES_IDLE_SECONDS` replaces the idle time, for the e2e tests.
    idle_override: Option<Duration>,
    inner: Mutex<Inner>,
}

struct Inner {
    open: Option<Open>,
    passphrase_used_this_run: bool,
}

/// An unlocked vault and the idle-lock bookkeeping that lives exactly as long as it.
pub struct Open {
    pub session: Session,
    last_activity: Instant,
    idle_limit: Duration,
    lock_on_minimise: bool,
    /// True from the creation of a vault until the practitioner confirms they have stored the
    /// recovery key: the key is shown only once, and copying it onto paper moves no mouse. The
    /// vault is new and empty meanwhile, so there is nothing for the idle lock to protect.
    awaiting_recovery_key: bool,
}

impl AppState {
    pub fn new(vault_dir: PathBuf, idle_override: Option<Duration>) -> Self {
        Self {
            drafts_saved: Default::default(),
            locking: Mutex::new(()),
            vault_dir,
            idle_override,
            inner: Mutex::new(Inner {
                open: None,
                passphrase_used_this_run: false,
            }),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-updated (every update is a
        // single assignment), so a poisoned mutex is still safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes ownership of a freshly unlocked session. `by_passphrase` is false for keychain
    /// unlock. A session already open (after a passphrase change, which hands back a new one) is
    /// dropped, which closes its connection and wipes its key.
    pub fn open(&self, session: Session, by_passphrase: bool) -> IpcResult<()> {
        let idle_limit = match self.idle_override {
            Some(d) => d,
            None => Duration::from_secs(u64::from(idle_minutes(&session)?) * 60),
        };
        let lock_on_minimise = lock_on_minimise(&session)?;
        let previous = {
            let mut inner = self.inner();
            inner.passphrase_used_this_run |= by_passphrase;
            inner.open.replace(Open {
                session,
                last_activity: Instant::now(),
                idle_limit,
                lock_on_minimise,
                awaiting_recovery_key: false,
            })
        };
        drop(previous);
        Ok(())
    }

    /// Removes the session, leaving the state locked. The caller locks it.
    pub fn take_session(&self) -> Option<Session> {
        self.inner().open.take().map(|o| o.session)
    }

    pub fn is_unlocked(&self) -> bool {
        self.inner().open.is_some()
    }

    pub fn passphrase_used_this_run(&self) -> bool {
        self.inner().passphrase_used_this_run
    }

    /// Runs `f` on the open session, or answers `locked`.
    pub fn with_session<T>(
        &self,
        f: impl FnOnce(&mut Session) -> casenotes::Result<T>,
    ) -> IpcResult<T> {
        let mut inner = self.inner();
        let open = inner.open.as_mut().ok_or_else(IpcError::locked)?;
        Ok(f(&mut open.session)?)
    }

    /// A new vault: hold the idle lock until [`AppState::recovery_key_stored`].
    pub fn await_recovery_key(&self) -> IpcResult<()> {
        let mut inner = self.inner();
        let open = inner.open.as_mut().ok_or_else(IpcError::locked)?;
        open.awaiting_recovery_key = true;
        Ok(())
    }

    /// The practitioner has stored the recovery key: the idle clock starts now.
    pub fn recovery_key_stored(&self) -> IpcResult<()> {
        let mut inner = self.inner();
        let open = inner.open.as_mut().ok_or_else(IpcError::locked)?;
        open.awaiting_recovery_key = false;
        open.last_activity = Instant::now();
        Ok(())
    }

    /// Records practitioner activity (a key press or pointer movement in the window).
    pub fn touch(&self) -> IpcResult<()> {
        let mut inner = self.inner();
        let open = inner.open.as_mut().ok_or_else(IpcError::locked)?;
        open.last_activity = Instant::now();
        Ok(())
    }

    /// Whether the open vault has been idle longer than its limit at `now`.
    pub fn idle_expired(&self, now: Instant) -> bool {
        self.inner().open.as_ref().is_some_and(|o| {
            !o.awaiting_recovery_key
                && now.saturating_duration_since(o.last_activity) >= o.idle_limit
        })
    }

    pub fn lock_on_minimise(&self) -> bool {
        self.inner()
            .open
            .as_ref()
            .is_some_and(|o| o.lock_on_minimise)
    }

    /// Applies a changed idle time at once (unless a debug override is in force).
    pub fn set_idle_minutes(&self, minutes: u32) {
        if self.idle_override.is_some() {
            return;
        }
        if let Some(open) = self.inner().open.as_mut() {
            open.idle_limit = Duration::from_secs(u64::from(minutes) * 60);
        }
    }

    pub fn set_lock_on_minimise(&self, on: bool) {
        if let Some(open) = self.inner().open.as_mut() {
            open.lock_on_minimise = on;
        }
    }
}

/// The stored idle time, or the default when unset or out of range.
pub fn idle_minutes(session: &Session) -> casenotes::Result<u32> {
    Ok(settings::get(session, settings::IDLE_LOCK_MINUTES)?
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|m| IDLE_MINUTES_RANGE.contains(m))
        .unwrap_or(DEFAULT_IDLE_MINUTES))
}

pub fn lock_on_minimise(session: &Session) -> casenotes::Result<bool> {
    Ok(settings::get(session, LOCK_ON_MINIMISE)?.as_deref() == Some("true"))
}

#[cfg(test)]
mod tests {
    use casenotes::secret::Passphrase;
    use casenotes::vault::Vault;

    use super::*;

    fn unlocked_vault(dir: &std::path::Path) -> Session {
        Vault::create(
            &dir.join("vault"),
            &Passphrase::from_str_for_tests("twelve chars or more"),
        )
        .unwrap()
        .session
    }

    #[test]
    fn commands_on_a_locked_state_answer_locked() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        assert_eq!(
            state.with_session(|s| s.status()).unwrap_err().kind,
            "locked"
        );
        assert_eq!(state.touch().unwrap_err().kind, "locked");
        assert!(!state.idle_expired(Instant::now()), "nothing to lock");
    }

    #[test]
    fn idle_clock_runs_from_the_last_activity_and_locking_takes_the_session() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        state.open(unlocked_vault(tmp.path()), true).unwrap();
        let start = Instant::now();
        assert!(!state.idle_expired(start + Duration::from_secs(4 * 60)));
        assert!(
            state.idle_expired(start + Duration::from_secs(5 * 60 + 1)),
            "default 5 minutes"
        );
        state.set_idle_minutes(10);
        assert!(!state.idle_expired(start + Duration::from_secs(9 * 60)));
        state.touch().unwrap();
        assert!(!state.idle_expired(Instant::now() + Duration::from_secs(9 * 60)));

        let session = state.take_session().expect("the open session");
        session.lock().unwrap();
        assert!(!state.is_unlocked());
        assert_eq!(
            state.with_session(|s| s.status()).unwrap_err().kind,
            "locked"
        );
    }

    #[test]
    fn idle_lock_waits_while_a_new_vaults_recovery_key_is_being_stored() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        state.open(unlocked_vault(tmp.path()), true).unwrap();
        state.await_recovery_key().unwrap();
        let later = Instant::now() + Duration::from_secs(60 * 60);
        assert!(!state.idle_expired(later));
        state.recovery_key_stored().unwrap();
        assert!(state.idle_expired(later));
    }

    #[test]
    fn the_idle_time_is_read_from_the_vault_settings() {
        let tmp = tempfile::tempdir().unwrap();
        let mut session = unlocked_vault(tmp.path());
        settings::set(&mut session, settings::IDLE_LOCK_MINUTES, "2").unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        state.open(session, true).unwrap();
        let start = Instant::now();
        assert!(!state.idle_expired(start + Duration::from_secs(100)));
        assert!(state.idle_expired(start + Duration::from_secs(121)));
    }

    #[test]
    fn keychain_unlock_does_not_count_as_using_the_passphrase() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        state.open(unlocked_vault(tmp.path()), false).unwrap();
        assert!(!state.passphrase_used_this_run());
        let session = state.take_session().unwrap();
        state.open(session, true).unwrap();
        assert!(state.passphrase_used_this_run());
    }
}
