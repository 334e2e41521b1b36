//! Today: what it lists and what it leaves out, on a real vault.

mod common;

use casenotes::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::domain::today;
use casenotes::vault::{Session, Unlock, Vault};
use chrono::{Duration, Local, Utc};
use common::*;

fn unlocked(v: &TestVault) -> Session {
    Vault::open(&v.dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap()
}

fn client(s: &mut Session, given: &str) -> i64 {
    let mut d = ClientDetails::named(given, "Tester");
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-12".parse().unwrap());
    clients::add(s, d).unwrap().id
}

fn appointment(s: &mut Session, client_id: i64, starts: chrono::DateTime<Utc>) -> i64 {
    appointments::add(
        s,
        AppointmentDetails {
            client_id,
            starts_at: starts,
            minutes: 50,
            mode: Mode::InPerson,
            attendance: Attendance::Booked,
            fee_pence: None,
            paid: false,
        },
    )
    .unwrap()
    .id
}

fn draft_for(s: &mut Session, client_id: i64, appointment: Option<i64>) -> i64 {
    let n = notes::create(
        s,
        client_id,
        NoteKind::Session,
        Template::Free,
        "Talked about the week.",
        false,
    )
    .unwrap();
    notes::link_appointment(s, n.id, appointment).unwrap();
    n.id
}

#[test]
fn drafts_unsigned_48_hours_after_their_session_are_listed_oldest_first() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let now = Utc::now();
    let ann = client(&mut s, "Ann");
    let ben = client(&mut s, "Ben");

    let three_days_ago = appointment(&mut s, ann, now - Duration::days(3));
    let five_days_ago = appointment(&mut s, ben, now - Duration::days(5));
    let yesterday = appointment(&mut s, ann, now - Duration::hours(20));
    let old_signed = appointment(&mut s, ben, now - Duration::days(4));

    let late_ann = draft_for(&mut s, ann, Some(three_days_ago));
    let late_ben = draft_for(&mut s, ben, Some(five_days_ago));
    let recent = draft_for(&mut s, ann, Some(yesterday));
    let signed = draft_for(&mut s, ben, Some(old_signed));
    notes::sign(&mut s, signed).unwrap();
    // A draft with no appointment counts from when it was started (just now): not late.
    let loose = draft_for(&mut s, ben, None);

    let listed = today::unsigned_notes(&s, now).unwrap();
    let ids: Vec<i64> = listed.iter().map(|n| n.note_id).collect();
    assert_eq!(ids, vec![late_ben, late_ann], "{listed:?}");
    assert_eq!(listed[0].case_ref, "C-0002");
    assert!(
        (119..=121).contains(&listed[0].hours_unsigned),
        "{listed:?}"
    );
    assert!(!ids.contains(&recent) && !ids.contains(&signed) && !ids.contains(&loose));

    // Two days on, the loose draft and yesterday's are late too; signing one removes it.
    let later = now + Duration::hours(49);
    let ids: Vec<i64> = today::unsigned_notes(&s, later)
        .unwrap()
        .iter()
        .map(|n| n.note_id)
        .collect();
    assert_eq!(ids, vec![late_ben, late_ann, recent, loose]);
    notes::sign(&mut s, late_ann).unwrap();
    let ids: Vec<i64> = today::unsigned_notes(&s, later)
        .unwrap()
        .iter()
        .map(|n| n.note_id)
        .collect();
    assert_eq!(ids, vec![late_ben, recent, loose]);
}

#[test]
fn today_lists_only_todays_appointments() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = client(&mut s, "Ann");
    let now = Utc::now();
    // Noon today and noon tomorrow, local time, so the test holds at any hour it runs.
    let noon = Local::now()
        .date_naive()
        .and_hms_opt(12, 0, 0)
        .unwrap()
        .and_local_timezone(Local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    let today_id = appointment(&mut s, ann, noon);
    appointment(&mut s, ann, noon + Duration::days(1));
    appointment(&mut s, ann, noon - Duration::days(1));
    let t = today::gather(&s, now).unwrap();
    assert_eq!(t.date, Local::now().date_naive());
    let ids: Vec<i64> = t.appointments.iter().map(|a| a.id).collect();
    assert_eq!(ids, vec![today_id]);
    assert_eq!(t.retention_due, 0);
}

#[test]
fn risk_reviews_due_within_a_week_and_recent_measure_alerts_are_listed() {
    use casenotes::domain::measures::{self, MeasureKind};
    use casenotes::domain::risk::{self, DomainStatus, RiskContent};

    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let ann = client(&mut s, "Ann");
    let ben = client(&mut s, "Ben");
    let now = Utc::now();
    let today_local = Local::now().date_naive();

    // Ann's review falls due in 3 days; Ben's in 30 (not listed).
    for (who, days) in [(ann, 3), (ben, 30)] {
        let mut content = RiskContent::default();
        content.domains[0].status = DomainStatus::NoConcerns;
        content.overall_concern = "Low concern at present.".into();
        content.review_on = Some(today_local + Duration::days(days));
        let draft = risk::create(&mut s, who, content).unwrap();
        risk::sign(&mut s, draft.id, today_local).unwrap();
    }
    // PHQ-9 with item 9 scored for Ben a week ago, one without for Ann, and one with from two
    // months ago for Ann (too old for Today).
    let mut items = [1u8, 1, 1, 1, 1, 1, 1, 1, 2];
    let alert = measures::add(
        &mut s,
        ben,
        MeasureKind::Phq9,
        today_local - Duration::days(7),
        &items,
    )
    .unwrap();
    measures::add(
        &mut s,
        ann,
        MeasureKind::Phq9,
        today_local - Duration::days(60),
        &items,
    )
    .unwrap();
    items[8] = 0;
    measures::add(&mut s, ann, MeasureKind::Phq9, today_local, &items).unwrap();

    let t = today::gather(&s, now).unwrap();
    let reviews: Vec<(&str, bool)> = t
        .risk_reviews
        .iter()
        .map(|r| (r.case_ref.as_str(), r.overdue))
        .collect();
    assert_eq!(reviews, vec![("C-0001", false)]);
    let alerts: Vec<(i64, u8, u8)> = t
        .measure_alerts
        .iter()
        .map(|a| (a.measure_id, a.item, a.score))
        .collect();
    assert_eq!(alerts, vec![(alert.id, 9, 2)]);
    assert!(t.capacity_reviews.is_empty());
}
