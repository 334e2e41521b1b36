//! Joint work: couple and family cases and their joint notes, with a real vault. A joint note
//! appears in every member's file; a signed one is final; a subject-access copy for one member
//! withholds it unless every other member consented (and its text is then in no file of the
//! copy); destroying one member's record keeps what the other's record needs.

mod common;

use std::path::Path;

use casenotes::domain::cases;
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::consents::{self, ConsentKind, NewConsent};
use casenotes::domain::notes::{NoteKind, Template};
use casenotes::domain::requests::{self, NewRequest, RequestKind};
use casenotes::export::sar::{self, Protection, WithholdReason};
use casenotes::retention::{self, Target};
use casenotes::vault::{Session, Vault};
use chrono::NaiveDate;
use common::*;

const JOINT_TEXT: &str =
    "Joint session: Rowena and Teodor argued about Teodor's redundancy and the debts";
const JOINT_ADDENDUM: &str = "Teodor later said the debts were larger than he had told Rowena";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn client(s: &mut Session, given: &str, family: &str, ended: Option<NaiveDate>) -> i64 {
    let mut details = ClientDetails::named(given, family);
    details.therapy_started_on = Some(d(2010, 1, 4));
    details.email = Some(format!("{}@example.org", given.to_lowercase()));
    match ended {
        Some(on) => {
            details.status = ClientStatus::Ended;
            details.therapy_ended_on = Some(on);
        }
        None => details.status = ClientStatus::Active,
    }
    clients::add(s, details).unwrap().id
}

fn new_vault() -> (tempfile::TempDir, Session) {
    let tmp = tempfile::tempdir().unwrap();
    let created = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE)).unwrap();
    (tmp, created.session)
}

/// Two clients in a couple case with one signed joint note with an addendum.
fn couple(s: &mut Session, a_ended: Option<NaiveDate>) -> (i64, i64, i64, i64) {
    let a = client(s, "Rowena", "Aldous", a_ended);
    let b = client(s, "Teodor", "Brisk", None);
    let case = cases::create(s, &[a, b], Some("couple work")).unwrap();
    assert_eq!(case.case_ref, "J-0001");
    let note =
        cases::create_note(s, case.id, NoteKind::Session, Template::Free, JOINT_TEXT).unwrap();
    cases::sign_note(s, note.id).unwrap();
    cases::add_note_addendum(s, note.id, "Added later", JOINT_ADDENDUM).unwrap();
    (a, b, case.id, note.id)
}

fn consent_to_release(s: &mut Session, client_id: i64) {
    consents::add(
        s,
        client_id,
        NewConsent {
            kind: ConsentKind::JointNotesRelease,
            given_on: d(2026, 1, 5),
            scope: Some("Joint session notes may go to my partner if they ask".into()),
            evidence_attachment_id: None,
            destroy_recording_by: None,
        },
    )
    .unwrap();
}

fn access_request(s: &mut Session, client_id: i64) -> i64 {
    requests::add(
        s,
        client_id,
        NewRequest {
            kind: RequestKind::Access,
            received_on: d(2026, 3, 2),
            identity_checked_on: Some(d(2026, 3, 2)),
            details: None,
        },
    )
    .unwrap()
    .id
}

/// A plaintext copy for `client_id` into `folder`; returns every file's bytes joined.
fn copy_for(s: &mut Session, client_id: i64, folder: &Path) -> (sar::Exported, Vec<u8>) {
    let request_id = access_request(s, client_id);
    let made = sar::export(
        s,
        &sar::ExportRequest {
            client_id,
            request_id,
            withhold: &[],
            protection: Protection::PlaintextFolder,
            out: folder,
        },
        &mut |_| {},
    )
    .unwrap();
    let mut all = Vec::new();
    for f in files_under(folder) {
        all.extend(std::fs::read(f).unwrap());
    }
    (made, all)
}

fn has(hay: &[u8], needle: &str) -> bool {
    hay.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[test]
fn a_joint_note_appears_in_both_files_and_once_signed_never_changes() {
    let (_tmp, mut s) = new_vault();
    let (a, b, case_id, note_id) = couple(&mut s, None);
    for member in [a, b] {
        let joint = cases::notes_for_client(&s, member).unwrap();
        assert_eq!(joint.len(), 1, "client {member}");
        assert_eq!(joint[0].id, note_id);
        assert_eq!(joint[0].case_ref, "J-0001");
        assert_eq!(joint[0].addenda.len(), 1);
        assert!(joint[0].signature_holds());
        let member_cases = cases::for_client(&s, member).unwrap();
        assert_eq!(member_cases.len(), 1);
        assert_eq!(member_cases[0].members.len(), 2);
    }
    // Another client, not a member, sees nothing of it.
    let c = client(&mut s, "Ursula", "Cobb", None);
    assert!(cases::notes_for_client(&s, c).unwrap().is_empty());

    // Signed: the core refuses a change, and so does the database whoever asks.
    let err = cases::save_note_draft(&mut s, note_id, "rewritten").unwrap_err();
    assert!(err.to_string().contains("signed"), "{err}");
    assert!(
        !err.to_string().contains("Rowena"),
        "no note text in errors: {err}"
    );
    assert!(cases::sign_note(&mut s, note_id).is_err());
    let raw = s.conn().unwrap().execute(
        "UPDATE joint_notes SET body = 'tampered' WHERE id = ?1",
        [note_id],
    );
    assert!(raw.is_err(), "the trigger refuses the change");
    let raw = s
        .conn()
        .unwrap()
        .execute("UPDATE joint_note_addenda SET body = 'tampered'", []);
    assert!(raw.is_err(), "addenda are final too");
    assert_eq!(cases::get_note(&s, note_id).unwrap().body, JOINT_TEXT);

    // A case needs two different clients who exist.
    assert!(cases::create(&mut s, &[a, a], None).is_err());
    assert!(cases::create(&mut s, &[a, 9999], None).is_err());
    // The audit log names ids, never the text.
    let log = casenotes::audit::list(s.conn().unwrap(), None).unwrap();
    let text = serde_json::to_string(&log).unwrap();
    assert!(text.contains("joint_note_signed") && text.contains("case_created"));
    assert!(!text.contains("redundancy"));
    let _ = case_id;
    s.verify_audit().unwrap();
}

#[test]
fn a_restricted_member_stops_changes_to_the_joint_notes() {
    let (_tmp, mut s) = new_vault();
    let a = client(&mut s, "Rowena", "Aldous", None);
    let b = client(&mut s, "Teodor", "Brisk", None);
    let case = cases::create(&mut s, &[a, b], None).unwrap();
    let note =
        cases::create_note(&mut s, case.id, NoteKind::Session, Template::Free, "Draft").unwrap();
    let mut details = clients::get(&s, b).unwrap().details;
    details.restricted_reason = Some("Client asked".into());
    clients::update(&mut s, b, details).unwrap();
    let err = cases::save_note_draft(&mut s, note.id, "More").unwrap_err();
    assert!(err.to_string().contains("restricted"), "{err}");
}

#[test]
fn a_subject_access_copy_withholds_the_joint_note_until_the_other_member_consents() {
    let (tmp, mut s) = new_vault();
    let (a, b, _case_id, note_id) = couple(&mut s, None);

    // The review lists it, withheld automatically: B has not consented.
    let listed = sar::joint_note_candidates(&s, a).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].withheld_automatically);
    assert_eq!(listed[0].consent.others, 1);
    assert_eq!(listed[0].consent.without_consent, 1);

    // A's own consent does not count: it is B's information too.
    consent_to_release(&mut s, a);
    let (made, all) = copy_for(&mut s, a, &tmp.path().join("without"));
    for gone in [
        JOINT_TEXT,
        JOINT_ADDENDUM,
        "redundancy",
        "teodor@example.org",
    ] {
        assert!(!has(&all, gone), "{gone} is in the copy");
    }
    let third = made
        .withheld
        .iter()
        .find(|w| w.reason == "third_party")
        .expect("counted under its reason");
    assert_eq!(third.joint_notes, 1);
    assert_eq!(third.reason_in_words, "third party without consent");
    assert!(
        has(&all, "third party without consent") || has(&all, "who has not agreed to its release")
    );
    let log = sar::exports_for_client(&s, a).unwrap();
    assert_eq!(log[0].withheld_joint_notes.len(), 1);
    assert_eq!(log[0].withheld_joint_notes[0].joint_note_id, note_id);
    assert_eq!(
        log[0].withheld_joint_notes[0].reason,
        WithholdReason::ThirdParty
    );
    assert!(log[0].withheld_joint_notes[0].automatic);

    // Once B has consented, the note is given, with its addendum, naming the case only.
    consent_to_release(&mut s, b);
    assert!(!sar::joint_note_candidates(&s, a).unwrap()[0].withheld_automatically);
    let (made, all) = copy_for(&mut s, a, &tmp.path().join("with"));
    assert!(has(&all, JOINT_TEXT));
    assert!(has(&all, JOINT_ADDENDUM));
    assert!(has(&all, "J-0001"));
    assert!(
        !has(&all, "teodor@example.org"),
        "B's contact details are never in A's copy"
    );
    assert!(made.withheld.iter().all(|w| w.joint_notes == 0));
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("with/data.json")).unwrap()).unwrap();
    assert_eq!(data["schema_version"], 3);
    assert_eq!(
        data["records"]["joint_notes"][0]["case_reference"],
        "J-0001"
    );

    // B withdrawing consent withholds it again.
    let consent = consents::current(&s, b)
        .unwrap()
        .into_iter()
        .find(|c| c.kind == ConsentKind::JointNotesRelease)
        .unwrap();
    consents::withdraw(&mut s, consent.id, d(2026, 2, 1)).unwrap();
    let (_, all) = copy_for(&mut s, a, &tmp.path().join("withdrawn"));
    assert!(!has(&all, JOINT_TEXT));
}

#[test]
fn destroying_one_member_keeps_the_joint_notes_the_other_record_needs() {
    let (tmp, mut s) = new_vault();
    // A's therapy ended long ago (due for destruction); B is still in therapy.
    let (a, b, case_id, note_id) = couple(&mut s, Some(d(2012, 5, 1)));
    consent_to_release(&mut s, a);
    consent_to_release(&mut s, b);
    let a_ref = clients::get(&s, a).unwrap().case_ref;
    // A copy for A was made before (its log goes with A's record).
    copy_for(&mut s, a, &tmp.path().join("before"));

    let policy = retention::policy::current(&s).unwrap();
    let certs = retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&a_ref).unwrap()],
        "Retention period passed; appraised",
        chrono::Local::now().date_naive(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(certs.len(), 1);
    assert!(clients::get(&s, a).is_err(), "A's record is gone");

    // B's file still holds the joint note, signed and whole.
    let kept = cases::notes_for_client(&s, b).unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].id, note_id);
    assert!(kept[0].signature_holds());
    assert_eq!(kept[0].addenda.len(), 1);
    // A's place stays in the case, unlinked and dated.
    let case = cases::get(&s, case_id).unwrap();
    assert_eq!(case.members.len(), 2);
    let former = case.members.iter().find(|m| m.client_id.is_none()).unwrap();
    assert!(former.record_destroyed_at.is_some() && former.client_case_ref.is_none());

    // A's consent went with A's record: B's copy now withholds the joint note.
    let candidates = sar::joint_note_candidates(&s, b).unwrap();
    assert!(candidates[0].withheld_automatically);
    let (_, all) = copy_for(&mut s, b, &tmp.path().join("b"));
    assert!(!has(&all, JOINT_TEXT));

    // When B's record goes too, the case and its notes go with it, and nothing fails.
    let mut details = clients::get(&s, b).unwrap().details;
    details.status = ClientStatus::Ended;
    details.therapy_ended_on = Some(d(2012, 6, 1));
    clients::update(&mut s, b, details).unwrap();
    let b_ref = clients::get(&s, b).unwrap().case_ref;
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&b_ref).unwrap()],
        "Retention period passed; appraised",
        chrono::Local::now().date_naive(),
        &mut |_| {},
    )
    .unwrap();
    assert!(cases::get(&s, case_id).is_err());
    assert!(cases::get_note(&s, note_id).is_err());
    let left: i64 = s
        .conn()
        .unwrap()
        .query_row("SELECT count(*) FROM joint_note_addenda", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    s.verify_audit().unwrap();
}

#[test]
fn the_cli_adds_a_case_and_a_signed_joint_note() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let pass = pass.to_str().unwrap();
    for (given, family) in [("Rowena", "Aldous"), ("Teodor", "Brisk")] {
        let out = v.cli(&[
            "client",
            "add",
            "--given",
            given,
            "--family",
            family,
            "--passphrase-file",
            pass,
        ]);
        assert_success(&out);
    }
    let out = v.cli(&[
        "case",
        "add",
        "--members",
        "C-0001,C-0002",
        "--name",
        "couple work",
        "--passphrase-file",
        pass,
        "--json",
    ]);
    assert_success(&out);
    let made: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(made["case_ref"], "J-0001");
    let body = v.secret_file("joint.md", "Both attended; agreed to meet fortnightly.");
    let out = v.cli(&[
        "case",
        "note",
        "add",
        "J-0001",
        "--body-file",
        body.to_str().unwrap(),
        "--sign",
        "--passphrase-file",
        pass,
        "--json",
    ]);
    assert_success(&out);
    let note: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(note["signed"], true);
    let id = note["joint_note_id"].as_i64().unwrap().to_string();
    let out = v.cli(&[
        "case",
        "note",
        "edit",
        &id,
        "--body-file",
        body.to_str().unwrap(),
        "--passphrase-file",
        pass,
    ]);
    assert_eq!(
        out.status.code(),
        Some(6),
        "a signed joint note refuses an edit"
    );
    let out = v.cli(&["case", "list", "--passphrase-file", pass]);
    assert_success(&out);
    let listed = String::from_utf8_lossy(&out.stdout);
    assert!(
        listed.contains("J-0001") && listed.contains("C-0001, C-0002"),
        "{listed}"
    );
    // One member only is refused, with the rule's exit code.
    let out = v.cli(&[
        "case",
        "add",
        "--members",
        "C-0001",
        "--passphrase-file",
        pass,
    ]);
    assert_eq!(out.status.code(), Some(6));
}
