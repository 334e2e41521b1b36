//! End-to-end: retention through the real window. A vault prepared by the core holds a client
//! whose therapy ended in 2012 (a signed note with a canary word), one on legal hold and one who
//! ended recently, and a backup made before any destruction. Home points to the Retention screen;
//! the due one can be chosen and the held one cannot; a wrong passphrase destroys nothing; the
//! right one destroys the record, the certificate shows in the register, and the older backup is
//! replaced by a fresh one. Then, with the app gone, the core finds no trace of the client.

use std::path::{Path, PathBuf};

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::export::backup::{self, BackupSettings};
use casenotes::retention::register;
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;
use chrono::NaiveDate;
use serde_json::json;

use super::attachments::{focus_dialog, wait_until_closed};
use super::{reopen, temp_vault, wait_for_text_containing, xdotool, App, PASSPHRASE, WRONG};

const CANARY: &str = "quillwort-bramble-sextant";
const REASON: &str = "Retention period passed; record appraised, no further need";
const SAVE_TITLE: &str = "Save a printable copy of the destruction register";
const FILE_TITLE: &str = "Choose a casenotes backup";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// C-0001 ended in 2012 (due since 1 May 2019, a signed note holding the canary), C-0002 on
/// legal hold, C-0003 ended this year (not listed); backups go to `backups`, where one backup
/// made now already holds all three.
fn prepare(vault: &Path, backups: &Path) {
    let created = Vault::create(vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut s = created.session;
    let today = chrono::Local::now().date_naive();
    let mut ids = Vec::new();
    for (given, family, started, ended, hold) in [
        ("Wilhelmina", "Ashdown", d(2010, 2, 1), d(2012, 5, 1), None),
        (
            "Hollis",
            "Pemberton",
            d(2003, 1, 1),
            d(2005, 1, 1),
            Some("solicitor's letter of 2 May"),
        ),
        ("Rowan", "Fairweather", d(2024, 1, 1), today, None),
    ] {
        let mut details = ClientDetails::named(given, family);
        details.status = ClientStatus::Ended;
        details.therapy_started_on = Some(started);
        details.therapy_ended_on = Some(ended);
        details.legal_hold_reason = hold.map(str::to_owned);
        ids.push(clients::add(&mut s, details).unwrap().id);
    }
    let note = notes::create(&mut s, ids[0], NoteKind::Session, Template::Free, "", false).unwrap();
    notes::save_draft(
        &mut s,
        note.id,
        &format!("Spoke about the {CANARY} and her sister."),
    )
    .unwrap();
    notes::sign(&mut s, note.id).unwrap();
    backup::configure(
        &mut s,
        &BackupSettings {
            folder: Some(backups.display().to_string()),
            every_hours: 24,
            keep: 10,
            on_lock: true,
        },
    )
    .unwrap();
    backup::back_up_configured(&mut s, &mut |_| {}).unwrap();
    s.lock().unwrap();
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

/// In GTK's "save" dialog the name field has the focus, holding the suggested name: replace it
/// with the full path and press Return.
async fn save_as(app: &App, path: &Path) {
    focus_dialog(app, SAVE_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, SAVE_TITLE).await;
}

/// In GTK's "open" dialog: Ctrl+L opens the location field; the full path and Return choose it.
async fn open_file(app: &App, title: &str, path: &Path) {
    focus_dialog(app, title).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+l"]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, title).await;
}

async fn checkbox_enabled(app: &App, testid: &str) -> bool {
    app.wait_for(testid).await.is_enabled().await.unwrap()
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn appraise_and_destroy_a_due_record_with_the_passphrase_then_see_its_certificate() {
    let (tmp, vault) = temp_vault();
    let backups = tmp.path().join("backup drive");
    std::fs::create_dir(&backups).unwrap();
    prepare(&vault, &backups);
    let old_backup = backup_files(&backups);
    assert_eq!(old_backup.len(), 1);
    // Backups are named to the second: destroy in a later second than the old backup.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    wait_for_text_containing(
        &app,
        "home-retention-due",
        "1 record is due for destruction",
    )
    .await;
    app.shot("retention-01-home").await;
    app.audit_a11y("Retention").await;
    app.click("home-retention-due").await;
    app.wait_for("retention").await;

    // The due one can be chosen; the held one is listed with its hold and cannot; the recent
    // one is not listed at all.
    app.wait_for("due-list").await;
    let page = app.page_contents().await;
    assert!(
        page.contains("Wilhelmina Ashdown"),
        "the due client is named"
    );
    assert!(
        page.contains("Due since 1 May 2019"),
        "the due date in words"
    );
    assert!(page.contains("client record (1 note, 0 appointments, 0 attachments)"));
    assert!(
        page.contains("7 years after therapy ended"),
        "the rule in words"
    );
    assert!(
        !page.contains("Fairweather"),
        "the recent client is not due"
    );
    assert!(checkbox_enabled(&app, "due-select-C-0001").await);
    assert!(
        !checkbox_enabled(&app, "due-select-C-0002").await,
        "a record on legal hold cannot be chosen"
    );
    wait_for_text_containing(&app, "due-hold-C-0002", "On legal hold: solicitor's letter").await;
    app.shot("retention-02-due-list").await;

    // A wrong passphrase is refused and destroys nothing.
    app.click("due-select-C-0001").await;
    app.type_into("destroy-reason", REASON).await;
    app.type_into("destroy-passphrase", WRONG).await;
    app.click("destroy-start").await;
    let dialog = app.wait_for("destroy-dialog").await;
    assert!(dialog
        .text()
        .await
        .unwrap()
        .contains("This cannot be undone."));
    app.shot("retention-03-confirm").await;
    app.audit_a11y("the destruction confirmation").await;
    app.click("destroy-confirm").await;
    wait_for_text_containing(&app, "destroy-error", "nothing was destroyed").await;
    let register = app.invoke("destruction_register").await;
    assert_eq!(
        register["ok"]["certificates"],
        json!([]),
        "no certificate: {register}"
    );
    let due = app.invoke("retention_due").await;
    let still: Vec<&str> = due["ok"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["due"] == json!(true))
        .map(|i| i["case_ref"].as_str().unwrap())
        .collect();
    assert_eq!(still, ["C-0001"], "still due after the wrong passphrase");
    app.shot("retention-04-wrong-passphrase").await;

    // The right passphrase destroys it, and the certificate appears.
    assert!(
        app.wait_for("due-select-C-0001")
            .await
            .is_selected()
            .await
            .unwrap(),
        "the choice is kept after a refusal"
    );
    app.type_into("destroy-passphrase", PASSPHRASE).await;
    app.click("destroy-start").await;
    app.click("destroy-confirm").await;
    wait_for_text_containing(&app, "destroyed-certificate", "C-0001 (W.A.)").await;
    wait_for_text_containing(&app, "register-row", "C-0001").await;
    let row = app.text_of("register-row").await;
    assert!(row.contains("W.A.") && row.contains(REASON), "{row}");
    assert!(row.contains("client record (1 note"), "{row}");
    let page = app.page_contents().await;
    assert!(
        !page.contains("Wilhelmina"),
        "the name is gone from the screen"
    );
    assert!(
        !page.contains("Due since 1 May 2019"),
        "no longer in the due list"
    );
    app.shot("retention-05-destroyed").await;

    // A printable copy of the register, saved where the practitioner chooses in the real dialog:
    // case reference, initials and reason; no name, no note.
    let report = tmp.path().join("register.html");
    app.click("register-save").await;
    save_as(&app, &report).await;
    wait_for_text_containing(&app, "register-saved", "register.html").await;
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.contains("C-0001") && html.contains("W.A.") && html.contains(REASON));
    assert!(!html.contains("Wilhelmina") && !html.contains(CANARY));

    // The backup made before still holds the record: replace it with a fresh one.
    wait_for_text_containing(
        &app,
        "backups-holding",
        "1 backup made before now still holds",
    )
    .await;
    app.click("backups-replace").await;
    wait_for_text_containing(&app, "backups-replace-result", "1 older backup was deleted").await;
    app.shot("retention-06-backups-replaced").await;

    // Locking leaves nothing of the screen behind: not the held client's name, not the hold.
    app.mark_page().await;
    app.click("lock-button").await;
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&["Pemberton", "solicitor's letter", REASON])
        .await;
    app.quit().await;

    // On disk, through the core: the client, their note and its words are gone; one certificate.
    let s = reopen(&vault);
    let mut refs: Vec<String> = clients::list(&s, None)
        .unwrap()
        .into_iter()
        .map(|c| c.case_ref)
        .collect();
    refs.sort();
    assert_eq!(refs, ["C-0002", "C-0003"]);
    let certs = register::list(s.conn().unwrap()).unwrap();
    assert_eq!(certs.len(), 1);
    assert_eq!(
        (certs[0].case_ref.as_str(), certs[0].reason.as_str()),
        ("C-0001", REASON)
    );
    assert_eq!(register::verify(s.conn().unwrap()).unwrap(), 1);
    s.verify_audit().unwrap();
    assert!(casenotes::search::search(&s, CANARY).unwrap().is_empty());
    s.lock().unwrap();
    let now = backup_files(&backups);
    assert_eq!(now.len(), 1, "one fresh backup: {now:?}");
    assert_ne!(now, old_backup, "the old backup was replaced");
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn choosing_the_nhs_preset_in_settings_changes_what_is_due() {
    let (tmp, vault) = temp_vault();
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    prepare(&vault, &backups);
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    wait_for_text_containing(&app, "home-retention-due", "1 record is due").await;

    app.click("nav-settings").await;
    wait_for_text_containing(&app, "retention-policy-label", "UK counselling").await;
    wait_for_text_containing(&app, "retention-rules", "7 years after therapy ended").await;
    app.click("retention-preset-nhs_mental_health").await;
    app.click("retention-preset-save").await;
    wait_for_text_containing(
        &app,
        "retention-policy-label",
        "NHS Records Management Code (mental health)",
    )
    .await;
    wait_for_text_containing(&app, "retention-rules", "20 years after therapy ended").await;
    app.shot("retention-settings-nhs").await;

    // Under the NHS code a record whose therapy ended in 2012 is kept until 2032.
    app.click("nav-retention").await;
    app.wait_for("retention").await;
    let page = app.page_contents().await;
    assert!(!page.contains("Wilhelmina"), "no longer listed");
    assert!(page.contains("Hollis Pemberton"), "the held one still is");
    app.click("nav-home").await;
    app.wait_for("home").await;
    app.wait_for("vault-status").await;
    let due = app.invoke("retention_due").await;
    assert!(
        due["ok"]["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["due"] == json!(false)),
        "{due}"
    );
    assert!(!app.present("home-retention-due").await, "nothing due now");
    app.quit().await;

    let s = reopen(&vault);
    assert_eq!(
        casenotes::retention::policy::current(&s)
            .unwrap()
            .client_record_years,
        20
    );
    s.lock().unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn restoring_an_older_backup_destroys_again_what_was_destroyed_since_and_says_so() {
    let (tmp, vault) = temp_vault();
    let backups = tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    prepare(&vault, &backups);
    let old_backup = backup_files(&backups).pop().unwrap();
    // After the backup, C-0001 is destroyed (through the core, as the CLI would).
    let mut s = reopen(&vault);
    let policy = casenotes::retention::policy::current(&s).unwrap();
    casenotes::retention::destroy(
        &mut s,
        &policy,
        &[casenotes::retention::Target::parse("C-0001").unwrap()],
        REASON,
        chrono::Utc::now().date_naive(),
        &mut |_| {},
    )
    .unwrap();
    s.lock().unwrap();

    // From the lock screen, restore the older backup over this app's vault.
    let app = App::launch(&vault, &[]).await;
    app.wait_for("lock-screen").await;
    app.click("show-restore").await;
    app.click("restore-choose-file").await;
    open_file(&app, FILE_TITLE, &old_backup).await;
    wait_for_text_containing(&app, "restore-file-info", "3 clients").await;
    app.type_into("restore-secret", PASSPHRASE).await;
    app.click("restore-target-app").await;
    app.click("restore-submit").await;
    wait_for_text_containing(&app, "home-restored", "Restored the backup").await;
    let said =
        wait_for_text_containing(&app, "home-destroyed-again", "C-0001 (client record)").await;
    assert!(
        said.starts_with("1 record destroyed after this backup was made was destroyed again"),
        "{said}"
    );
    app.shot("retention-07-restored-destroyed-again").await;
    app.click("nav-retention").await;
    let row = wait_for_text_containing(&app, "register-row", "C-0001").await;
    assert!(
        row.contains("carried over after restoring a backup"),
        "{row}"
    );
    assert!(!app.page_contents().await.contains("Wilhelmina"));
    app.quit().await;

    let s = reopen(&vault);
    assert!(clients::list(&s, None)
        .unwrap()
        .iter()
        .all(|c| c.case_ref != "C-0001"));
    assert!(casenotes::search::search(&s, CANARY).unwrap().is_empty());
    s.verify_audit().unwrap();
    s.lock().unwrap();
}
