//! End-to-end: backups through the real window and the real GTK dialogs (driven with `xdotool`,
//! as in `attachments.rs`): a backup folder is chosen, a backup made and listed; then, locked, the
//! backup is restored from the lock screen into a new folder, which the app then uses; and a lock
//! when a backup is due makes one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use casenotes::domain::clients;
use casenotes::export::backup::{self, BackupSettings};
use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Vault};

use super::attachments::{focus_dialog, wait_until_closed};
use super::{
    app_pid, reopen, temp_vault, wait_for_text_containing, windows_titled, xdotool, App,
    PASSPHRASE, WAIT,
};

const FOLDER_TITLE: &str = "Choose a folder for your backups";
const FILE_TITLE: &str = "Choose a casenotes backup";
const RESTORE_TO_TITLE: &str = "Choose an empty folder for the restored vault";

/// Chooses `backups` as the backup folder of `vault`, with no backup made yet: one is due.
fn backups_due(vault: &Path, backups: &Path) {
    let mut session = reopen(vault);
    backup::configure(
        &mut session,
        &BackupSettings {
            folder: Some(backups.display().to_string()),
            every_hours: 24,
            keep: 10,
            on_lock: true,
        },
    )
    .unwrap();
    session.lock().unwrap();
}

/// A vault made by the core holding two clients, locked.
fn vault_with_two_clients(vault: &Path) {
    let created = Vault::create(vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    for (given, family) in [("Oriel", "Vantongeren"), ("Tamsin", "Ashcombe")] {
        clients::add(&mut session, clients::ClientDetails::named(given, family)).unwrap();
    }
    session.lock().unwrap();
}

/// In a GTK file or folder dialog: Ctrl+L opens the location field; the full path and Return
/// choose it. A folder chooser may first open the folder typed, so Return is pressed again while
/// the dialog stays open.
async fn choose_path(app: &App, title: &str, path: &Path) {
    focus_dialog(app, title).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    for _ in 0..3 {
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline && !windows_titled(title).is_empty() {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        match windows_titled(title).pop() {
            None => break,
            Some(id) => {
                xdotool(&["windowfocus", "--sync", &id]);
                xdotool(&["key", "Return"]);
            }
        }
    }
    wait_until_closed(app, title).await;
}

/// Every file under `dir` with its bytes, to show that a folder was left exactly as it was.
fn contents(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else {
                out.insert(
                    path.strip_prefix(dir).unwrap().to_owned(),
                    std::fs::read(&path).unwrap(),
                );
            }
        }
    }
    out
}

fn backup_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cnbak"))
        .collect();
    files.sort();
    files
}

fn client_names(session: &Session) -> Vec<String> {
    let mut names: Vec<String> = clients::list(session, None)
        .unwrap()
        .into_iter()
        .map(|c| format!("{} {}", c.details.given_name, c.details.family_name))
        .collect();
    names.sort();
    names
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn back_up_to_a_chosen_folder_then_restore_from_the_lock_screen_into_a_new_folder() {
    let (tmp, vault) = temp_vault();
    vault_with_two_clients(&vault);
    let backups = tmp.path().join("backup drive");
    std::fs::create_dir(&backups).unwrap();
    let restored = tmp.path().join("restored vault");
    std::fs::create_dir(&restored).unwrap();
    // The remembered vault folder goes to XDG_CONFIG_HOME; GTK's recent files to XDG_DATA_HOME.
    let config_home = tmp.path().join("config-home");
    let data_home = tmp.path().join("data-home");
    std::fs::create_dir_all(&data_home).unwrap();
    let app = App::launch(
        &vault,
        &[
            ("XDG_CONFIG_HOME", config_home.to_str().unwrap()),
            ("XDG_DATA_HOME", data_home.to_str().unwrap()),
        ],
    )
    .await;
    app.unlock_to_home().await;
    wait_for_text_containing(&app, "home-backup-warning", "not set up").await;

    // Choose the folder through the real GTK folder dialog, then back up now.
    app.click("nav-settings").await;
    wait_for_text_containing(&app, "backup-folder", "None chosen yet").await;
    app.click("backup-choose-folder").await;
    choose_path(&app, FOLDER_TITLE, &backups).await;
    wait_for_text_containing(&app, "backup-folder", &backups.display().to_string()).await;
    app.click("backup-now").await;
    let result = wait_for_text_containing(&app, "backup-result", "Backed up and checked").await;
    assert!(result.contains("2 clients"), "{result}");
    let files = backup_files(&backups);
    assert_eq!(files.len(), 1, "one backup in the folder: {files:?}");
    let file_name = files[0].file_name().unwrap().to_str().unwrap().to_owned();
    assert!(
        file_name.starts_with("casenotes-") && result.contains(&file_name),
        "{file_name} / {result}"
    );
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-testid='backup-row']"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1, "the backup is listed");
    let counts = app.text_of("backup-row-counts").await;
    assert!(
        counts.starts_with("2 clients, 0 notes"),
        "the list shows what it holds: {counts}"
    );
    let made = app.text_of("backup-row-made").await;
    assert!(made.contains(" at "), "a date and a 24-hour time: {made}");
    app.shot("70-backup-made").await;

    app.click("nav-home").await;
    let line = wait_for_text_containing(&app, "home-backup", "Last backup: ").await;
    assert_eq!(line, format!("Last backup: {made}"));

    // Lock (a backup was just made, so none is due), then restore from the lock screen.
    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    assert_eq!(backup_files(&backups).len(), 1, "no second backup on lock");
    let before = contents(&vault);

    app.click("show-restore").await;
    app.click("restore-choose-file").await;
    choose_path(&app, FILE_TITLE, &files[0]).await;
    let info = wait_for_text_containing(&app, "restore-file-info", &file_name).await;
    assert!(info.contains("2 clients"), "{info}");
    app.type_into("restore-secret", PASSPHRASE).await;
    app.click("restore-target-other").await;
    app.shot("71-restore-from-lock-screen").await;
    app.click("restore-submit").await;
    choose_path(&app, RESTORE_TO_TITLE, &restored).await;

    // The restored vault opens, says what came back, and is the one the app now uses.
    let said = wait_for_text_containing(&app, "home-restored", "Restored the backup").await;
    assert!(said.contains("2 clients"), "{said}");
    assert!(said.contains(&restored.display().to_string()), "{said}");
    let status = app.wait_for_text("vault-status").await;
    assert!(
        status.contains(&restored.display().to_string()),
        "the app uses the restored folder: {status}"
    );
    app.shot("72-restored").await;
    app.click("nav-clients").await;
    app.wait_for("open-client-C-0001").await;
    app.wait_for("open-client-C-0002").await;
    let page = app.page_contents().await;
    assert!(page.contains("Vantongeren") && page.contains("Ashcombe"));
    app.quit().await;

    // On disk: the new folder holds the vault, the old one is exactly as it was, and the choice
    // is remembered for the next start.
    assert!(restored.join("vault.toml").exists());
    assert!(restored.join("casenotes.db").exists());
    assert_eq!(contents(&vault), before, "the old vault was not touched");
    let remembered =
        std::fs::read_to_string(config_home.join("casenotes").join("vault-location")).unwrap();
    assert_eq!(remembered.trim_end(), restored.display().to_string());
    let recent = std::fs::read_to_string(data_home.join("recently-used.xbel")).unwrap_or_default();
    assert!(!recent.contains("cnbak"), "a backup went into recent files");

    for dir in [&vault, &restored] {
        let session = reopen(dir);
        assert_eq!(
            client_names(&session),
            ["Oriel Vantongeren", "Tamsin Ashcombe"]
        );
        session.verify_audit().unwrap();
        session.lock().unwrap();
    }
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn locking_makes_a_backup_when_one_is_due() {
    let (tmp, vault) = temp_vault();
    vault_with_two_clients(&vault);
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    backups_due(&vault, &backups);
    // Letters and scans enough that the backup outlasts the page's reload, so the lock screen
    // can be seen saying so.
    let mut session = reopen(&vault);
    let client = clients::id_for(&session, "C-0001").unwrap();
    for n in 0..3u8 {
        let scan = tmp.path().join(format!("scan-{n}.pdf"));
        let mut bytes = b"%PDF-1.4\n".to_vec();
        bytes.extend(
            (0..20 * 1024 * 1024u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 ^ n),
        );
        std::fs::write(&scan, bytes).unwrap();
        casenotes::domain::attachments::add_file(&mut session, client, None, &scan).unwrap();
    }
    session.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.wait_for("home-backup-warning").await;
    app.mark_page().await;
    let started = Instant::now();
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    // The lock screen shows at once, saying a backup is being made. (Five seconds leaves room for
    // a loaded machine; the backup of 60 MB takes longer, and the text below must still say so.)
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the lock screen waited for the backup: {:?}",
        started.elapsed()
    );
    let saying = app.text_of("lock-backing-up").await;
    assert!(saying.starts_with("Backing up…"), "{saying}");
    app.shot("73-backing-up-on-lock").await;

    // Unlock while it is still running: the unlock waits for the backup and the lock to finish,
    // and Home then shows the backup.
    assert!(
        backup_files(&backups).is_empty(),
        "the backup is still being made"
    );
    app.unlock_with(PASSPHRASE).await;
    let line = wait_for_text_containing(&app, "home-backup", "Last backup: ").await;
    assert!(line.contains(" at "), "{line}");
    app.shot("74-home-after-backup-on-lock").await;
    app.quit().await;

    let listed = backup::list(&backups).unwrap();
    assert_eq!(listed.len(), 1, "exactly one backup: {listed:?}");
    assert_eq!(listed[0].counts.clients, 2);
    let session = reopen(&vault);
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    // (Ending the WebDriver session stops the app without a lock of its own.)
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        [
            "backup_made",
            "vault_locked",
            "vault_unlocked",
            "vault_unlocked"
        ],
        "backed up, then locked, then the app's unlock; the last is this check's own: {actions:?}"
    );
    session.verify_audit().unwrap();
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn on_a_new_computer_the_first_run_screen_restores_a_backup_with_the_recovery_key() {
    let (tmp, vault) = temp_vault();
    // The old computer's vault and its backup; this app's folder does not exist yet.
    let old = tmp.path().join("old computer");
    let created = Vault::create(&old, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let recovery_key = created.recovery_key.expose().to_owned();
    let mut session = created.session;
    clients::add(
        &mut session,
        clients::ClientDetails::named("Oriel", "Vantongeren"),
    )
    .unwrap();
    let backups = tmp.path().join("backup drive");
    std::fs::create_dir(&backups).unwrap();
    let made = session.back_up(&backups, 10, &mut |_| {}).unwrap();
    session.lock().unwrap();
    let config_home = tmp.path().join("config-home");

    let app = App::launch(
        &vault,
        &[("XDG_CONFIG_HOME", config_home.to_str().unwrap())],
    )
    .await;
    app.wait_for("first-run").await;
    app.click("first-run-restore").await;
    app.click("restore-choose-file").await;
    choose_path(&app, FILE_TITLE, Path::new(&made.path)).await;
    wait_for_text_containing(&app, "restore-file-info", "1 client,").await;
    app.type_into("restore-secret", &recovery_key).await;
    // "Into the folder this app uses" is the default.
    app.shot("75-first-run-restore").await;
    app.click("restore-submit").await;
    let said = wait_for_text_containing(&app, "home-restored", "Restored the backup").await;
    assert!(said.contains("1 client,"), "{said}");
    assert!(
        !said.contains("kept, unchanged"),
        "nothing was moved aside: {said}"
    );
    app.click("nav-clients").await;
    app.wait_for("open-client-C-0001").await;
    app.quit().await;

    assert!(vault.join("vault.toml").exists());
    assert!(
        !config_home
            .join("casenotes")
            .join("vault-location")
            .exists(),
        "the app's own folder needs no remembering"
    );
    let session = reopen(&vault);
    assert_eq!(client_names(&session), ["Oriel Vantongeren"]);
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn quitting_makes_a_due_backup_and_waits_for_it_before_the_app_exits() {
    let (tmp, vault) = temp_vault();
    vault_with_two_clients(&vault);
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    backups_due(&vault, &backups);

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    // As at log-out or shutdown.
    let pid = app_pid(&vault).expect("the app's process");
    // SAFETY: kill(2) on the app this test started; no memory is touched.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let deadline = Instant::now() + WAIT;
    while app_pid(&vault).is_some() {
        assert!(Instant::now() < deadline, "the app did not quit on SIGTERM");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.quit().await;

    // One whole, verified backup, nothing half-written left beside it, and the vault locked after
    // the backup was recorded.
    let names: Vec<String> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let listed = backup::list(&backups).unwrap();
    assert_eq!(listed.len(), 1, "{names:?}");
    assert_eq!(listed[0].counts.clients, 2);
    let session = reopen(&vault);
    let actions: Vec<String> = casenotes::audit::list(session.conn().unwrap(), None)
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    let tail: Vec<&str> = actions
        .iter()
        .rev()
        .take(3)
        .rev()
        .map(String::as_str)
        .collect();
    assert_eq!(
        tail,
        ["backup_made", "vault_locked", "vault_unlocked"],
        "backed up, then locked (the last entry is this check's own unlock): {actions:?}"
    );
    session.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn the_app_starts_on_the_folder_remembered_after_a_restore_unless_casenotes_vault_says_otherwise(
) {
    let (tmp, remembered) = temp_vault();
    vault_with_two_clients(&remembered);
    let config_home = tmp.path().join("config-home");
    std::fs::create_dir_all(config_home.join("casenotes")).unwrap();
    std::fs::write(
        config_home.join("casenotes").join("vault-location"),
        format!("{}\n", remembered.display()),
    )
    .unwrap();
    // Without CASENOTES_VAULT (empty counts as unset) the default would be under XDG_DATA_HOME.
    let data_home = tmp.path().join("data-home");
    std::fs::create_dir_all(&data_home).unwrap();
    let app = App::launch(
        &remembered,
        &[
            ("CASENOTES_VAULT", ""),
            ("XDG_CONFIG_HOME", config_home.to_str().unwrap()),
            ("XDG_DATA_HOME", data_home.to_str().unwrap()),
        ],
    )
    .await;
    app.unlock_to_home().await;
    let status = app.wait_for_text("vault-status").await;
    assert!(
        status.contains(&remembered.display().to_string()),
        "the remembered folder: {status}"
    );
    app.quit().await;
    assert!(
        !data_home.join("casenotes").join("vault").exists(),
        "nothing was made in the default folder"
    );

    // CASENOTES_VAULT still wins: a folder with no vault shows the first-run screen.
    let elsewhere = tmp.path().join("elsewhere");
    let app = App::launch(
        &elsewhere,
        &[("XDG_CONFIG_HOME", config_home.to_str().unwrap())],
    )
    .await;
    app.wait_for("first-run").await;
    app.quit().await;
}
