//! Clients' rights and the breach register: the requests clock (the ICO's rule, checked against
//! an independent formulation), extensions, restriction, rectification, erasure through the
//! destruction path, consents kept through withdrawal, disclosures that cannot be changed, the
//! 72-hour breach clock, and destruction removing every row of a client's rights records.

mod common;

use casenotes::domain::attachments;
use casenotes::domain::breaches::{self, BreachDecision, NewBreach};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::consents::{self, ConsentKind, NewConsent};
use casenotes::domain::disclosures::{self, ClientTold, LegalBasis, NewDisclosure, Recipient};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::requests::{self, NewRequest, Outcome, RequestKind};
use casenotes::retention::{self, Target};
use casenotes::vault::Session;
use casenotes::Error;
use chrono::{Datelike, Duration, Months, NaiveDate, Utc};
use common::*;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn vault() -> (TestVault, Session) {
    let v = TestVault::empty();
    v.init();
    let s = unlocked(&v);
    (v, s)
}

fn active(s: &mut Session, given: &str) -> i64 {
    let mut d = ClientDetails::named(given, "Rights");
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2020-01-06".parse().unwrap());
    clients::add(s, d).unwrap().id
}

fn signed_note(s: &mut Session, client_id: i64, body: &str) -> i64 {
    let n = notes::create(s, client_id, NoteKind::Session, Template::Free, body, false).unwrap();
    notes::sign(s, n.id).unwrap().id
}

fn request(kind: RequestKind, received: NaiveDate, checked: Option<NaiveDate>) -> NewRequest {
    NewRequest {
        kind,
        received_on: received,
        identity_checked_on: checked,
        details: None,
    }
}

fn is_rule(e: &Error, words: &str) -> bool {
    matches!(e, Error::RecordRule { .. }) && e.to_string().contains(words)
}

fn count(s: &Session, sql: &str) -> i64 {
    s.conn().unwrap().query_row(sql, [], |r| r.get(0)).unwrap()
}

// ---- the clock -----------------------------------------------------------------------------

#[test]
fn due_dates_follow_the_ico_rule_through_the_register() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Dora");
    for (received, checked, due) in [
        // 31 January: the last day of February, in a common year and a leap year.
        (d(2025, 1, 31), d(2025, 1, 31), d(2025, 2, 28)),
        (d(2024, 1, 31), d(2024, 1, 31), d(2024, 2, 29)),
        (d(2025, 1, 30), d(2025, 1, 30), d(2025, 2, 28)),
        (d(2024, 1, 29), d(2024, 1, 29), d(2024, 2, 29)),
        // 31 March: 30 April.
        (d(2025, 3, 31), d(2025, 3, 31), d(2025, 4, 30)),
        // The same date next month, across the year's end.
        (d(2025, 12, 31), d(2025, 12, 31), d(2026, 1, 31)),
        (d(2025, 9, 3), d(2025, 9, 3), d(2025, 10, 3)),
        // Identity checked later than received: the clock starts at the check.
        (d(2025, 5, 2), d(2025, 5, 20), d(2025, 6, 20)),
        (d(2025, 1, 10), d(2025, 1, 31), d(2025, 2, 28)),
    ] {
        let r = requests::add(
            &mut s,
            c,
            request(RequestKind::Access, received, Some(checked)),
        )
        .unwrap();
        assert_eq!(r.clock_starts_on, Some(checked), "{received}");
        assert_eq!(
            r.due_on,
            Some(due),
            "received {received}, checked {checked}"
        );
        assert_eq!(requests::get(&s, r.id).unwrap().due_on, Some(due));
    }

    // Until identity is checked the due date is unknown, and the register says so.
    let r = requests::add(&mut s, c, request(RequestKind::Access, d(2025, 6, 1), None)).unwrap();
    assert_eq!((r.clock_starts_on, r.due_on), (None, None));
    assert!(r
        .due_in_words()
        .contains("not known until the client's identity is checked"));
    let r = requests::identity_checked(&mut s, r.id, d(2025, 6, 4)).unwrap();
    assert_eq!(r.due_on, Some(d(2025, 7, 4)));
    let again = requests::identity_checked(&mut s, r.id, d(2025, 6, 5)).unwrap_err();
    assert!(is_rule(&again, "already recorded"), "{again}");

    // Identity cannot be checked before the request arrived; nothing in the future.
    let e = requests::add(
        &mut s,
        c,
        request(RequestKind::Access, d(2025, 6, 10), Some(d(2025, 6, 9))),
    )
    .unwrap_err();
    assert!(is_rule(&e, "before the request was received"), "{e}");
    let e = requests::add(
        &mut s,
        c,
        request(RequestKind::Access, today() + Duration::days(1), None),
    )
    .unwrap_err();
    assert!(is_rule(&e, "future"), "{e}");
}

#[test]
fn an_extension_is_once_and_at_most_two_months() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Eve");
    // No due date, no extension.
    let pending = requests::add(
        &mut s,
        c,
        request(RequestKind::Access, d(2025, 1, 31), None),
    )
    .unwrap();
    let e = requests::extend(&mut s, pending.id, 2, d(2025, 2, 3), "Complex").unwrap_err();
    assert!(is_rule(&e, "identity has not been checked"), "{e}");

    let r = requests::add(
        &mut s,
        c,
        request(RequestKind::Access, d(2025, 1, 31), Some(d(2025, 1, 31))),
    )
    .unwrap();
    assert_eq!(r.due_on, Some(d(2025, 2, 28)));
    for months in [0, 3] {
        let e = requests::extend(&mut s, r.id, months, d(2025, 2, 10), "Complex").unwrap_err();
        assert!(is_rule(&e, "two further months"), "{months}: {e}");
    }
    let e = requests::extend(&mut s, r.id, 2, d(2025, 2, 10), "  ").unwrap_err();
    assert!(is_rule(&e, "needs a reason"), "{e}");
    // The client must be told within the first month.
    let e = requests::extend(&mut s, r.id, 2, d(2025, 3, 1), "Complex").unwrap_err();
    assert!(is_rule(&e, "within the first month"), "{e}");

    let r = requests::extend(
        &mut s,
        r.id,
        2,
        d(2025, 2, 10),
        "Many records over six years",
    )
    .unwrap();
    assert_eq!(r.original_due_on, Some(d(2025, 2, 28)));
    assert_eq!(r.due_on, Some(d(2025, 4, 28)));
    let ext = r.extension.as_ref().unwrap();
    assert_eq!((ext.months, ext.told_on), (2, d(2025, 2, 10)));

    // Only once, even by one month more.
    let e = requests::extend(&mut s, r.id, 1, d(2025, 2, 11), "More").unwrap_err();
    assert!(is_rule(&e, "only once"), "{e}");
    assert_eq!(
        requests::get(&s, r.id).unwrap().due_on,
        Some(d(2025, 4, 28))
    );
    // The database refuses a second extension written behind the core's back.
    let raw = s.conn().unwrap().execute(
        "UPDATE rights_requests SET extended_months = 1 WHERE id = ?1",
        [r.id],
    );
    assert!(raw.is_err());

    // One month from a 31 March start.
    let r = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Portability,
            d(2025, 3, 31),
            Some(d(2025, 3, 31)),
        ),
    )
    .unwrap();
    let r = requests::extend(&mut s, r.id, 1, d(2025, 4, 2), "Complex").unwrap();
    assert_eq!(r.due_on, Some(d(2025, 5, 30)));

    // A completed request takes no more steps.
    let r = requests::complete(&mut s, r.id, d(2025, 4, 20)).unwrap();
    assert_eq!(r.completed_on, Some(d(2025, 4, 20)));
    let e = requests::complete(&mut s, r.id, d(2025, 4, 21)).unwrap_err();
    assert!(is_rule(&e, "completed"), "{e}");
    s.verify_audit().unwrap();
}

/// One calendar month by chrono's own clamping arithmetic: an independent route to the rule.
fn ico_due(start: NaiveDate, months: u32) -> NaiveDate {
    start.checked_add_months(Months::new(months)).unwrap()
}

fn any_date() -> impl Strategy<Value = NaiveDate> {
    // Month ends and leap days are drawn often on purpose.
    prop_oneof![
        (1990i32..2100, 1u32..=12, 1u32..=31).prop_filter_map("a real day", |(y, m, day)| {
            NaiveDate::from_ymd_opt(y, m, day)
        }),
        (1990i32..2100).prop_filter_map("a leap day", |y| NaiveDate::from_ymd_opt(y, 2, 29)),
        (1990i32..2100, 1u32..=12, 28u32..=31).prop_filter_map("a month end", |(y, m, day)| {
            NaiveDate::from_ymd_opt(y, m, day)
        }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]
    #[test]
    fn due_dates_match_chronos_calendar_months(
        received in any_date(),
        check_after in proptest::option::of(0i64..60),
        months in 1u32..=2,
    ) {
        let checked = check_after.map(|n| received + Duration::days(n));
        let start = requests::clock_start(received, checked);
        prop_assert_eq!(start, checked);
        let Some(start) = start else { return Ok(()) };
        let due = requests::due_on(start);
        prop_assert_eq!(due, ico_due(start, 1));
        // Never early, never more than a month: the next month, on or before the same day.
        prop_assert!(due > start);
        prop_assert_eq!((due.year() * 12 + due.month0() as i32) - (start.year() * 12 + start.month0() as i32), 1);
        prop_assert!(due.day() <= start.day());
        let extended = requests::extended_due_on(due, months);
        prop_assert_eq!(extended, ico_due(due, months));
        prop_assert!(extended <= ico_due(start, 1 + months));
        prop_assert_eq!(requests::add_calendar_months(start, 0), start);
    }
}

#[test]
fn due_soon_lists_what_is_due_within_a_week_and_what_is_overdue() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Fay");
    let t = today();
    let soon = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Access,
            t - Duration::days(25),
            Some(t - Duration::days(25)),
        ),
    )
    .unwrap();
    let late = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Erasure,
            t - Duration::days(70),
            Some(t - Duration::days(70)),
        ),
    )
    .unwrap();
    let later = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Access,
            t - Duration::days(2),
            Some(t - Duration::days(2)),
        ),
    )
    .unwrap();
    let unchecked = requests::add(
        &mut s,
        c,
        request(RequestKind::Access, t - Duration::days(40), None),
    )
    .unwrap();
    let done = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Access,
            t - Duration::days(60),
            Some(t - Duration::days(60)),
        ),
    )
    .unwrap();
    requests::complete(&mut s, done.id, t - Duration::days(10)).unwrap();

    let due = requests::due_soon(&s, t).unwrap();
    let ids: Vec<i64> = due.iter().map(|r| r.request.id).collect();
    assert_eq!(ids, vec![late.id, soon.id], "overdue first, then due soon");
    assert!(due[0].days_left < 0);
    assert!((0..=7).contains(&due[1].days_left), "{}", due[1].days_left);
    assert_eq!(due[1].client_name, "Fay Rights");
    assert!(!ids.contains(&later.id) && !ids.contains(&unchecked.id) && !ids.contains(&done.id));
}

// ---- restriction, rectification, erasure --------------------------------------------------

#[test]
fn a_granted_restriction_blocks_edits_to_notes_and_details_until_lifted() {
    let (v, mut s) = vault();
    let c = active(&mut s, "Gil");
    let note = signed_note(&mut s, c, "Session one.");
    let draft =
        notes::create(&mut s, c, NoteKind::Session, Template::Free, "Draft", false).unwrap();
    assert!(!requests::is_restricted(&s, c).unwrap());

    let r = requests::add(
        &mut s,
        c,
        request(RequestKind::Restriction, d(2025, 5, 1), Some(d(2025, 5, 1))),
    )
    .unwrap();
    let r = requests::decide(
        &mut s,
        r.id,
        Outcome::Granted,
        "Accuracy contested",
        d(2025, 5, 3),
    )
    .unwrap();
    assert_eq!(r.decision.as_ref().unwrap().outcome, Outcome::Granted);
    assert!(requests::is_restricted(&s, c).unwrap());
    assert_eq!(
        requests::restriction(&s, c).unwrap().unwrap().request_id,
        Some(r.id)
    );
    let by = format!("restriction request {}", r.id);

    let refusals = [
        notes::create(&mut s, c, NoteKind::Session, Template::Free, "New", false).map(|_| ()),
        notes::save_draft(&mut s, draft.id, "Changed").map(|_| ()),
        notes::sign(&mut s, draft.id).map(|_| ()),
        notes::add_addendum(&mut s, note, "Correction", "Text").map(|_| ()),
        notes::set_third_party(&mut s, note, true).map(|_| ()),
    ];
    for e in refusals {
        let e = e.unwrap_err();
        assert!(
            is_rule(&e, "restricted") && e.to_string().contains(&by),
            "{e}"
        );
    }
    let mut details = clients::get(&s, c).unwrap().details;
    details.phone = Some("01632 960000".into());
    let e = clients::update(&mut s, c, details.clone()).unwrap_err();
    assert!(is_rule(&e, &by), "{e}");
    assert_eq!(notes::get(&s, draft.id).unwrap().body, "Draft");
    // Nor may the record be used for supervision: nothing is written.
    let case_ref = clients::get(&s, c).unwrap().case_ref;
    let out = v.tmp.path().join("extract.html");
    let e = casenotes::export::supervision::write(&s, &case_ref, &[note], &[], &out).unwrap_err();
    assert!(is_rule(&e, "no supervision extract"), "{e}");
    assert!(!out.exists());
    assert_eq!(clients::get(&s, c).unwrap().details.phone, None);

    // A rectification still goes in: correcting the record is what the restriction waits for.
    let rect = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Rectification,
            d(2025, 5, 1),
            Some(d(2025, 5, 1)),
        ),
    )
    .unwrap();
    let a = requests::rectify(
        &mut s,
        rect.id,
        note,
        "Client's correction",
        "The date was the 3rd.",
    )
    .unwrap();
    assert_eq!(requests::get(&s, rect.id).unwrap().addendum_ids, vec![a.id]);
    assert_eq!(
        a.reason,
        format!("Rectification request {}: Client's correction", rect.id)
    );
    assert_eq!(notes::get(&s, note).unwrap().addenda.len(), 1);
    // Only to one of the client's notes, and only for a rectification request.
    let other = active(&mut s, "Hal");
    let other_note = signed_note(&mut s, other, "Other.");
    assert!(is_rule(
        &requests::rectify(&mut s, rect.id, other_note, "x", "y").unwrap_err(),
        "not one of this client's notes"
    ));
    assert!(is_rule(
        &requests::rectify(&mut s, r.id, note, "x", "y").unwrap_err(),
        "not a rectification"
    ));

    // Lifting the restriction is the one change allowed; then edits work again.
    let mut lifted = clients::get(&s, c).unwrap().details;
    lifted.restricted_reason = None;
    clients::update(&mut s, c, lifted).unwrap();
    assert!(!requests::is_restricted(&s, c).unwrap());
    notes::save_draft(&mut s, draft.id, "Changed").unwrap();
    details.restricted_reason = None;
    let updated = clients::update(&mut s, c, details).unwrap();
    assert_eq!(updated.details.phone.as_deref(), Some("01632 960000"));
    s.verify_audit().unwrap();
}

#[test]
fn a_refused_restriction_restricts_nothing() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Ida");
    let r = requests::add(
        &mut s,
        c,
        request(RequestKind::Restriction, d(2025, 5, 1), Some(d(2025, 5, 1))),
    )
    .unwrap();
    requests::decide(
        &mut s,
        r.id,
        Outcome::Refused,
        "Record accurate",
        d(2025, 5, 3),
    )
    .unwrap();
    assert!(!requests::is_restricted(&s, c).unwrap());
    let e = requests::decide(
        &mut s,
        r.id,
        Outcome::Granted,
        "Changed mind",
        d(2025, 5, 4),
    )
    .unwrap_err();
    assert!(is_rule(&e, "already decided"), "{e}");
}

#[test]
fn a_granted_erasure_goes_through_destruction_and_respects_a_legal_hold() {
    let (_v, mut s) = vault();
    let mut details = ClientDetails::named("Jo", "Erase");
    details.status = ClientStatus::Active;
    details.therapy_started_on = Some(d(2025, 1, 6));
    details.legal_hold_reason = Some("Court case".into());
    let client = clients::add(&mut s, details).unwrap();
    let c = client.id;
    signed_note(&mut s, c, "erasure-canary-note");
    consents::add(
        &mut s,
        c,
        NewConsent {
            kind: ConsentKind::ContactEmail,
            given_on: d(2025, 1, 6),
            scope: None,
            evidence_attachment_id: None,
            destroy_recording_by: None,
        },
    )
    .unwrap();

    // Refused with the usual wording: nothing is erased.
    let refused = requests::add(
        &mut s,
        c,
        request(RequestKind::Erasure, d(2025, 3, 1), Some(d(2025, 3, 1))),
    )
    .unwrap();
    let refused = requests::decide(
        &mut s,
        refused.id,
        Outcome::Refused,
        requests::ERASURE_EXEMPT_WORDING,
        d(2025, 3, 2),
    )
    .unwrap();
    assert!(refused.decision.unwrap().reason.contains("Article 17(3)"));
    assert!(is_rule(
        &requests::carry_out_erasure(&mut s, refused.id).unwrap_err(),
        "refused"
    ));

    let r = requests::add(
        &mut s,
        c,
        request(RequestKind::Erasure, d(2025, 4, 1), Some(d(2025, 4, 1))),
    )
    .unwrap();
    assert!(is_rule(
        &requests::carry_out_erasure(&mut s, r.id).unwrap_err(),
        "not been decided"
    ));
    requests::decide(
        &mut s,
        r.id,
        Outcome::Granted,
        "No longer needed",
        d(2025, 4, 2),
    )
    .unwrap();
    // On legal hold: refused, the erasure stays pending, nothing destroyed.
    let e = requests::carry_out_erasure(&mut s, r.id).unwrap_err();
    assert!(is_rule(&e, "legal hold"), "{e}");
    assert!(clients::get(&s, c).is_ok());

    let mut d2 = clients::get(&s, c).unwrap().details;
    d2.legal_hold_reason = None;
    clients::update(&mut s, c, d2).unwrap();
    // Not due by retention at all (an active client): the erasure skips that check.
    let cert = requests::carry_out_erasure(&mut s, r.id).unwrap();
    assert!(
        cert.reason.contains(&format!("Erasure request {}", r.id)),
        "{}",
        cert.reason
    );
    assert!(cert.rule.contains(&format!("request {}", r.id)));
    assert_eq!(cert.case_ref, client.case_ref);
    assert_eq!(cert.counts.notes, 1);
    assert!(matches!(
        clients::get(&s, c).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert!(matches!(
        requests::get(&s, r.id).unwrap_err(),
        Error::NotFound { .. }
    ));
    assert_eq!(count(&s, "SELECT count(*) FROM consents"), 0);
    assert!(casenotes::search::search(&s, "erasure-canary-note")
        .unwrap()
        .is_empty());
    let register = retention::register::list(s.conn().unwrap()).unwrap();
    assert_eq!(register.len(), 1);
    let actions: Vec<String> = casenotes::audit::list(s.conn().unwrap(), Some(3))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"record_destroyed".to_owned()),
        "{actions:?}"
    );
    assert!(
        actions.contains(&"request_erasure_carried_out".to_owned()),
        "{actions:?}"
    );
    s.verify_audit().unwrap();
    retention::register::verify(s.conn().unwrap()).unwrap();
}

// ---- consents and disclosures -------------------------------------------------------------

#[test]
fn a_withdrawn_consent_stays_in_the_history() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Kit");
    let other = active(&mut s, "Lou");
    let form = attachments::add(&mut s, c, None, "consent.pdf", b"%PDF-1.4 signed form").unwrap();
    let theirs = attachments::add(&mut s, other, None, "other.pdf", b"%PDF-1.4 other").unwrap();
    let new = |kind, evidence| NewConsent {
        kind,
        given_on: d(2025, 2, 1),
        scope: Some("Reminders about appointments only".into()),
        evidence_attachment_id: evidence,
        destroy_recording_by: None,
    };
    let e = consents::add(&mut s, c, new(ConsentKind::ContactEmail, Some(theirs.id))).unwrap_err();
    assert!(is_rule(&e, "not one of this client's attachments"), "{e}");
    let email = consents::add(&mut s, c, new(ConsentKind::ContactEmail, Some(form.id))).unwrap();
    assert_eq!(email.evidence_attachment_id, Some(form.id));
    // A recording consent needs its destruction date.
    let e = consents::add(&mut s, c, new(ConsentKind::SessionRecording, None)).unwrap_err();
    assert!(is_rule(&e, "destroyed"), "{e}");
    let rec = consents::add(
        &mut s,
        c,
        NewConsent {
            destroy_recording_by: Some(d(2025, 8, 1)),
            ..new(ConsentKind::SessionRecording, None)
        },
    )
    .unwrap();
    assert_eq!(rec.destroy_recording_by, Some(d(2025, 8, 1)));
    let e = consents::add(
        &mut s,
        c,
        NewConsent {
            destroy_recording_by: Some(d(2025, 8, 1)),
            ..new(ConsentKind::Research, None)
        },
    )
    .unwrap_err();
    assert!(is_rule(&e, "only to a consent to session recording"), "{e}");

    assert!(is_rule(
        &consents::withdraw(&mut s, email.id, d(2025, 1, 1)).unwrap_err(),
        "before it was given"
    ));
    let w = consents::withdraw(&mut s, email.id, d(2025, 3, 1)).unwrap();
    assert_eq!(w.withdrawn_on, Some(d(2025, 3, 1)));
    assert!(is_rule(
        &consents::withdraw(&mut s, email.id, d(2025, 3, 2)).unwrap_err(),
        "already withdrawn"
    ));

    let history = consents::history(&s, c).unwrap();
    assert_eq!(history.len(), 2);
    assert!(history
        .iter()
        .any(|h| h.id == email.id && h.withdrawn_on == Some(d(2025, 3, 1))));
    let current: Vec<i64> = consents::current(&s, c)
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(current, vec![rec.id]);

    // The database keeps what was recorded, whoever asks.
    let conn = s.conn().unwrap();
    assert!(conn
        .execute("UPDATE consents SET scope = 'x' WHERE id = ?1", [email.id])
        .is_err());
    assert!(conn
        .execute(
            "UPDATE consents SET withdrawn_on = NULL, withdrawal_recorded_at = NULL WHERE id = ?1",
            [email.id]
        )
        .is_err());
    s.verify_audit().unwrap();
}

fn disclosure(told: ClientTold) -> NewDisclosure {
    NewDisclosure {
        disclosed_on: d(2025, 6, 2),
        recipient: Recipient {
            name: "Duty social worker".into(),
            role: Some("Social worker".into()),
            organisation: Some("Children's services".into()),
        },
        what_shared: "Concern raised in session about a child at home".into(),
        legal_basis: LegalBasis::SafeguardingChild,
        client_told: told,
        rationale: "Risk of significant harm to a child".into(),
        corrects_id: None,
        correction_note: None,
    }
}

#[test]
fn a_disclosure_is_final_and_corrected_by_a_linked_later_entry() {
    let (_v, mut s) = vault();
    let c = active(&mut s, "Max");
    let e =
        disclosures::add(&mut s, c, disclosure(ClientTold::No { reason: " ".into() })).unwrap_err();
    assert!(is_rule(&e, "say why not"), "{e}");
    let first = disclosures::add(
        &mut s,
        c,
        disclosure(ClientTold::No {
            reason: "Telling them could put the child at further risk".into(),
        }),
    )
    .unwrap();
    assert_eq!(first.legal_basis, LegalBasis::SafeguardingChild);

    let conn = s.conn().unwrap();
    for sql in [
        "UPDATE disclosures SET what_shared = 'x' WHERE id = ?1",
        "UPDATE disclosures SET client_told = 1, client_told_on = '2025-06-09', not_told_reason = NULL WHERE id = ?1",
    ] {
        let err = conn.execute(sql, [first.id]).unwrap_err();
        assert!(err.to_string().contains("cannot be changed"), "{err}");
    }

    // Telling the client later is a later entry linked to the first.
    let mut later = disclosure(ClientTold::Yes { on: d(2025, 6, 9) });
    later.corrects_id = Some(first.id);
    let e = disclosures::add(&mut s, c, later.clone()).unwrap_err();
    assert!(is_rule(&e, "needs a note"), "{e}");
    later.correction_note = Some("Client told once the child was safe".into());
    let second = disclosures::add(&mut s, c, later).unwrap();
    assert_eq!(second.corrects_id, Some(first.id));
    assert_eq!(
        disclosures::get(&s, first.id).unwrap().corrected_by,
        vec![second.id]
    );
    assert_eq!(disclosures::for_client(&s, c).unwrap().len(), 2);
    s.verify_audit().unwrap();
}

// ---- breaches -----------------------------------------------------------------------------

fn breach(found: chrono::DateTime<Utc>) -> NewBreach {
    NewBreach {
        what_happened: "Letter sent to the wrong address".into(),
        happened_at: Some(found - Duration::hours(5)),
        discovered_at: found,
        who_affected: "C-0001".into(),
        records_affected: "One letter to a GP".into(),
        risk: "Low: the recipient returned it unopened".into(),
    }
}

#[test]
fn the_breach_clock_runs_72_hours_from_discovery_until_decided() {
    let (_v, mut s) = vault();
    let now = Utc::now();
    let recent = breaches::add(&mut s, breach(now - Duration::hours(70))).unwrap();
    let old = breaches::add(&mut s, breach(now - Duration::hours(80))).unwrap();
    assert_eq!(
        recent.ico_deadline,
        recent.discovered_at + Duration::hours(72)
    );

    let clocks = breaches::open_clocks(&s, now).unwrap();
    let got: Vec<(i64, i64)> = clocks.iter().map(|c| (c.breach.id, c.hours_left)).collect();
    assert_eq!(got, vec![(old.id, -8), (recent.id, 1)]);
    let in_three_hours = breaches::open_clocks(&s, now + Duration::hours(3)).unwrap();
    assert_eq!(in_three_hours[1].hours_left, -1);
    assert_eq!(
        breaches::open_clocks(&s, now + Duration::hours(5)).unwrap()[1].hours_left,
        -3
    );

    let e = breaches::add(&mut s, breach(now + Duration::hours(2))).unwrap_err();
    assert!(is_rule(&e, "future"), "{e}");
    let mut backwards = breach(now - Duration::hours(1));
    backwards.happened_at = Some(now - Duration::minutes(10));
    assert!(is_rule(
        &breaches::add(&mut s, backwards).unwrap_err(),
        "after it was found"
    ));

    let decided = breaches::decide(
        &mut s,
        recent.id,
        BreachDecision {
            reportable: false,
            reason: "Unlikely to result in a risk to the client".into(),
            ico_told_at: None,
            ico_reference: None,
            clients_told_at: None,
            clients_not_told_reason: Some("Not reportable; returned unopened".into()),
        },
    )
    .unwrap();
    assert_eq!(decided.reportable, Some(false));
    let ids: Vec<i64> = breaches::open_clocks(&s, now)
        .unwrap()
        .iter()
        .map(|c| c.breach.id)
        .collect();
    assert_eq!(ids, vec![old.id]);
    let again = breaches::decide(
        &mut s,
        recent.id,
        BreachDecision {
            reportable: true,
            reason: "Changed".into(),
            ico_told_at: None,
            ico_reference: None,
            clients_told_at: None,
            clients_not_told_reason: None,
        },
    );
    assert!(is_rule(&again.unwrap_err(), "already decided"));

    breaches::decide(
        &mut s,
        old.id,
        BreachDecision {
            reportable: true,
            reason: "Health data of a client".into(),
            ico_told_at: None,
            ico_reference: None,
            clients_told_at: None,
            clients_not_told_reason: None,
        },
    )
    .unwrap();
    let told = breaches::record_told(
        &mut s,
        old.id,
        breaches::BreachTold {
            ico_told_at: Some(now - Duration::minutes(5)),
            ico_reference: Some("IC-123".into()),
            clients_told_at: None,
            clients_not_told_reason: None,
        },
    )
    .unwrap();
    assert_eq!(told.ico_reference.as_deref(), Some("IC-123"));
    assert!(breaches::open_clocks(&s, now).unwrap().is_empty());
    let conn = s.conn().unwrap();
    assert!(conn
        .execute("DELETE FROM breaches WHERE id = ?1", [old.id])
        .is_err());
    assert!(conn
        .execute("UPDATE breaches SET reportable = 0 WHERE id = ?1", [old.id])
        .is_err());
    assert_eq!(breaches::list(&s).unwrap().len(), 2);
    s.verify_audit().unwrap();
}

// ---- destruction --------------------------------------------------------------------------

#[test]
fn destroying_a_client_removes_all_their_rights_records() {
    let (_v, mut s) = vault();
    let mut details = ClientDetails::named("Ned", "Gone");
    details.status = ClientStatus::Ended;
    details.therapy_started_on = Some(d(2009, 1, 5));
    details.therapy_ended_on = Some(d(2010, 1, 5));
    let client = clients::add(&mut s, details).unwrap();
    let c = client.id;
    let keep = active(&mut s, "Ola");
    let note = signed_note(&mut s, c, "Note.");
    let form = attachments::add(&mut s, c, None, "form.pdf", b"%PDF-1.4 form").unwrap();
    consents::add(
        &mut s,
        c,
        NewConsent {
            kind: ConsentKind::TreatmentContract,
            given_on: d(2009, 1, 5),
            scope: None,
            evidence_attachment_id: Some(form.id),
            destroy_recording_by: None,
        },
    )
    .unwrap();
    let first =
        disclosures::add(&mut s, c, disclosure(ClientTold::Yes { on: d(2025, 6, 2) })).unwrap();
    let mut corr = disclosure(ClientTold::Yes { on: d(2025, 6, 2) });
    corr.corrects_id = Some(first.id);
    corr.correction_note = Some("Recipient's role corrected".into());
    disclosures::add(&mut s, c, corr).unwrap();
    let rect = requests::add(
        &mut s,
        c,
        request(
            RequestKind::Rectification,
            d(2025, 1, 2),
            Some(d(2025, 1, 2)),
        ),
    )
    .unwrap();
    requests::rectify(&mut s, rect.id, note, "Correction", "Text").unwrap();
    let restr = requests::add(
        &mut s,
        c,
        request(RequestKind::Restriction, d(2025, 1, 2), Some(d(2025, 1, 2))),
    )
    .unwrap();
    requests::decide(
        &mut s,
        restr.id,
        Outcome::Granted,
        "Contested",
        d(2025, 1, 3),
    )
    .unwrap();
    // Another client's records stay.
    let kept = requests::add(
        &mut s,
        keep,
        request(RequestKind::Access, d(2025, 1, 2), None),
    )
    .unwrap();

    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&client.case_ref).unwrap()],
        "Retention period passed; appraised",
        today(),
        &mut |_| {},
    )
    .unwrap();
    for table in ["consents", "disclosures", "rights_request_addenda"] {
        assert_eq!(
            count(&s, &format!("SELECT count(*) FROM {table}")),
            0,
            "{table}"
        );
    }
    assert_eq!(count(&s, "SELECT count(*) FROM rights_requests"), 1);
    assert_eq!(requests::get(&s, kept.id).unwrap().client_id, keep);
    s.verify_audit().unwrap();
}

// ---- the command line ---------------------------------------------------------------------

#[test]
fn the_command_line_records_extends_and_lists_requests() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let pass = pass.to_str().unwrap();
    let out = v.cli(&[
        "client",
        "add",
        "--given",
        "Pat",
        "--family",
        "Cli",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let case_ref = stdout(&out).trim().to_owned();

    let out = v.cli(&[
        "request",
        "add",
        &case_ref,
        "--kind",
        "access",
        "--received",
        "2025-01-31",
        "--identity-checked",
        "2025-01-31",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(text.contains("due 28 February 2025"), "{text}");
    let id = text.split_whitespace().next().unwrap().to_owned();

    let out = v.cli(&[
        "request",
        "add",
        &case_ref,
        "--kind",
        "erasure",
        "--received",
        "2025-02-01",
        "--json",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["id"].as_i64().is_some());
    assert!(j["due_on"].is_null());
    assert!(j["due"].as_str().unwrap().contains("identity"));

    let out = v.cli(&[
        "request",
        "extend",
        &id,
        "--told",
        "2025-02-10",
        "--reason",
        "Complex",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    assert!(stdout(&out).contains("28 April 2025"), "{}", stdout(&out));
    let out = v.cli(&[
        "request",
        "extend",
        &id,
        "--told",
        "2025-02-11",
        "--reason",
        "Again",
        "--months",
        "1",
        "--passphrase-file",
        pass,
    ]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    assert!(stderr(&out).contains("only once"));
    let out = v.cli(&[
        "request",
        "extend",
        &id,
        "--told",
        "2025-02-11",
        "--reason",
        "x",
        "--months",
        "3",
        "--passphrase-file",
        pass,
    ]);
    assert_eq!(code(&out), 2);

    let out = v.cli(&[
        "request",
        "decide",
        &id,
        "--outcome",
        "granted",
        "--reason",
        "All records sent",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let out = v.cli(&["request", "complete", &id, "--passphrase-file", pass]);
    assert_success(&out);
    let out = v.cli(&["request", "list", "--json", "--passphrase-file", pass]);
    assert_success(&out);
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let id_num: i64 = id.parse().unwrap();
    let done = list.iter().find(|r| r["id"] == id_num).unwrap();
    assert_eq!(done["due_on"], "2025-04-28");
    assert_eq!(done["completed_on"], today().to_string());
    assert_eq!(done["decision"]["outcome"], "granted");

    let out = v.cli(&[
        "consent",
        "add",
        &case_ref,
        "--kind",
        "session_recording",
        "--given",
        "2025-01-05",
        "--passphrase-file",
        pass,
    ]);
    assert_eq!(code(&out), 6, "{}", stderr(&out));
    let out = v.cli(&[
        "consent",
        "add",
        &case_ref,
        "--kind",
        "session_recording",
        "--given",
        "2025-01-05",
        "--destroy-recording-by",
        "2025-07-05",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let cid = stdout(&out).trim().to_owned();
    assert_success(&v.cli(&[
        "consent",
        "withdraw",
        &cid,
        "--on",
        "2025-02-05",
        "--passphrase-file",
        pass,
    ]));
    let out = v.cli(&["consent", "list", &case_ref, "--passphrase-file", pass]);
    assert!(
        stdout(&out).contains("withdrawn 5 February 2025"),
        "{}",
        stdout(&out)
    );

    let out = v.cli(&[
        "disclosure",
        "add",
        &case_ref,
        "--on",
        "2025-03-01",
        "--to",
        "Dr Example",
        "--organisation",
        "GP surgery",
        "--what",
        "Risk summary",
        "--basis",
        "serious_harm",
        "--rationale",
        "Immediate risk",
        "--told-on",
        "2025-03-01",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let out = v.cli(&["disclosure", "list", &case_ref, "--passphrase-file", pass]);
    assert!(
        stdout(&out).contains("Serious harm to self or others"),
        "{}",
        stdout(&out)
    );

    let out = v.cli(&[
        "breach",
        "add",
        "--what",
        "Laptop stolen",
        "--who",
        "All clients",
        "--records",
        "None: encrypted",
        "--risk",
        "Low",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let bid = stdout(&out).split_whitespace().next().unwrap().to_owned();
    let out = v.cli(&["breach", "list", "--passphrase-file", pass]);
    assert!(stdout(&out).contains("hours left"), "{}", stdout(&out));
    let out = v.cli(&[
        "breach",
        "decide",
        &bid,
        "--reportable",
        "no",
        "--reason",
        "Vault encrypted",
        "--passphrase-file",
        pass,
    ]);
    assert_success(&out);
    let out = v.cli(&["breach", "list", "--passphrase-file", pass]);
    assert!(stdout(&out).contains("not reportable"), "{}", stdout(&out));
    assert_success(&v.cli(&["audit", "verify", "--passphrase-file", pass]));
}
