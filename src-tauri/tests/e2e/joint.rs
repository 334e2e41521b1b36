//! End-to-end: joint work through the real window. Two clients already in the vault; from the
//! first one's file the practitioner starts a couple case with the second, writes a joint note
//! and signs it; the note shows, marked as joint and naming the case, in both files, and the
//! vault holds it signed, under the case.

use casenotes::domain::cases;
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::secret::Passphrase;
use casenotes::vault::Vault;

use super::{reopen, temp_vault, wait_for_text_containing, App, PASSPHRASE};

const JOINT_TEXT: &str = "Both spoke about the move to Whitby and how arguments start at bedtime.";

async fn scroll_to(app: &App, testid: &str) {
    app.wait_for(testid).await;
    app.client
        .execute(
            "document.querySelector(`[data-testid='${arguments[0]}']`).scrollIntoView({ block: 'start' });",
            vec![serde_json::json!(testid)],
        )
        .await
        .unwrap();
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn start_a_couple_case_write_and_sign_a_joint_note_and_see_it_in_both_files() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut s = created.session;
    for (given, family) in [("Imogen", "Carrow"), ("Dafydd", "Penhallow")] {
        let mut d = ClientDetails::named(given, family);
        d.status = ClientStatus::Active;
        d.therapy_started_on = Some("2026-02-02".parse().unwrap());
        d.email = Some(format!("{}@example.org", given.to_lowercase()));
        clients::add(&mut s, d).unwrap();
    }
    s.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    scroll_to(&app, "joint-work").await;
    let empty = app.text_of("cases-empty").await;
    assert!(empty.contains("not part of any joint case"), "{empty}");

    app.click("case-start").await;
    app.wait_for("case-form").await;
    app.click("case-member").await;
    app.type_into("case-name", "couple work").await;
    app.click("case-create").await;
    app.wait_for("joint-case").await;

    app.click("joint-note-new").await;
    app.type_into("joint-note-body", JOINT_TEXT).await;
    wait_for_text_containing(&app, "joint-note-status", "Draft saved").await;
    app.click("joint-note-sign").await;
    app.click("joint-note-sign-confirm").await;
    app.wait_for("joint-note-signed").await;
    let shown = app.text_of("joint-note-html").await;
    assert_eq!(shown.trim(), JOINT_TEXT);
    let badge = app.text_of("joint-badge").await;
    assert!(badge.contains("Joint note, case J-0001"), "{badge}");
    scroll_to(&app, "joint-work").await;
    app.shot("95-joint-note-first-member").await;

    // The other member's file shows the same note, marked as joint, naming the case and the
    // first member by case reference only.
    scroll_to(&app, "back-to-clients").await;
    app.click("back-to-clients").await;
    app.click("open-client-C-0002").await;
    scroll_to(&app, "joint-work").await;
    let shown = app.text_of("joint-note-html").await;
    assert_eq!(shown.trim(), JOINT_TEXT);
    app.wait_for("joint-note-signed").await;
    let section = app.text_of("joint-work").await;
    assert!(section.contains("With C-0001"), "{section}");
    assert!(
        !section.contains("imogen@example.org") && !section.contains("Carrow"),
        "the other member's details are not shown: {section}"
    );
    app.shot("96-joint-note-second-member").await;
    app.quit().await;

    let session = reopen(&vault);
    let case_id = cases::id_for(&session, "J-0001").unwrap();
    let joint = cases::notes_for_case(&session, case_id).unwrap();
    assert_eq!(joint.len(), 1);
    assert!(joint[0].is_signed() && joint[0].signature_holds());
    assert_eq!(joint[0].body, JOINT_TEXT);
    let case = cases::get(&session, case_id).unwrap();
    assert_eq!(case.name.as_deref(), Some("couple work"));
    assert_eq!(case.members.len(), 2);
    session.lock().unwrap();
}
