//! Appointments (day view, attendance rules, fees) and attachments (kept inside the vault,
//! size limit, saved out only on request and audited).

mod common;

use casenotes::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use casenotes::domain::attachments;
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::vault::Session;
use casenotes::Error;
use chrono::{Duration, Local, TimeZone, Utc};
use common::*;

fn client(s: &mut Session, given: &str) -> i64 {
    let mut d = ClientDetails::named(given, "Example");
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-05".parse().unwrap());
    clients::add(s, d).unwrap().id
}

#[test]
fn day_view_shows_one_local_day_in_order() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let (a, b) = (client(&mut s, "Ann"), client(&mut s, "Ben"));
    let at = |d: u32, h: u32| {
        Local
            .with_ymd_and_hms(2026, 3, d, h, 0, 0)
            .unwrap()
            .with_timezone(&Utc)
    };
    let appt = |client_id, starts_at| AppointmentDetails {
        client_id,
        starts_at,
        minutes: 50,
        mode: Mode::InPerson,
        attendance: Attendance::Attended,
        fee_pence: Some(6000),
        paid: true,
    };
    appointments::add(&mut s, appt(b, at(3, 15))).unwrap();
    appointments::add(&mut s, appt(a, at(3, 9))).unwrap();
    appointments::add(&mut s, appt(a, at(4, 0))).unwrap();
    appointments::add(&mut s, appt(a, at(2, 23))).unwrap();
    let day = appointments::day(&s, "2026-03-03".parse().unwrap()).unwrap();
    assert_eq!(day.len(), 2);
    assert_eq!(day[0].details.client_id, a);
    assert_eq!(day[1].case_ref, "C-0002");
    assert_eq!(appointments::for_client(&s, a).unwrap().len(), 3);

    // Rules: sensible length, a fee when paid, no attendance recorded for the future.
    let mut bad = appt(a, at(5, 10));
    bad.minutes = 2;
    assert!(matches!(
        appointments::add(&mut s, bad),
        Err(Error::RecordRule { .. })
    ));
    let mut bad = appt(a, at(5, 10));
    bad.fee_pence = None;
    assert!(matches!(
        appointments::add(&mut s, bad),
        Err(Error::RecordRule { .. })
    ));
    let mut future = appt(a, Utc::now() + Duration::days(7));
    assert!(matches!(
        appointments::add(&mut s, future.clone()),
        Err(Error::RecordRule { .. })
    ));
    future.attendance = Attendance::Booked;
    future.paid = false;
    let booked = appointments::add(&mut s, future).unwrap();
    assert_eq!(booked.details.attendance, Attendance::Booked);
    assert!(matches!(
        appointments::add(&mut s, appt(999, at(6, 10))),
        Err(Error::NotFound { .. })
    ));

    // A draft note links to its appointment; the link is final once signed.
    let first = appointments::day(&s, "2026-03-03".parse().unwrap()).unwrap()[0].id;
    let note = notes::create(&mut s, a, NoteKind::Session, Template::Free, "Seen.", false).unwrap();
    let note = notes::link_appointment(&mut s, note.id, Some(first)).unwrap();
    assert_eq!(note.appointment_id, Some(first));
    let ben_appt = appointments::day(&s, "2026-03-03".parse().unwrap()).unwrap()[1].id;
    assert!(matches!(
        notes::link_appointment(&mut s, note.id, Some(ben_appt)),
        Err(Error::RecordRule { .. })
    ));
    let signed = notes::sign(&mut s, note.id).unwrap();
    assert!(signed.signature_holds());
    assert!(matches!(
        notes::link_appointment(&mut s, note.id, None),
        Err(Error::RecordRule { .. })
    ));
}

#[test]
fn attachments_live_inside_the_vault_and_leave_only_on_request() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let a = client(&mut s, "Ann");
    let marker = b"%PDF-1.7 ATTACHMENT-CANARY-GP-letter-4471 ";
    let mut pdf = marker.to_vec();
    pdf.extend(std::iter::repeat_n(b'x', 200_000));
    let source = v.tmp.path().join("gp-letter.pdf");
    std::fs::write(&source, &pdf).unwrap();

    let info = attachments::add_file(&mut s, a, None, &source).unwrap();
    assert_eq!(info.media_type, "application/pdf");
    assert_eq!(info.file_name, "gp-letter.pdf");
    assert_eq!(info.size_bytes, pdf.len() as i64);
    // Nothing of it is readable in the vault folder.
    for path in files_under(&v.dir) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes.windows(20).any(|w| w == &marker[9..29]),
            "plaintext in {}",
            path.display()
        );
    }
    let (meta, content) = attachments::open(&s, info.id).unwrap();
    assert_eq!(meta.sha256, info.sha256);
    assert_eq!(&content[..], &pdf[..]);

    // Over the limit: a clear refusal, nothing stored.
    let big = vec![0u8; attachments::MAX_BYTES + 1];
    let err = attachments::add(&mut s, a, None, "scan.png", &big).unwrap_err();
    assert!(err.to_string().contains("at most 25 MB"), "{err}");
    assert_eq!(attachments::for_client(&s, a).unwrap().len(), 1);

    // Attached to a note, it must be that client's note.
    let b = client(&mut s, "Ben");
    let ben_note = notes::create(
        &mut s,
        b,
        NoteKind::Letter,
        Template::Free,
        "Letter.",
        false,
    )
    .unwrap();
    assert!(matches!(
        attachments::add(&mut s, a, Some(ben_note.id), "x.txt", b"hi"),
        Err(Error::RecordRule { .. })
    ));

    // Saving a copy out writes exactly the bytes, never overwrites, and is audited.
    let out = v.tmp.path().join("copy.pdf");
    attachments::save_copy(&s, info.id, &out).unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), pdf);
    assert!(matches!(
        attachments::save_copy(&s, info.id, &out),
        Err(Error::RecordRule { .. })
    ));
    let log = casenotes::audit::list(s.conn().unwrap(), Some(5)).unwrap();
    assert!(log.iter().any(|e| e.action == "attachment_saved_out"));

    // A link planted at the name is not followed or replaced, and no error names the file.
    let planted = v.tmp.path().join("Jane Doe referral.pdf");
    #[cfg(unix)]
    std::os::unix::fs::symlink(v.tmp.path().join("elsewhere.pdf"), &planted).unwrap();
    #[cfg(unix)]
    {
        let e = attachments::save_copy(&s, info.id, &planted).unwrap_err();
        assert!(matches!(e, Error::RecordRule { .. }), "{e}");
        assert!(!e.to_string().contains("Jane"), "{e}");
        assert!(!v.tmp.path().join("elsewhere.pdf").exists());
    }
    // Only ordinary files are attached: not a folder, not a device that never ends.
    for not_a_file in [
        v.tmp.path().to_owned(),
        std::path::PathBuf::from("/dev/zero"),
    ] {
        let e = attachments::add_file(&mut s, a, None, &not_a_file).unwrap_err();
        assert!(
            matches!(e, Error::RecordRule { .. }),
            "{}: {e}",
            not_a_file.display()
        );
    }
    let missing = v.tmp.path().join("Jane Doe letter.pdf");
    let e = attachments::add_file(&mut s, a, None, &missing).unwrap_err();
    assert!(!e.to_string().contains("Jane"), "{e}");
}

#[test]
fn the_client_file_merges_notes_and_appointments_newest_first() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let a = client(&mut s, "Ann");
    let when = Utc::now() - Duration::days(3);
    let appt = appointments::add(
        &mut s,
        AppointmentDetails {
            client_id: a,
            starts_at: when,
            minutes: 50,
            mode: Mode::Video,
            attendance: Attendance::Attended,
            fee_pence: None,
            paid: false,
        },
    )
    .unwrap();
    let note = notes::create(
        &mut s,
        a,
        NoteKind::Session,
        Template::Free,
        "**Bold** <b>raw</b>",
        false,
    )
    .unwrap();
    notes::sign(&mut s, note.id).unwrap();
    attachments::add(&mut s, a, Some(note.id), "letter.txt", b"Dear Dr").unwrap();
    let file = casenotes::domain::client_file::open(&s, "C-0001").unwrap();
    assert_eq!(file.timeline.len(), 2);
    match &file.timeline[0] {
        casenotes::domain::client_file::TimelineEntry::Note(n) => {
            assert!(
                n.html.contains("<strong>Bold</strong>") && n.html.contains("&lt;b&gt;"),
                "{}",
                n.html
            );
            assert!(n.signature_holds);
        }
        other => panic!("note first, got {other:?}"),
    }
    match &file.timeline[1] {
        casenotes::domain::client_file::TimelineEntry::Appointment(x) => assert_eq!(x.id, appt.id),
        other => panic!("appointment second, got {other:?}"),
    }
    assert_eq!(file.attachments.len(), 1);
    let json = serde_json::to_value(&file).unwrap();
    assert_eq!(json["timeline"][0]["type"], "note");
}
