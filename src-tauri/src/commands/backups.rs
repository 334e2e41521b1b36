//! Backup commands: the backup folder and settings, "Back up now", the list of backups, and
//! restoring one from the lock screen or the first-run screen. Thin wrappers over
//! `casenotes::export::backup`, which takes the snapshot, writes and verifies the file, rotates old
//! ones away, restores, and writes the audit entries and the last-backup state.
//!
//! The page never sends a path: the backup folder, the backup file to restore and the folder to
//! restore into are all chosen in the platform's own dialogs, shown from here (as the attachment
//! dialogs are), and the chosen file is kept in [`AppState`] until `restore_backup` uses it.
//!
//! Backing up and restoring take seconds, so they run on a blocking thread, never the main thread,
//! and report their progress to the page with the [`PROGRESS_EVENT`]. A backup made when the vault
//! locks (see `lock.rs`) also ends with the [`FINISHED_EVENT`], for the lock screen. Secrets (the
//! passphrase or recovery key that opens a backup) arrive in zeroizing buffers and go straight to
//! the core; no error or event carries one, nor anything clinical.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use casenotes::export::backup::{
    self, BackupInfo, BackupMade, BackupSettings, BackupStatus, Progress, Restored,
};
use casenotes::secret::{Passphrase, RecoveryKey};
use casenotes::vault::{Session, Unlock};
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::attachments::{file_dialog, show};
use crate::error::{IpcError, IpcResult};
use crate::lock;
use crate::state::{self, AppState};

/// Progress of a backup or a restore, as the core's `Progress`.
pub const PROGRESS_EVENT: &str = "backup-progress";
/// The end of a backup made when the vault locked (a [`BackupFinished`]).
pub const FINISHED_EVENT: &str = "backup-finished";
/// Progress is sent to the page at most this often (and at every change of stage).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

#[derive(Deserialize, TS)]
pub struct BackupSettingsArgs {
    /// Back up on lock or quit when the last good backup is older than this (1 to 720 hours).
    pub every_hours: u32,
    /// How many backups to keep in the folder (1 to 100).
    pub keep: u32,
    /// Back up automatically when casenotes locks or quits.
    pub on_lock: bool,
}

/// Where `restore_backup` puts the restored vault.
#[derive(Debug, Clone, Copy, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RestoreTarget {
    /// The folder this app uses; a vault already there is moved aside, never deleted.
    ThisAppsFolder,
    /// An empty or new folder chosen in the native dialog; the app then uses that folder.
    AnotherFolder,
}

#[derive(Deserialize, TS)]
pub struct RestoreArgs {
    /// The passphrase in use when the backup was made, or the recovery key.
    #[ts(type = "string")]
    pub secret: Zeroizing<String>,
    pub target: RestoreTarget,
}

/// The payload of [`FINISHED_EVENT`]: how the backup made on lock went, in plain English.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BackupFinished {
    pub ok: bool,
    pub message: String,
}

/// Backup settings, the last backup's time and result, and any warning (no good backup for 7
/// days, the folder missing).
#[tauri::command]
pub async fn backup_status(state: State<'_, AppState>) -> IpcResult<BackupStatus> {
    state.with_session(|s| backup::status(s))
}

/// Saves "back up automatically", its interval and how many to keep; the folder is kept as it is
/// (only `choose_backup_folder` changes it).
#[tauri::command]
pub async fn set_backup_settings(
    state: State<'_, AppState>,
    args: BackupSettingsArgs,
) -> IpcResult<BackupStatus> {
    apply_settings(&state, &args)
}

/// Shows the native folder picker and makes the chosen folder the backup folder. `null` when the
/// practitioner cancels.
#[tauri::command]
pub async fn choose_backup_folder(
    app: AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Option<BackupStatus>> {
    let current = state.with_session(|s| Ok(backup::status(s)?.settings.folder))?;
    let mut dialog = file_dialog(&app).set_title("Choose a folder for your backups");
    if let Some(dir) = current.map(PathBuf::from).filter(|d| d.is_dir()) {
        dialog = dialog.set_directory(dir);
    }
    let Some(dir) = show(dialog, FileDialogBuilder::blocking_pick_folder).await? else {
        return Ok(None);
    };
    use_folder(&state, &dir).map(Some)
}

/// Backs up to the chosen folder now, with progress; answers what was written and which old
/// backups were removed.
#[tauri::command]
pub async fn back_up_now(app: AppHandle) -> IpcResult<BackupMade> {
    on_a_blocking_thread(app, |app| {
        let state = app.state::<AppState>();
        back_up_now_in(&state, &mut progress_to_page(app))
    })
    .await
}

/// The backups in the chosen folder, newest first (read from their manifests; nothing is
/// decrypted). Empty when no folder is chosen.
#[tauri::command]
pub async fn list_backups(state: State<'_, AppState>) -> IpcResult<Vec<BackupInfo>> {
    list_in_folder(&state)
}

/// Whether a lock is making a backup right now. Readable while locked: the lock screen asks once
/// it listens for the events, so it shows "Backing up…" even when the backup began before the
/// page had loaded.
#[tauri::command]
pub async fn backup_running(state: State<'_, AppState>) -> IpcResult<bool> {
    Ok(state.backing_up())
}

/// Shows the native "open" dialog for a `.cnbak` file and answers what it holds (date, counts),
/// read from its manifest without any secret. Works while locked. `null` when cancelled.
#[tauri::command]
pub async fn choose_backup_file(
    app: AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Option<BackupInfo>> {
    let dialog = file_dialog(&app)
        .set_title("Choose a casenotes backup")
        .add_filter("casenotes backups", &[backup::FILE_EXTENSION]);
    let Some(file) = show(dialog, FileDialogBuilder::blocking_pick_file).await? else {
        return Ok(None);
    };
    let info = describe(&file)?;
    state.choose_backup(file);
    Ok(Some(info))
}

/// Restores the chosen backup with the passphrase of its day or the recovery key, into this
/// app's folder (the vault there moved aside) or into an empty folder picked now in the native
/// dialog (the app then uses that folder, this run and the next). Answers what was restored, with
/// the vault open; `null` when the folder dialog is cancelled. Refused while the vault is unlocked.
#[tauri::command]
pub async fn restore_backup(
    app: AppHandle,
    state: State<'_, AppState>,
    args: RestoreArgs,
) -> IpcResult<Option<Restored>> {
    if state.is_unlocked() {
        return Err(vault_is_open());
    }
    let file = state.chosen_backup().ok_or_else(no_backup_chosen)?;
    // A mistyped recovery key is reported before any dialog opens.
    let secret = Secret::from_typed(args.secret)?;
    let target = match args.target {
        RestoreTarget::ThisAppsFolder => Target::ThisAppsFolder,
        RestoreTarget::AnotherFolder => {
            let dialog =
                file_dialog(&app).set_title("Choose an empty folder for the restored vault");
            match show(dialog, FileDialogBuilder::blocking_pick_folder).await? {
                Some(dir) => Target::Folder(dir),
                None => return Ok(None),
            }
        }
    };
    let restored = on_a_blocking_thread(app.clone(), move |app| {
        let state = app.state::<AppState>();
        let remember_in = state::config_dir();
        restore_into(
            &state,
            &file,
            &secret,
            target,
            remember_in.as_deref(),
            &mut progress_to_page(app),
        )
    })
    .await?;
    lock::set_unlocked_title(&app);
    Ok(Some(restored))
}

/// Whether a lock should make a backup first (see `lock.rs`). An error reading the settings
/// counts as "no": it must never stop the lock.
pub fn due_on_lock(session: &Session) -> bool {
    backup::due(session).unwrap_or(false)
}

/// The backup made while the vault locks. Its failure is recorded by the core (shown on Home at
/// the next unlock) and told to the lock screen; it never stops the lock.
pub fn back_up_on_lock(app: &AppHandle, session: &mut Session) {
    let state = app.state::<AppState>();
    state.set_backing_up(true);
    let outcome = backup::back_up_configured(session, &mut progress_to_page(app));
    state.set_backing_up(false);
    let finished = match outcome {
        Ok(made) => BackupFinished {
            ok: true,
            message: format!("Backed up to {}.", made.file_name),
        },
        Err(e) => BackupFinished {
            ok: false,
            message: format!(
                "The automatic backup did not work: {} casenotes is locked as usual.",
                e
            ),
        },
    };
    let _ = app.emit(FINISHED_EVENT, finished);
}

/// A passphrase or a recovery key, told apart by the recovery key's fixed beginning.
pub enum Secret {
    Passphrase(Passphrase),
    RecoveryKey(RecoveryKey),
}

impl Secret {
    pub fn from_typed(text: Zeroizing<String>) -> IpcResult<Secret> {
        let trimmed = text.trim();
        let looks_like_a_key = trimmed
            .get(..RECOVERY_KEY_PREFIX.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(RECOVERY_KEY_PREFIX));
        if looks_like_a_key {
            Ok(Secret::RecoveryKey(RecoveryKey::parse(trimmed)?))
        } else {
            Ok(Secret::Passphrase(Passphrase::new(text)))
        }
    }

    fn unlock(&self) -> Unlock<'_> {
        match self {
            Secret::Passphrase(p) => Unlock::Passphrase(p),
            Secret::RecoveryKey(k) => Unlock::RecoveryKey(k),
        }
    }
}

const RECOVERY_KEY_PREFIX: &str = "AGE-SECRET-KEY-1";

/// Where a restore goes, once any dialog has been answered.
pub enum Target {
    ThisAppsFolder,
    Folder(PathBuf),
}

/// The part of `set_backup_settings` that asks the core.
pub fn apply_settings(state: &AppState, args: &BackupSettingsArgs) -> IpcResult<BackupStatus> {
    state.with_session(|s| {
        let folder = backup::status(s)?.settings.folder;
        backup::configure(
            s,
            &BackupSettings {
                folder,
                every_hours: args.every_hours,
                keep: args.keep,
                on_lock: args.on_lock,
            },
        )?;
        backup::status(s)
    })
}

/// The part of `choose_backup_folder` after the dialog.
pub fn use_folder(state: &AppState, dir: &Path) -> IpcResult<BackupStatus> {
    let folder = dir
        .to_str()
        .ok_or_else(|| {
            IpcError::invalid_setting(
                "casenotes cannot use a folder whose name is not plain text. Choose or make another folder.",
            )
        })?
        .to_owned();
    state.with_session(|s| {
        let mut settings = backup::status(s)?.settings;
        settings.folder = Some(folder);
        backup::configure(s, &settings)?;
        backup::status(s)
    })
}

/// The part of `back_up_now` that asks the core. Holds the session for the backup's few seconds.
pub fn back_up_now_in(
    state: &AppState,
    progress: &mut dyn FnMut(Progress),
) -> IpcResult<BackupMade> {
    state.with_session(|s| backup::back_up_configured(s, progress))
}

/// The part of `list_backups`: the folder is read under the session, the files without it.
pub fn list_in_folder(state: &AppState) -> IpcResult<Vec<BackupInfo>> {
    let folder = state.with_session(|s| Ok(backup::status(s)?.settings.folder))?;
    match folder {
        Some(dir) => Ok(backup::list(Path::new(&dir))?),
        None => Ok(Vec::new()),
    }
}

/// What a chosen backup file holds, from its manifest (no secret; a file that is not a backup,
/// or is damaged, is refused here, before any passphrase is asked for).
pub fn describe(file: &Path) -> IpcResult<BackupInfo> {
    Ok(backup::info(file)?)
}

/// The part of `restore_backup` after the dialogs. Runs whole under the lock guard, so that no
/// lock (or quit) starts while the vault folder is being replaced, then opens the restored vault.
/// With another folder, the app switches to it and remembers it in `remember_in` (the OS config
/// folder; `None` in tests).
pub fn restore_into(
    state: &AppState,
    file: &Path,
    secret: &Secret,
    target: Target,
    remember_in: Option<&Path>,
    progress: &mut dyn FnMut(Progress),
) -> IpcResult<Restored> {
    let _no_lock_meanwhile = state.locking.lock().unwrap_or_else(|p| p.into_inner());
    if state.is_unlocked() {
        return Err(vault_is_open());
    }
    let (to, replace, switch) = match target {
        // The core moves only a vault aside (never deletes it); other files in the folder are
        // refused, and an empty or missing folder simply receives the restored vault.
        Target::ThisAppsFolder => (state.vault_dir(), true, false),
        Target::Folder(dir) => (dir, false, true),
    };
    let (restored, session) = backup::restore(file, secret.unlock(), &to, replace, progress)?;
    if switch {
        state.switch_vault_dir(to.clone());
        if let Some(config) = remember_in {
            if let Err(e) = state::remember_vault_location(config, &to) {
                // Not fatal: the vault is open; the next start would ask about the usual folder.
                eprintln!(
                    "casenotes: could not remember the restored vault's folder for the next start ({})",
                    e.kind()
                );
            }
        }
    }
    state.open(session, true)?;
    Ok(restored)
}

/// Sends progress to the page: every change of stage, and otherwise at most every
/// [`PROGRESS_EVERY`], so a large vault does not flood the window with events.
pub(crate) fn progress_to_page(app: &AppHandle) -> impl FnMut(Progress) + '_ {
    let mut last: Option<(std::mem::Discriminant<backup::Stage>, Instant)> = None;
    move |p: Progress| {
        let stage = std::mem::discriminant(&p.stage);
        let now = Instant::now();
        let send = match last {
            None => true,
            Some((s, at)) => s != stage || p.done >= p.total || now - at >= PROGRESS_EVERY,
        };
        if send {
            last = Some((stage, now));
            let _ = app.emit(PROGRESS_EVENT, p);
        }
    }
}

/// Runs slow work off the main thread and off the async runtime's workers.
async fn on_a_blocking_thread<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(|_| {
            IpcError::internal("The backup or restore stopped unexpectedly. Please try again.")
        })?
}

fn vault_is_open() -> IpcError {
    IpcError {
        kind: "vault_unlocked".to_owned(),
        message: "Lock casenotes before restoring a backup.".to_owned(),
    }
}

fn no_backup_chosen() -> IpcError {
    IpcError {
        kind: "no_backup_chosen".to_owned(),
        message: "Choose the backup file to restore first.".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use casenotes::domain::clients::{self, ClientDetails};
    use casenotes::vault::Vault;

    use super::*;

    const PASSPHRASE: &str = "twelve chars or more";

    fn typed(text: &str) -> Zeroizing<String> {
        Zeroizing::new(text.to_owned())
    }

    /// An unlocked state on `dir/vault` holding two clients; answers the recovery key.
    fn unlocked(dir: &Path) -> (AppState, String) {
        let created = Vault::create(
            &dir.join("vault"),
            &Passphrase::from_str_for_tests(PASSPHRASE),
        )
        .unwrap();
        let mut session = created.session;
        clients::add(&mut session, ClientDetails::named("Ann", "Example")).unwrap();
        clients::add(&mut session, ClientDetails::named("Bo", "Sample")).unwrap();
        let state = AppState::new(dir.join("vault"), None);
        state.open(session, true).unwrap();
        (state, created.recovery_key.expose().to_owned())
    }

    fn lock(state: &AppState) {
        state.take_session().unwrap().lock().unwrap();
    }

    fn no_progress() -> impl FnMut(Progress) {
        |_| {}
    }

    /// A state with one backup made in `dir/backups`; locked again. Answers the backup file.
    fn backed_up(dir: &Path) -> (AppState, String, PathBuf) {
        let (state, recovery_key) = unlocked(dir);
        std::fs::create_dir(dir.join("backups")).unwrap();
        use_folder(&state, &dir.join("backups")).unwrap();
        let made = back_up_now_in(&state, &mut no_progress()).unwrap();
        lock(&state);
        (state, recovery_key, PathBuf::from(made.path))
    }

    #[test]
    fn back_up_now_needs_a_folder_then_writes_a_listed_backup() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, _) = unlocked(tmp.path());
        let refused = back_up_now_in(&state, &mut no_progress()).unwrap_err();
        assert!(refused.message.contains("No backup folder"), "{refused:?}");
        assert!(list_in_folder(&state).unwrap().is_empty());

        let folder = tmp.path().join("usb drive");
        std::fs::create_dir(&folder).unwrap();
        let status = use_folder(&state, &folder).unwrap();
        assert_eq!(
            status.settings.folder.as_deref(),
            Some(folder.to_str().unwrap())
        );
        let mut stages = 0;
        let made = back_up_now_in(&state, &mut |_| stages += 1).unwrap();
        assert!(stages > 0, "progress was reported");
        assert!(made.file_name.ends_with(".cnbak"), "{}", made.file_name);
        assert_eq!(made.counts.clients, 2);

        let listed = list_in_folder(&state).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].file_name, made.file_name);
        assert_eq!(describe(Path::new(&made.path)).unwrap().counts.clients, 2);
        let status = state.with_session(|s| backup::status(s)).unwrap();
        assert_eq!(
            status.last_good_at.as_deref(),
            Some(made.created_at.as_str())
        );
    }

    #[test]
    fn settings_keep_the_folder_and_the_core_checks_the_ranges() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, _) = unlocked(tmp.path());
        use_folder(&state, tmp.path()).unwrap();
        let args = |every_hours, keep| BackupSettingsArgs {
            every_hours,
            keep,
            on_lock: false,
        };
        let status = apply_settings(&state, &args(6, 3)).unwrap();
        assert_eq!(
            (
                status.settings.every_hours,
                status.settings.keep,
                status.settings.on_lock
            ),
            (6, 3, false)
        );
        assert_eq!(
            status.settings.folder.as_deref(),
            Some(tmp.path().to_str().unwrap())
        );
        assert!(apply_settings(&state, &args(0, 3)).is_err());
        assert!(apply_settings(&state, &args(6, 0)).is_err());
        assert!(apply_settings(&state, &args(6, 101)).is_err());
    }

    #[test]
    fn a_restore_into_another_folder_opens_it_and_remembers_it() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, _, file) = backed_up(tmp.path());
        let config = tmp.path().join("config");
        let elsewhere = tmp.path().join("restored");
        let restored = restore_into(
            &state,
            &file,
            &Secret::from_typed(typed(PASSPHRASE)).unwrap(),
            Target::Folder(elsewhere.clone()),
            Some(&config),
            &mut no_progress(),
        )
        .unwrap();
        assert_eq!(restored.counts.clients, 2);
        assert_eq!(restored.moved_aside, None);
        assert_eq!(state.vault_dir(), elsewhere);
        assert_eq!(state::read_vault_location(&config), Some(elsewhere.clone()));
        assert!(state.is_unlocked(), "the restored vault is open");
        let listed = state
            .with_session(|s| clients::list(s, Default::default()))
            .unwrap();
        assert_eq!(listed.len(), 2);
        // The vault the backup came from is where it was, and still opens.
        Vault::open(&tmp.path().join("vault"))
            .unwrap()
            .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
                PASSPHRASE,
            )))
            .unwrap()
            .lock()
            .unwrap();
    }

    #[test]
    fn a_restore_with_the_recovery_key_over_this_apps_vault_moves_it_aside() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, recovery_key, file) = backed_up(tmp.path());
        let restored = restore_into(
            &state,
            &file,
            &Secret::from_typed(typed(&format!(" {recovery_key}\n"))).unwrap(),
            Target::ThisAppsFolder,
            None,
            &mut no_progress(),
        )
        .unwrap();
        let aside = PathBuf::from(restored.moved_aside.expect("the old vault moved aside"));
        assert!(aside.join("vault.toml").exists(), "kept, not deleted");
        assert_eq!(state.vault_dir(), tmp.path().join("vault"));
        assert!(state.is_unlocked());
    }

    #[test]
    fn on_a_new_computer_a_restore_fills_this_apps_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let (_, recovery_key, file) = backed_up(tmp.path());
        let fresh = AppState::new(tmp.path().join("new computer").join("vault"), None);
        let restored = restore_into(
            &fresh,
            &file,
            &Secret::from_typed(typed(&recovery_key)).unwrap(),
            Target::ThisAppsFolder,
            None,
            &mut no_progress(),
        )
        .unwrap();
        assert_eq!(restored.moved_aside, None, "nothing was there to move");
        assert!(tmp
            .path()
            .join("new computer")
            .join("vault")
            .join("vault.toml")
            .exists());
        assert!(fresh.is_unlocked());
    }

    #[test]
    fn a_wrong_secret_or_an_open_vault_restores_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, _, file) = backed_up(tmp.path());
        let elsewhere = tmp.path().join("restored");
        let wrong = restore_into(
            &state,
            &file,
            &Secret::from_typed(typed("not the passphrase at all")).unwrap(),
            Target::Folder(elsewhere.clone()),
            None,
            &mut no_progress(),
        )
        .unwrap_err();
        assert_eq!(wrong.kind, "wrong_passphrase", "{wrong:?}");
        assert!(!state.is_unlocked());
        assert_eq!(state.vault_dir(), tmp.path().join("vault"));
        assert!(!elsewhere.join("vault.toml").exists());

        assert_eq!(
            Secret::from_typed(typed("AGE-SECRET-KEY-1 but not a key"))
                .err()
                .unwrap()
                .kind,
            "malformed_recovery_key"
        );

        let session = Vault::open(&tmp.path().join("vault"))
            .unwrap()
            .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
                PASSPHRASE,
            )))
            .unwrap();
        state.open(session, true).unwrap();
        let refused = restore_into(
            &state,
            &file,
            &Secret::from_typed(typed(PASSPHRASE)).unwrap(),
            Target::ThisAppsFolder,
            None,
            &mut no_progress(),
        )
        .unwrap_err();
        assert_eq!(refused.kind, "vault_unlocked");
    }

    #[test]
    fn every_backup_command_body_that_needs_the_vault_answers_locked() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        let args = BackupSettingsArgs {
            every_hours: 24,
            keep: 10,
            on_lock: true,
        };
        assert_eq!(apply_settings(&state, &args).unwrap_err().kind, "locked");
        assert_eq!(use_folder(&state, tmp.path()).unwrap_err().kind, "locked");
        assert_eq!(
            back_up_now_in(&state, &mut no_progress()).unwrap_err().kind,
            "locked"
        );
        assert_eq!(list_in_folder(&state).unwrap_err().kind, "locked");
    }
}
