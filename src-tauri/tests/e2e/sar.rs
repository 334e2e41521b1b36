//! End-to-end: a subject access copy through the real window and the real GTK "save" dialog
//! (driven with `xdotool`, as in `attachments.rs`). A client with a note marked as holding
//! someone else's information; the review lists it; it is withheld with a reason; the copy is
//! saved with a passphrase; the Go `age` tool decrypts the file, and the note's text is in no
//! byte of it.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::requests::{self, NewRequest, RequestKind};
use casenotes::export::sar;
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;

use super::attachments::{focus_dialog, wait_until_closed};
use super::{reopen, temp_vault, wait_for_text_containing, xdotool, App, PASSPHRASE};

const SAVE_TITLE: &str = "Save the encrypted subject access copy";
const BUNDLE_PASSPHRASE: &str = "tangerine lighthouse quietly";
const THIRD_PARTY_TEXT: &str = "Her partner Desmond Ravenscroft described his gambling debts";
const GIVEN_TEXT: &str = "Second session: sleep is better, mood brighter.";

/// In GTK's "save" dialog the name field has the focus, holding the suggested name: replace it
/// with the full path and press Return.
async fn save_as(app: &App, path: &Path) {
    focus_dialog(app, SAVE_TITLE).await;
    xdotool(&["key", "--clearmodifiers", "ctrl+a"]);
    xdotool(&["type", "--delay", "15", &path.display().to_string()]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    xdotool(&["key", "Return"]);
    wait_until_closed(app, SAVE_TITLE).await;
}

/// The Go `age -d` with a passphrase (it reads one only from a terminal: `script` gives it one).
fn age_decrypt(file: &Path, out: &Path, passphrase: &str) {
    let cmd = format!("age -d -o '{}' '{}'", out.display(), file.display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    let done = child.wait_with_output().unwrap();
    assert!(
        done.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&done.stderr)
    );
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn review_withhold_a_third_party_note_and_save_an_encrypted_copy() {
    let (tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut s = created.session;
    let mut d = ClientDetails::named("Oriel", "Vantongeren");
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-12".parse().unwrap());
    d.date_of_birth = Some("1988-07-21".parse().unwrap());
    let client = clients::add(&mut s, d).unwrap();
    let third = notes::create(
        &mut s,
        client.id,
        NoteKind::Session,
        Template::Free,
        THIRD_PARTY_TEXT,
        true,
    )
    .unwrap();
    notes::sign(&mut s, third.id).unwrap();
    let given = notes::create(
        &mut s,
        client.id,
        NoteKind::Session,
        Template::Free,
        GIVEN_TEXT,
        false,
    )
    .unwrap();
    notes::sign(&mut s, given.id).unwrap();
    let request = requests::add(
        &mut s,
        client.id,
        NewRequest {
            kind: RequestKind::Access,
            received_on: "2026-03-02".parse().unwrap(),
            identity_checked_on: Some("2026-03-02".parse().unwrap()),
            details: None,
        },
    )
    .unwrap();
    s.lock().unwrap();

    let out = tmp.path().join("Oriel copy.age");
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.click("sar-open").await;
    app.wait_for("sar-candidates").await;
    let listed = app.text_of("sar-candidate-text").await;
    assert_eq!(listed.trim(), THIRD_PARTY_TEXT);

    // Withholding without a reason is refused, in words, before any dialog.
    let chosen = app.wait_for("sar-request").await;
    chosen
        .select_by_value(&request.id.to_string())
        .await
        .unwrap();
    app.click(&format!("sar-withhold-{}", third.id)).await;
    app.click("sar-export").await;
    wait_for_text_containing(&app, "sar-error", "Choose a reason").await;

    let reason = app.wait_for(&format!("sar-reason-{}", third.id)).await;
    reason.select_by_value("third_party").await.unwrap();
    app.type_into(
        &format!("sar-comment-{}", third.id),
        "Partner has not consented",
    )
    .await;
    app.type_into("sar-passphrase", BUNDLE_PASSPHRASE).await;
    app.type_into("sar-confirmation", BUNDLE_PASSPHRASE).await;
    app.shot("90-sar-review").await;
    app.click("sar-export").await;
    save_as(&app, &out).await;

    let summary = wait_for_text_containing(&app, "sar-summary", "saved").await;
    assert!(
        summary.contains(&format!("request {}", request.id)),
        "{summary}"
    );
    let completed = app.text_of("sar-request-completed").await;
    assert!(
        completed.contains(&format!("Request {} marked complete", request.id)),
        "{completed}"
    );
    let withheld = app.text_of("sar-withheld-summary").await;
    assert!(
        withheld.contains("1 whole note: Third party without consent"),
        "{withheld}"
    );
    app.shot("91-sar-saved").await;
    app.quit().await;

    // The Go age tool decrypts it, and the withheld text is in no byte of the archive (tar
    // stores files uncompressed, so every file's bytes are in it as they are).
    let tar = tmp.path().join("opened.tar");
    age_decrypt(&out, &tar, BUNDLE_PASSPHRASE);
    let bytes = std::fs::read(&tar).unwrap();
    let has = |t: &str| bytes.windows(t.len()).any(|w| w == t.as_bytes());
    assert!(has(GIVEN_TEXT), "the rest of the file is in the copy");
    for gone in [
        THIRD_PARTY_TEXT,
        "Desmond",
        "Ravenscroft",
        "gambling",
        "Partner has not consented",
    ] {
        assert!(!has(gone), "{gone} is in the copy");
    }
    let session = reopen(&vault);
    let log = sar::exports_for_client(&session, client.id).unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].request_id, request.id);
    assert!(requests::get(&session, request.id)
        .unwrap()
        .completed_on
        .is_some());
    assert_eq!(log[0].withheld[0].note_id, third.id);
    assert_eq!(
        log[0].withheld[0].comment.as_deref(),
        Some("Partner has not consented")
    );
    session.lock().unwrap();
}
