//! The clinical file: clients, notes, signing, addenda and search, through the core and the CLI.
//! Every record rule is checked on each path that could break it.

mod common;

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::search::{self, HitKind};
use casenotes::vault::{Unlock, Vault};
use casenotes::Error;
use common::*;

fn active(given: &str, family: &str) -> ClientDetails {
    let mut d = ClientDetails::named(given, family);
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-12".parse().unwrap());
    d
}

#[test]
fn case_references_are_generated_in_order_and_unique() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let a = clients::add(&mut s, ClientDetails::named("Ann", "Able")).unwrap();
    let b = clients::add(&mut s, ClientDetails::named("Ben", "Baker")).unwrap();
    assert_eq!(
        (a.case_ref.as_str(), b.case_ref.as_str()),
        ("C-0001", "C-0002")
    );
    let mut d = ClientDetails::named("Cat", "Cole");
    d.case_ref = Some("c-0002".into());
    let err = clients::add(&mut s, d).unwrap_err();
    assert!(matches!(err, Error::RecordRule { .. }), "{err:?}");
    assert!(err.to_string().contains("already in use"));
    let mut d = ClientDetails::named("Cat", "Cole");
    d.case_ref = Some("C-0107".into());
    clients::add(&mut s, d).unwrap();
    assert_eq!(
        clients::add(&mut s, ClientDetails::named("Dan", "Dale"))
            .unwrap()
            .case_ref,
        "C-0108"
    );
    assert_eq!(clients::list(&s, None).unwrap().len(), 4);
    assert_eq!(
        clients::list(&s, Some(ClientStatus::Active)).unwrap().len(),
        0
    );
}

#[test]
fn a_signed_note_refuses_every_edit() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let client = clients::add(&mut s, active("Ann", "Able")).unwrap();
    let body = "## Subjective\nLow mood this week.\n## Objective\nCalm.\n## Assessment\nSteady.\n## Plan\nContinue.";
    let note = notes::create(
        &mut s,
        client.id,
        NoteKind::Session,
        Template::Soap,
        body,
        false,
    )
    .unwrap();
    assert!(!note.is_signed());
    let note = notes::save_draft(&mut s, note.id, &format!("{body}\nMore.")).unwrap();
    let signed = notes::sign(&mut s, note.id).unwrap();
    assert!(signed.is_signed() && signed.signature_holds());

    // Through the core.
    let err = notes::save_draft(&mut s, note.id, "rewritten").unwrap_err();
    assert!(
        matches!(err, Error::RecordRule { .. }) && err.to_string().contains("addendum"),
        "{err}"
    );
    assert!(matches!(
        notes::sign(&mut s, note.id),
        Err(Error::RecordRule { .. })
    ));
    // Straight SQL is refused by the database as well.
    let conn = s.conn().unwrap();
    assert!(conn
        .execute(
            "UPDATE notes SET body = 'rewritten' WHERE id = ?1",
            [note.id]
        )
        .is_err());
    assert!(conn
        .execute(
            "UPDATE notes SET signed_at = NULL, content_sha256 = NULL WHERE id = ?1",
            [note.id]
        )
        .is_err());
    assert_eq!(notes::get(&s, note.id).unwrap().body, signed.body);

    // The third-party flag is review metadata, settable after signing.
    assert!(
        notes::set_third_party(&mut s, note.id, true)
            .unwrap()
            .third_party
    );

    // Corrections are addenda, in order, with reasons; drafts take none.
    notes::add_addendum(
        &mut s,
        note.id,
        "Wrong week",
        "It was last week, not this week.",
    )
    .unwrap();
    notes::add_addendum(&mut s, note.id, "Detail", "Also mentioned sleep.").unwrap();
    let note = notes::get(&s, note.id).unwrap();
    assert_eq!(note.addenda.len(), 2);
    assert_eq!(note.addenda[0].reason, "Wrong week");
    assert!(note.signature_holds());
    assert!(matches!(
        notes::add_addendum(&mut s, note.id, " ", "text"),
        Err(Error::RecordRule { .. })
    ));
    let draft = notes::create(
        &mut s,
        client.id,
        NoteKind::Contact,
        Template::Free,
        "Phoned.",
        false,
    )
    .unwrap();
    assert!(matches!(
        notes::add_addendum(&mut s, draft.id, "why", "what"),
        Err(Error::RecordRule { .. })
    ));
    assert!(s
        .conn()
        .unwrap()
        .execute("UPDATE note_addenda SET body = 'x'", [])
        .is_err());

    // Tampering with the content behind the database's back breaks the signature.
    s.conn()
        .unwrap()
        .execute_batch(&format!(
            "DROP TRIGGER notes_signed_are_final; UPDATE notes SET body = 'forged' WHERE id = {}",
            note.id
        ))
        .unwrap();
    assert!(!notes::get(&s, note.id).unwrap().signature_holds());
}

#[test]
fn empty_notes_cannot_be_signed() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let client = clients::add(&mut s, active("Ann", "Able")).unwrap();
    let note = notes::create(
        &mut s,
        client.id,
        NoteKind::Session,
        Template::Dap,
        &Template::Dap.skeleton(),
        false,
    )
    .unwrap();
    assert!(matches!(
        notes::sign(&mut s, note.id),
        Err(Error::RecordRule { .. })
    ));
    assert!(matches!(
        notes::create(&mut s, 999, NoteKind::Session, Template::Free, "x", false),
        Err(Error::NotFound { .. })
    ));
}

#[test]
fn search_finds_notes_addenda_and_names_best_first_and_only_when_unlocked() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = clients::add(&mut s, active("Ann", "Ashworth")).unwrap();
    let ben = clients::add(&mut s, active("Ben", "Brierley")).unwrap();
    let once = notes::create(
        &mut s,
        ann.id,
        NoteKind::Session,
        Template::Free,
        "Talked about insomnia and work.",
        false,
    )
    .unwrap();
    let twice = notes::create(
        &mut s,
        ben.id,
        NoteKind::Session,
        Template::Free,
        "Insomnia again. Insomnia worse since the move.",
        false,
    )
    .unwrap();
    notes::sign(&mut s, once.id).unwrap();
    notes::add_addendum(&mut s, once.id, "Added later", "Mentioned nightmares.").unwrap();

    let hits = search::search(&s, "insomnia").unwrap();
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[0].record_id, twice.id, "more mentions rank first");
    assert_eq!(hits[0].case_ref, ben.case_ref);
    assert!(
        hits[0].snippet.contains("[Insomnia]"),
        "{}",
        hits[0].snippet
    );

    let hits = search::search(&s, "nightm").unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].kind, HitKind::Addendum);
    assert_eq!(hits[0].client_id, ann.id);

    let hits = search::search(&s, "brierley").unwrap();
    assert_eq!((hits.len(), hits[0].kind), (1, HitKind::Client));

    // Punctuation is never query syntax.
    assert!(search::search(&s, "\"insomnia OR (").is_ok());
    assert!(search::search(&s, "  ").is_err());

    // Editing a draft updates the index.
    notes::save_draft(&mut s, twice.id, "Sleep is better now.").unwrap();
    assert_eq!(search::search(&s, "insomnia").unwrap().len(), 1);

    // A locked vault answers nothing.
    s.lock().unwrap();
    let vault = Vault::open(&v.dir).unwrap();
    assert!(vault
        .unlock(Unlock::Passphrase(&passphrase("wrong passphrase here")))
        .is_err());
}

#[test]
fn the_cli_keeps_the_same_rules_and_exits_6() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--passphrase-file", p];
        all.extend_from_slice(args);
        v.cli(&all)
    };
    let out = run(&[
        "client",
        "add",
        "--given",
        "Ann",
        "--family",
        "Able",
        "--dob",
        "1990-04-01",
    ]);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), "C-0001");

    let out = run(&[
        "client",
        "add",
        "--given",
        "Bob",
        "--family",
        "Bell",
        "--dob",
        "2999-01-01",
    ]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("date of birth is in the future"),
        "{}",
        stderr(&out)
    );
    let out = run(&[
        "client",
        "add",
        "--given",
        "Bob",
        "--family",
        "Bell",
        "--dob",
        "01/02/1990",
    ]);
    assert_eq!(code(&out), 6);
    assert!(stderr(&out).contains("YYYY-MM-DD"), "{}", stderr(&out));
    let out = run(&[
        "client", "add", "--given", "Bob", "--family", "Bell", "--email", "bob",
    ]);
    assert_eq!(code(&out), 6);
    let out = run(&["client", "list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(list.len(), 1, "refused clients were not added");

    let body = v.secret_file(
        "note.md",
        "## Data\nDiscussed the anniversary.\n## Assessment\nGrieving.\n## Plan\nWeekly.",
    );
    let out = run(&[
        "note",
        "add",
        "C-0001",
        "--kind",
        "session",
        "--template",
        "dap",
        "--body-file",
        body.to_str().unwrap(),
        "--sign",
    ]);
    assert_success(&out);
    let note_id = stdout(&out).trim().to_owned();

    let edit = v.secret_file("edit.md", "Something else entirely.");
    let out = run(&[
        "note",
        "edit",
        &note_id,
        "--body-file",
        edit.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 6);
    assert!(
        stderr(&out).contains("never changed") && stderr(&out).contains("addendum"),
        "{}",
        stderr(&out)
    );

    let out = run(&[
        "note",
        "addendum",
        &note_id,
        "--reason",
        "Date was wrong",
        "--body-file",
        edit.to_str().unwrap(),
    ]);
    assert_success(&out);

    let out = run(&["search", "anniversary", "--json"]);
    assert_success(&out);
    let hits: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["case_ref"], "C-0001");

    let out = run(&["client", "show", "C-0001"]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(
        text.contains("Discussed the anniversary") && text.contains("Date was wrong"),
        "{text}"
    );
    assert!(
        text.contains("1 April 1990"),
        "dates as day month year: {text}"
    );
    assert_eq!(code(&run(&["client", "show", "C-9999"])), 1);

    let out = run(&["audit", "list", "--json"]);
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "client_created",
        "note_created",
        "note_signed",
        "addendum_added",
        "client_viewed",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    // Ids only: no note text or name reached the audit log.
    let raw = stdout(&out);
    assert!(
        !raw.contains("anniversary") && !raw.contains("Able"),
        "{raw}"
    );
    assert_success(&run(&["audit", "verify"]));

    // Every field the desktop form has can be given on the command line too.
    let out = run(&[
        "client",
        "add",
        "--given",
        "Cara",
        "--family",
        "Dunmore",
        "--address",
        "2 Mill Row, Todmorden",
        "--emergency-name",
        "Ewan Dunmore",
        "--emergency-relationship",
        "husband",
        "--emergency-phone",
        "07700 900789",
        "--gp-name",
        "Dr Farrant",
        "--gp-practice",
        "Todmorden Health Centre",
        "--legal-hold",
        "Court order 2026/114",
        "--restricted",
        "No contact with her employer",
        "--json",
    ]);
    assert_success(&out);
    let added: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let out = run(&["client", "list", "--json"]);
    let list: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let cara = list
        .iter()
        .find(|c| c["case_ref"] == added["case_ref"])
        .expect("the new client is listed");
    let d = &cara["details"];
    assert_eq!(d["emergency_relationship"], "husband");
    assert_eq!(d["gp_practice"], "Todmorden Health Centre");
    assert_eq!(d["legal_hold_reason"], "Court order 2026/114");
    assert_eq!(d["restricted_reason"], "No contact with her employer");
}

#[test]
fn updating_a_client_keeps_the_rules() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = clients::add(&mut s, active("Ann", "Able")).unwrap();
    clients::add(&mut s, ClientDetails::named("Ben", "Baker")).unwrap();

    let mut d = ann.details.clone();
    d.status = ClientStatus::Ended;
    let err = clients::update(&mut s, ann.id, d.clone()).unwrap_err();
    assert!(
        err.to_string().contains("needs the date therapy ended"),
        "{err}"
    );
    d.therapy_ended_on = Some("2026-06-30".parse().unwrap());
    d.case_ref = None;
    let updated = clients::update(&mut s, ann.id, d.clone()).unwrap();
    assert_eq!(updated.details.status, ClientStatus::Ended);
    assert_eq!(
        updated.case_ref, "C-0001",
        "an empty case reference keeps the current one"
    );

    d.case_ref = Some("C-0002".into());
    assert!(clients::update(&mut s, ann.id, d)
        .unwrap_err()
        .to_string()
        .contains("already in use"));
    assert_eq!(clients::get(&s, ann.id).unwrap().case_ref, "C-0001");
}

#[test]
fn a_very_common_word_lists_the_newest_matches_first() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = clients::add(&mut s, active("Ann", "Able")).unwrap();
    let mut last = 0;
    for i in 0..=search::RANKED_MATCHES {
        let text = if i % 2 == 0 {
            "common common common"
        } else {
            "common"
        };
        last = notes::create(
            &mut s,
            ann.id,
            NoteKind::Contact,
            Template::Free,
            text,
            false,
        )
        .unwrap()
        .id;
    }
    let hits = search::search(&s, "common").unwrap();
    assert_eq!(hits.len(), search::MAX_RESULTS as usize);
    assert_eq!(
        hits[0].record_id, last,
        "newest first past the ranking limit"
    );
    assert!(hits.windows(2).all(|w| w[0].record_id > w[1].record_id));
}

#[test]
fn over_long_notes_and_searches_are_refused_as_record_rules() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = clients::add(&mut s, active("Ann", "Ashworth")).unwrap();
    let long = "word ".repeat(notes::MAX_BODY_BYTES / 5 + 1);
    let refused = notes::create(
        &mut s,
        ann.id,
        NoteKind::Session,
        Template::Free,
        &long,
        false,
    )
    .unwrap_err();
    assert_eq!(refused.exit_code(), 6, "{refused}");
    assert!(refused.to_string().contains("too long"), "{refused}");
    assert!(
        !refused.to_string().contains("word word"),
        "no text quoted: {refused}"
    );

    let note = notes::create(
        &mut s,
        ann.id,
        NoteKind::Session,
        Template::Free,
        "Brief.",
        false,
    )
    .unwrap();
    assert!(matches!(
        notes::save_draft(&mut s, note.id, &long),
        Err(Error::RecordRule { .. })
    ));
    assert_eq!(notes::get(&s, note.id).unwrap().body, "Brief.");
    let at_the_limit = "a".repeat(notes::MAX_BODY_BYTES);
    notes::save_draft(&mut s, note.id, &at_the_limit).unwrap();

    let query = "sleep ".repeat(search::MAX_QUERY_CHARS / 6 + 1);
    let refused = search::search(&s, &query).unwrap_err();
    assert_eq!(refused.exit_code(), 6, "{refused}");
    search::search(&s, "sleep").unwrap();
}
