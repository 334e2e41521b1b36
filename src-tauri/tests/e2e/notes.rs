//! Clients and notes, end to end: adding a client, the client list and its filters, writing,
//! signing and amending a SOAP note, finding it with Ctrl+K, and a draft kept across a lock.

use std::time::{Duration, Instant};

use casenotes::secret::Passphrase;
use casenotes::vault::{Unlock, Vault};
use fantoccini::key::Key;
use fantoccini::Locator;
use serde_json::json;

use super::{
    existing_vault, press_ctrl, temp_vault, wait_for_text_containing, App, PASSPHRASE, WAIT,
};

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn add_a_client_write_sign_and_amend_a_soap_note_and_find_it() {
    let (_tmp, vault) = existing_vault();
    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;

    // Add a client; the core's validation message shows next to the form.
    app.click("nav-clients").await;
    app.wait_for("no-clients").await;
    app.click("add-client-open").await;
    app.type_into("client-given", "Philippa").await;
    app.type_into("client-family", "Quernmoor").await;
    app.type_into("client-email", "not an address").await;
    app.click("client-form-submit").await;
    let error = app.wait_for_text("client-form-error").await;
    assert!(error.contains("not a valid address"), "{error}");
    app.shot("20-add-client-error").await;
    app.audit_a11y("the new client form with an error").await;
    app.type_into("client-email", "pq@example.org").await;
    app.click("client-form-submit").await;
    let name = wait_for_text_containing(&app, "client-file-name", "Philippa Quernmoor").await;
    assert!(name.contains("C-0001"), "the first case reference: {name}");
    app.click("back-to-clients").await;
    app.type_into("client-filter", "quern").await;
    app.wait_for("open-client-C-0001").await;
    app.shot("21-client-list").await;
    app.audit_a11y("the client list").await;
    app.type_into("client-filter", "nobody-like-this").await;
    app.wait_for("no-clients").await;
    app.type_into("client-filter", "C-0001").await;
    app.wait_for("status-filter")
        .await
        .select_by_value("ended")
        .await
        .unwrap();
    app.wait_for("no-clients").await;
    app.wait_for("status-filter")
        .await
        .select_by_value("enquiry")
        .await
        .unwrap();
    app.click("open-client-C-0001").await;
    app.wait_for("timeline-empty").await;

    // A SOAP note: the template fills the text with its four sections.
    app.click("new-note").await;
    app.wait_for("note-template")
        .await
        .select_by_value("soap")
        .await
        .unwrap();
    let body = app.wait_for("note-body").await;
    let deadline = Instant::now() + WAIT;
    while !body
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
        .contains("## Plan")
    {
        assert!(
            Instant::now() < deadline,
            "the SOAP skeleton never appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let skeleton = body.prop("value").await.unwrap().unwrap_or_default();
    assert!(skeleton.starts_with("## Subjective"), "{skeleton:?}");
    // Write under "Subjective", as a practitioner would: caret after the first heading.
    app.client
        .execute(
            "const t = document.querySelector(\"[data-testid='note-body']\");
             t.focus(); const i = t.value.indexOf('\\n\\n') + 2; t.setSelectionRange(i, i); return null;",
            vec![],
        )
        .await
        .unwrap();
    body.send_keys("Spoke about the allotment and the zephyrine kettle.")
        .await
        .unwrap();
    wait_for_text_containing(&app, "note-save-status", "Draft saved").await;
    app.shot("22-note-editor").await;
    app.audit_a11y("the note editor").await;
    app.click("note-sign").await;
    app.wait_for("note-sign-confirm").await;
    app.shot("23-sign-confirm").await;
    app.audit_a11y("the sign confirmation").await;
    app.click("note-sign-confirm").await;
    app.wait_for("note-signed").await;
    let html = app.text_of("note-html").await;
    let (subjective, kettle, objective) = (
        html.find("Subjective"),
        html.find("zephyrine kettle"),
        html.find("Objective"),
    );
    assert!(
        subjective.is_some() && subjective < kettle && kettle < objective,
        "the text sits under Subjective: {html}"
    );
    assert!(
        !app.present("note-continue").await,
        "a signed note offers no editing"
    );
    // And the Rust side refuses an edit sent past the UI.
    let note_id: i64 = app
        .wait_for("timeline-note")
        .await
        .attr("data-note-id")
        .await
        .unwrap()
        .unwrap()
        .parse()
        .unwrap();
    let refused = app
        .invoke_with("save_draft", json!({ "id": note_id, "body": "rewritten" }))
        .await;
    assert_eq!(refused["err"]["kind"], "record_rule", "{refused}");

    // An addendum, with its reason, under the signed note.
    app.click("addendum-open").await;
    app.type_into("addendum-reason", "Wrong day recorded").await;
    app.type_into(
        "addendum-body",
        "The session was on the Tuesday, with a wintergreen plan.",
    )
    .await;
    app.click("addendum-submit").await;
    let addendum = wait_for_text_containing(&app, "addendum", "Wrong day recorded").await;
    assert!(addendum.contains("wintergreen"), "{addendum}");
    app.shot("24-client-file").await;
    app.audit_a11y("the client file with a signed note and addendum")
        .await;

    // Ctrl+K finds the note and the addendum; Enter opens the client's file.
    app.click("nav-clients").await;
    app.wait_for("clients").await;
    press_ctrl(&app, 'k').await;
    app.type_into("search-input", "zephyrine").await;
    let snippet = app.wait_for_text("search-snippet").await;
    assert!(snippet.contains("zephyrine"), "{snippet}");
    assert!(app.text_of("search-hit").await.contains("C-0001"));
    let marked = app
        .wait_for("search-snippet")
        .await
        .find(Locator::Css("mark"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(marked.to_lowercase(), "zephyrine");
    app.shot("25-search").await;
    app.audit_a11y("search").await;
    // Enter on a note opens the client's file with that note in view and focused.
    app.wait_for("search-input")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for_text_containing(&app, "client-file-name", "C-0001").await;
    let deadline = Instant::now() + WAIT;
    loop {
        let focused = app
            .client
            .active_element()
            .await
            .unwrap()
            .attr("data-note-id")
            .await
            .unwrap();
        if focused == Some(note_id.to_string()) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the found note never had the focus: {focused:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    app.click("nav-clients").await;
    app.wait_for("clients").await;
    press_ctrl(&app, 'k').await;
    app.type_into("search-input", "wintergr").await;
    wait_for_text_containing(&app, "search-snippet", "wintergreen").await;
    app.wait_for("search-input")
        .await
        .send_keys(&char::from(Key::Enter).to_string())
        .await
        .unwrap();
    wait_for_text_containing(&app, "client-file-name", "C-0001").await;
    assert!(!app.present("search-dialog").await, "the search closed");

    app.mark_page().await;
    press_ctrl(&app, 'l').await;
    app.wait_for_reloaded_lock_screen().await;
    app.assert_nothing_left_after_lock(&["Quernmoor", "zephyrine", "wintergreen", PASSPHRASE])
        .await;
    app.quit().await;

    // The vault agrees: one signed note whose signature holds, with its addendum.
    let session = Vault::open(&vault)
        .unwrap()
        .unlock(Unlock::Passphrase(&Passphrase::from_str_for_tests(
            PASSPHRASE,
        )))
        .unwrap();
    let client = casenotes::domain::clients::id_for(&session, "C-0001").unwrap();
    let notes = casenotes::domain::notes::for_client(&session, client).unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0].signature_holds());
    assert_eq!(notes[0].addenda.len(), 1);
}

#[tokio::test]
#[ignore = "drives the built app; run by scripts/test-desktop.sh"]
async fn locking_mid_draft_keeps_every_word() {
    let (_tmp, vault) = temp_vault();
    let created = Vault::create(&vault, &Passphrase::from_str_for_tests(PASSPHRASE)).unwrap();
    let mut session = created.session;
    casenotes::domain::clients::add(
        &mut session,
        casenotes::domain::clients::ClientDetails::named("Oswin", "Harrowgate"),
    )
    .unwrap();
    session.lock().unwrap();

    let app = App::launch(&vault, &[]).await;
    app.unlock_to_home().await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.click("new-note").await;
    let words = "Mid-sentence when the doorbell rang about the pelargonium";
    // Ctrl+L straight after the last keystroke: well inside the autosave pause.
    app.mark_page().await;
    app.wait_for("note-body")
        .await
        .send_keys(&format!(
            "{words}{}l{}",
            char::from(Key::Control),
            char::from(Key::Null)
        ))
        .await
        .unwrap();
    app.wait_for_reloaded_lock_screen().await;
    app.shot("26-locked-mid-draft").await;
    app.assert_nothing_left_after_lock(&["Harrowgate", "Oswin", "pelargonium", PASSPHRASE])
        .await;

    app.unlock_with(PASSPHRASE).await;
    app.wait_for("home").await;
    app.click("nav-clients").await;
    app.click("open-client-C-0001").await;
    app.wait_for("note-draft").await;
    assert_eq!(app.text_of("note-html").await.trim(), words);
    app.click("note-continue").await;
    let body = app.wait_for("note-body").await;
    assert_eq!(body.prop("value").await.unwrap().as_deref(), Some(words));
    app.shot("27-draft-after-unlock").await;
    app.quit().await;
}
