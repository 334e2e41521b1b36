//! End-to-end: after a day's work through the window (a client added, a note written, signed and
//! corrected by addendum, a search, a lock that makes a backup, an unlock, quitting), no word of
//! it is anywhere on disk in plaintext: not in the vault folder, the backups, the app's config,
//! cache and data folders (WebKit's included) or the temporary folder. The app runs with a home,
//! XDG folders and TMPDIR of the test's own, so every file it or WebKit wrote is scanned.

use std::path::{Path, PathBuf};

use casenotes::domain::clients;
use casenotes::export::backup::{self, BackupSettings};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;

use super::{press_ctrl, temp_vault, wait_for_text_containing, App, PASSPHRASE};

/// Words that exist only in what the practitioner types today.
const NAME: &str = "Thistlewaite";
const NOTE: &str = "quokkaparadox";
const ADDENDUM: &str = "zinnobertaler";
const CANARIES: [&str; 3] = [NAME, NOTE, ADDENDUM];

/// Every regular file under `dir`, symbolic links not followed.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_owned()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                todo.push(entry.path());
            } else if kind.is_file() {
                out.push(entry.path());
            }
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The canaries found in files under `dirs`, as "file: word (encoding)", case-insensitively, in
/// UTF-8 and in UTF-16LE (WebKit's strings).
fn findings(dirs: &[&Path]) -> Vec<String> {
    let mut found = Vec::new();
    for dir in dirs {
        for file in files(dir) {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let lower = bytes.to_ascii_lowercase();
            for word in CANARIES {
                let word = word.to_ascii_lowercase();
                let utf16: Vec<u8> = word.encode_utf16().flat_map(u16::to_le_bytes).collect();
                if contains(&lower, word.as_bytes()) {
                    found.push(format!("{}: {word} (UTF-8)", file.display()));
                }
                if contains(&lower, &utf16) {
                    found.push(format!("{}: {word} (UTF-16LE)", file.display()));
                }
            }
        }
    }
    found
}

/// The scan can fail: it finds a canary in either encoding and in any case, and then nothing.
fn the_scan_finds_a_canary_when_there_is_one() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("a/b")).unwrap();
    let utf16: Vec<u8> = "… QuokkaParadox …"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    std::fs::write(tmp.path().join("a/b/page.bin"), utf16).unwrap();
    std::fs::write(tmp.path().join("a/log.txt"), "seen THISTLEWAITE today").unwrap();
    let found = findings(&[tmp.path()]);
    assert_eq!(found.len(), 2, "{found:?}");
    assert!(found.iter().any(|f| f.contains("UTF-16LE")));
    std::fs::write(tmp.path().join("a/log.txt"), "nothing here").unwrap();
    std::fs::remove_file(tmp.path().join("a/b/page.bin")).unwrap();
    assert!(findings(&[tmp.path()]).is_empty());
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn a_day_of_work_leaves_no_clinical_word_in_plaintext_on_disk() {
    the_scan_finds_a_canary_when_there_is_one();
    let (tmp, vault) = temp_vault();
    let home = tmp.path().join("home");
    let temp = tmp.path().join("tmp");
    let backups = tmp.path().join("backups");
    for d in [&home, &temp, &backups] {
        std::fs::create_dir_all(d).unwrap();
    }
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
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

    let sub = |p: &str| home.join(p).display().to_string();
    let (config, cache, data, state, anchors) = (
        sub(".config"),
        sub(".cache"),
        sub(".local/share"),
        sub(".local/state"),
        sub(".config/casenotes"),
    );
    let home_s = home.display().to_string();
    let temp_s = temp.display().to_string();
    let app = App::launch(
        &vault,
        &[
            ("HOME", &home_s),
            ("XDG_CONFIG_HOME", &config),
            ("XDG_CACHE_HOME", &cache),
            ("XDG_DATA_HOME", &data),
            ("XDG_STATE_HOME", &state),
            ("TMPDIR", &temp_s),
            (casenotes::audit::anchor::CONFIG_DIR_ENV, &anchors),
        ],
    )
    .await;
    app.unlock_to_home().await;

    app.click("nav-clients").await;
    app.click("add-client-open").await;
    app.type_into("client-given", "Orla").await;
    app.type_into("client-family", NAME).await;
    app.click("client-form-submit").await;
    wait_for_text_containing(&app, "client-file-name", NAME).await;

    app.click("new-note").await;
    let body = app.wait_for("note-body").await;
    body.send_keys(&format!("Talked through the {NOTE} at length."))
        .await
        .unwrap();
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    app.click("note-sign").await;
    app.click("note-sign-confirm").await;
    app.wait_for("note-signed").await;
    app.click("addendum-open").await;
    app.type_into("addendum-reason", "Detail left out").await;
    app.type_into("addendum-body", &format!("Also the {ADDENDUM}."))
        .await;
    app.click("addendum-submit").await;
    wait_for_text_containing(&app, "addendum", ADDENDUM).await;

    app.click("nav-clients").await;
    app.wait_for("clients").await;
    press_ctrl(&app, 'k').await;
    app.type_into("search-input", &NOTE[..9]).await;
    wait_for_text_containing(&app, "search-snippet", NOTE).await;
    app.shot("canary-01-search").await;

    // Ctrl+L: the backup that is due is made, then the vault locks; then a second session.
    app.mark_page().await;
    press_ctrl(&app, 'l').await;
    app.wait_for_reloaded_lock_screen().await;
    app.unlock_to_home().await;
    app.quit().await;

    let made: Vec<PathBuf> = files(&backups)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cnbak"))
        .collect();
    assert_eq!(made.len(), 1, "the lock made one backup: {made:?}");
    let written = files(&home).len() + files(&temp).len();
    // The app and WebKit wrote into the test's own home, so that is what is scanned.
    let webkit = home.join(".local/share/uk.casenotes.desktop");
    for (what, folder) in [("anchors", Path::new(&anchors)), ("WebKit's data", &webkit)] {
        assert!(
            files(&home).iter().any(|p| p.starts_with(folder)),
            "nothing of {what} under {}",
            folder.display()
        );
    }
    println!("scanned {written} files in the app's home and temporary folders");
    let found = findings(&[&vault, &backups, &home, &temp]);
    assert!(
        found.is_empty(),
        "clinical words in plaintext on disk ({written} files scanned in home and temp):\n{}",
        found.join("\n")
    );
    // And the vault still holds what was written.
    let session = super::reopen(&vault);
    let id = clients::id_for(&session, "C-0001").unwrap();
    assert_eq!(
        clients::get(&session, id).unwrap().details.family_name,
        NAME
    );
}
