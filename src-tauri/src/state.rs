//! The shell's state: which vault folder this process works on, and whether it is unlocked.
//!
//! There is exactly one piece of mutable state, [`AppState::inner`], behind one mutex:
//! - `open` is `Some` while the vault is unlocked. It owns the core's [`Session`] (the only
//!   database connection and the master key) together with what the idle lock needs. Locking
//!   takes it out and consumes the session, which closes the connection and wipes the key; there
//!   is no other copy.
//! - `passphrase_used_this_run` becomes true once the passphrase (or recovery key) has opened the
//!   vault in this process, and `last_lock` remembers why the vault last locked. Keychain unlock
//!   is offered only after both: the passphrase typed in this run, and a lock the person made
//!   (the Lock button or Ctrl+L), never one casenotes made itself (idle, minimise, closing).
//! - `lock_generation` counts locks that closed a session. Slow work (scrypt during unlock or a passphrase change)
//!   happens before the mutex is taken, so the idle watcher and other commands never wait behind
//!   it; a command that ends by installing a session reads the count first ([`AppState::ticket`])
//!   and installs only if no lock came in between ([`AppState::open_unless_locked_since`]).
//!   Otherwise the new session is locked at once: a lock is final.
//!
//! This module holds no SQL and no cryptography.
//!
//! The vault folder can change while the app runs: restoring a backup into another folder switches
//! the app to the restored vault ([`AppState::switch_vault_dir`]), and the choice is remembered
//! for the next start in a small non-secret file in the OS config folder
//! ([`VAULT_LOCATION_FILE`]), which `CASENOTES_VAULT` still overrides.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use casenotes::domain::settings;
use casenotes::vault::Session;

use serde::Serialize;
use ts_rs::TS;

use crate::error::{IpcError, IpcResult};

/// Default idle time before the vault locks itself, in minutes.
pub const DEFAULT_IDLE_MINUTES: u32 = 5;
/// The range the Settings screen accepts.
pub const IDLE_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;
/// Settings key (stored inside the vault) for "lock when the window is minimised".
pub const LOCK_ON_MINIMISE: &str = "desktop_lock_on_minimise";

/// Why the vault locked, for the lock screen's wording.
#[derive(Debug, Clone, Copy, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    Requested,
    Idle,
    Minimised,
    Closing,
}

/// What the shell keeps between commands. Managed by Tauri; reached through `State<AppState>`.
pub struct AppState {
    /// Held for the whole of a lock, so that a second way of locking (the close button pressed
    /// twice, a signal during a close) waits until the first has closed the database rather than
    /// letting the app quit under it.
    pub locking: Mutex<()>,
    /// The vault folder: `CASENOTES_VAULT`, else the folder remembered after a restore, else the
    /// platform data folder; switched when a backup is restored into another folder. Its own
    /// mutex, held only to read or replace the path.
    vault_dir: Mutex<PathBuf>,
    /// The backup file the practitioner chose in the native dialog, for `restore_backup`: the page
    /// never sends a path.
    chosen_backup: Mutex<Option<PathBuf>>,
    /// True while a lock is making a backup, for the lock screen ("Backing up…").
    backing_up: std::sync::atomic::AtomicBool,
    /// Debug builds only: `CASENOTES_IDLE_SECONDS` replaces the idle time, for the e2e tests.
    idle_override: Option<Duration>,
    inner: Mutex<Inner>,
}

struct Inner {
    open: Option<Open>,
    passphrase_used_this_run: bool,
    /// Why the vault last locked in this run (`None` before the first lock).
    last_lock: Option<LockReason>,
    /// How many times a lock has taken (or found no) session; see [`AppState::ticket`].
    lock_generation: u64,
}

/// The lock count read before slow work, checked before its session is installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ticket(u64);

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
            locking: Mutex::new(()),
            vault_dir: Mutex::new(vault_dir),
            chosen_backup: Mutex::new(None),
            backing_up: Default::default(),
            idle_override,
            inner: Mutex::new(Inner {
                open: None,
                passphrase_used_this_run: false,
                last_lock: None,
                lock_generation: 0,
            }),
        }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave `Inner` half-updated (every update is a
        // single assignment), so a poisoned mutex is still safe to use.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The vault folder this app works on now.
    pub fn vault_dir(&self) -> PathBuf {
        lock_ignoring_poison(&self.vault_dir).clone()
    }

    /// Points the app at another vault folder (a backup restored there). The caller holds no
    /// session on the old folder.
    pub fn switch_vault_dir(&self, dir: PathBuf) {
        *lock_ignoring_poison(&self.vault_dir) = dir;
    }

    /// At start-up: the folder remembered after a restore into another folder, unless
    /// `CASENOTES_VAULT` names one. A remembered folder that no longer holds anything (a drive
    /// unplugged) is still used, so the practitioner sees it named rather than a new empty vault
    /// being offered in the default place.
    pub fn follow_remembered_vault_location(&self) {
        if std::env::var_os("CASENOTES_VAULT").is_some_and(|d| !d.is_empty()) {
            return;
        }
        if let Some(dir) = config_dir().and_then(|c| read_vault_location(&c)) {
            self.switch_vault_dir(dir);
        }
    }

    /// Waits until a lock in progress, with the backup it may be making, has finished. Unlocking
    /// and restoring go through this, so that they never meet a session still writing.
    pub fn wait_for_lock_in_progress(&self) {
        drop(lock_ignoring_poison(&self.locking));
    }

    pub fn set_backing_up(&self, on: bool) {
        self.backing_up
            .store(on, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn backing_up(&self) -> bool {
        self.backing_up.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub fn choose_backup(&self, file: PathBuf) {
        *lock_ignoring_poison(&self.chosen_backup) = Some(file);
    }

    pub fn chosen_backup(&self) -> Option<PathBuf> {
        lock_ignoring_poison(&self.chosen_backup).clone()
    }

    /// Takes ownership of a freshly unlocked session. `by_passphrase` is false for keychain
    /// unlock. A session already open (after a passphrase change, which hands back a new one) is
    /// dropped, which closes its connection and wipes its key. Commands that did slow work first
    /// use [`AppState::open_unless_locked_since`] instead.
    pub fn open(&self, session: Session, by_passphrase: bool) -> IpcResult<()> {
        self.install(session, by_passphrase, None)
    }

    /// The lock count now, read before slow work that ends in installing a session.
    pub fn ticket(&self) -> Ticket {
        Ticket(self.inner().lock_generation)
    }

    /// The lock count, for a command that needs the vault unlocked now (a passphrase change): the
    /// two are read together, so a lock cannot fall between the check and the count.
    pub fn unlocked_ticket(&self) -> IpcResult<Ticket> {
        let inner = self.inner();
        if inner.open.is_none() {
            return Err(IpcError::locked());
        }
        Ok(Ticket(inner.lock_generation))
    }

    /// Installs `session` unless the vault was locked after `ticket` was read; then the session
    /// is locked at once (its own audit entry, connection closed, key wiped) and the answer is
    /// `locked`, so no command can undo a lock that landed while it worked.
    pub fn open_unless_locked_since(
        &self,
        session: Session,
        by_passphrase: bool,
        ticket: Ticket,
    ) -> IpcResult<()> {
        self.install(session, by_passphrase, Some(ticket))
    }

    fn install(
        &self,
        session: Session,
        by_passphrase: bool,
        ticket: Option<Ticket>,
    ) -> IpcResult<()> {
        let idle_limit = match self.idle_override {
            Some(d) => d,
            None => Duration::from_secs(u64::from(idle_minutes(&session)?) * 60),
        };
        let lock_on_minimise = lock_on_minimise(&session)?;
        let outcome = {
            let mut inner = self.inner();
            if ticket.is_some_and(|t| t.0 != inner.lock_generation) {
                Err(session)
            } else {
                inner.passphrase_used_this_run |= by_passphrase;
                Ok(inner.open.replace(Open {
                    session,
                    last_activity: Instant::now(),
                    idle_limit,
                    lock_on_minimise,
                    awaiting_recovery_key: false,
                }))
            }
        };
        match outcome {
            Ok(previous) => {
                drop(previous);
                Ok(())
            }
            Err(late) => {
                // Outside the mutex: locking writes to the database.
                let _ = late.lock();
                Err(IpcError::locked_meanwhile())
            }
        }
    }

    /// Removes the session, leaving the state locked. The caller locks it.
    pub fn take_session(&self) -> Option<Session> {
        let mut inner = self.inner();
        let session = inner.open.take().map(|o| o.session);
        if session.is_some() {
            inner.lock_generation += 1;
        }
        session
    }

    /// [`AppState::take_session`] for a lock, remembering why the vault locked. Only a lock that
    /// closes a session counts: a stale lock request that finds the vault already locked (the
    /// page re-sends one that a reload cut short) must not cancel the unlock being typed.
    pub fn take_session_to_lock(&self, reason: LockReason) -> Option<Session> {
        let mut inner = self.inner();
        let session = inner.open.take().map(|o| o.session);
        if session.is_some() {
            inner.lock_generation += 1;
            inner.last_lock = Some(reason);
        }
        session
    }

    /// Whether the keychain may unlock now: the passphrase was typed in this run, and the last
    /// lock was one the person made. (The vault must also have its keychain slot.)
    pub fn keychain_unlock_allowed(&self) -> bool {
        let inner = self.inner();
        inner.passphrase_used_this_run && inner.last_lock == Some(LockReason::Requested)
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

    /// Called from the main thread on every resize, so it never waits for the vault's mutex: while
    /// a command holds it (a backup takes a few seconds) this answers false, and the idle watcher,
    /// which polls every second, locks a minimised window as soon as the command is done.
    pub fn lock_on_minimise(&self) -> bool {
        let inner = match self.inner.try_lock() {
            Ok(inner) => inner,
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) => return false,
        };
        inner.open.as_ref().is_some_and(|o| o.lock_on_minimise)
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

/// Every value behind these mutexes is replaced in one assignment, so a panic elsewhere cannot
/// leave one half-written: a poisoned mutex is still safe to use.
fn lock_ignoring_poison<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The name of the file, in the OS config folder, that remembers which vault folder to open.
/// It holds a folder path and nothing else: no secret, nothing clinical.
pub const VAULT_LOCATION_FILE: &str = "vault-location";

/// The OS config folder for casenotes (`~/.config/casenotes` on Linux).
pub fn config_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("uk", "casenotes", "casenotes")
        .map(|d| d.config_dir().to_path_buf())
}

/// The vault folder remembered in `config_dir`, if any.
pub fn read_vault_location(config_dir: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(config_dir.join(VAULT_LOCATION_FILE)).ok()?;
    let line = text.lines().next()?.trim_end_matches('\r');
    (!line.is_empty() && Path::new(line).is_absolute()).then(|| PathBuf::from(line))
}

/// Remembers `vault_dir` for the next start (a temporary name, then renamed over the old file,
/// so a crash never leaves half a path).
pub fn remember_vault_location(config_dir: &Path, vault_dir: &Path) -> std::io::Result<()> {
    let text = vault_dir.to_str().ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "the folder's name is not valid text",
        )
    })?;
    std::fs::create_dir_all(config_dir)?;
    let temp = config_dir.join(format!("{VAULT_LOCATION_FILE}.new"));
    std::fs::write(&temp, format!("{text}\n"))?;
    std::fs::rename(&temp, config_dir.join(VAULT_LOCATION_FILE))
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
    fn the_vault_folder_switches_and_is_remembered_for_the_next_start() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        assert_eq!(state.vault_dir(), tmp.path().join("vault"));
        state.switch_vault_dir(tmp.path().join("restored"));
        assert_eq!(state.vault_dir(), tmp.path().join("restored"));

        let config = tmp.path().join("config");
        assert_eq!(read_vault_location(&config), None, "nothing remembered yet");
        remember_vault_location(&config, &tmp.path().join("restored")).unwrap();
        assert_eq!(
            read_vault_location(&config),
            Some(tmp.path().join("restored"))
        );
        remember_vault_location(&config, &tmp.path().join("again")).unwrap();
        assert_eq!(read_vault_location(&config), Some(tmp.path().join("again")));
        assert!(!config.join("vault-location.new").exists());

        std::fs::write(config.join(VAULT_LOCATION_FILE), "relative/folder\n").unwrap();
        assert_eq!(
            read_vault_location(&config),
            None,
            "only a full path counts"
        );
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
