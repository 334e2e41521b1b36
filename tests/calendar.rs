//! The calendar export: the `.ics` file parses with an independent parser (Python's
//! `icalendar`, installed by scripts/install-deps.sh beside the SQLCipher client), carries each
//! upcoming appointment's case reference, time and way of meeting, leaves cancelled and distant
//! ones out, and holds no client's name, email or phone number anywhere in its bytes.

mod common;

use std::process::Command;

use casenotes::domain::appointments::{self, AppointmentDetails, Attendance, Mode};
use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::export::calendar;
use casenotes::vault::Session;
use chrono::{DateTime, Duration, DurationRound, Local, Utc};
use common::*;

const SECRETS: &[&str] = &[
    "Marguerite",
    "Featherstonehaugh",
    "Meg",
    "marguerite.f@example.org",
    "07700 900123",
    "07700900123",
    "Bartholomew",
    "Quillfeather",
    "07700 900456",
    "b.quill@example.net",
    "12 Orchard Lane",
];

fn client(s: &mut Session, given: &str, family: &str, email: &str, phone: &str) -> clients::Client {
    let mut d = ClientDetails::named(given, family);
    d.status = ClientStatus::Active;
    d.therapy_started_on = Some("2026-01-05".parse().unwrap());
    d.email = Some(email.to_owned());
    d.phone = Some(phone.to_owned());
    d.address = Some("12 Orchard Lane, Bristol".to_owned());
    d.emergency_name = Some("Bartholomew Quillfeather".to_owned());
    d.emergency_phone = Some("07700 900456".to_owned());
    clients::add(s, d).unwrap()
}

fn book(
    s: &mut Session,
    client_id: i64,
    starts_at: DateTime<Utc>,
    mode: Mode,
    attendance: Attendance,
) {
    appointments::add(
        s,
        AppointmentDetails {
            client_id,
            starts_at,
            minutes: 50,
            mode,
            attendance,
            fee_pence: Some(6500),
            paid: false,
        },
    )
    .unwrap();
}

/// Parses the file with Python's icalendar and answers (version, events), each event as
/// (summary, start, end, uid, parse errors).
fn parse_with_python(path: &std::path::Path) -> serde_json::Value {
    let script = r#"
import sys, json, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
events = []
for ev in cal.walk('VEVENT'):
    events.append({
        'summary': str(ev['SUMMARY']),
        'description': str(ev['DESCRIPTION']),
        'start': ev.decoded('DTSTART').isoformat(),
        'end': ev.decoded('DTEND').isoformat(),
        'uid': str(ev['UID']),
        'errors': [str(e) for e in ev.errors],
    })
print(json.dumps({'version': str(cal['VERSION']), 'prodid': str(cal['PRODID']), 'errors': [str(e) for e in cal.errors], 'events': events}))
"#;
    let out = Command::new(python_with_sqlcipher())
        .args(["-c", script])
        .arg(path)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "icalendar could not read the file: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json from python")
}

#[test]
fn the_ics_parses_independently_and_holds_case_references_and_times_but_no_names() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let meg = client(
        &mut s,
        "Marguerite",
        "Featherstonehaugh",
        "marguerite.f@example.org",
        "07700 900123",
    );
    let mut d = clients::get(&s, meg.id).unwrap().details;
    d.preferred_name = Some("Meg".to_owned());
    clients::update(&mut s, meg.id, d).unwrap();
    let other = client(
        &mut s,
        "Bartholomew",
        "Quillfeather",
        "b.quill@example.net",
        "07700900123",
    );

    let hour = Utc::now().duration_trunc(Duration::hours(1)).unwrap();
    let first = hour + Duration::days(1) + Duration::hours(2);
    let second = hour + Duration::days(3);
    book(&mut s, meg.id, first, Mode::Video, Attendance::Booked);
    book(&mut s, other.id, second, Mode::InPerson, Attendance::Booked);
    // Attendance is recorded only once the time has passed: a cancelled one at the start of
    // today, inside the export's range.
    let start_of_today = Local::now()
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_local_timezone(Local)
        .earliest()
        .unwrap()
        .with_timezone(&Utc);
    book(
        &mut s,
        meg.id,
        start_of_today,
        Mode::Phone,
        Attendance::Cancelled,
    );
    book(
        &mut s,
        other.id,
        hour + Duration::days(40),
        Mode::Phone,
        Attendance::Booked,
    );

    let path = v.tmp.path().join("appointments.ics");
    let done = calendar::export(&s, &path, 28).unwrap();
    assert_eq!(
        done.appointments, 2,
        "the cancelled one and the one in 40 days are left out"
    );

    let bytes = std::fs::read(&path).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    for secret in SECRETS {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} is in the calendar file"
        );
    }
    assert!(
        !text.replace("@casenotes", "").contains('@'),
        "no email address"
    );
    assert!(!text.contains("6500") && !text.contains("65.00"), "no fee");
    // RFC 5545: CRLF line ends, no line over 75 octets.
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
        assert!(!line.contains('\n'), "a bare LF");
    }

    let parsed = parse_with_python(&path);
    assert_eq!(parsed["version"], "2.0");
    assert_eq!(parsed["errors"], serde_json::json!([]));
    let events = parsed["events"].as_array().unwrap();
    assert_eq!(events.len(), 2);
    let expect = [
        (&meg.case_ref, first, "video"),
        (&other.case_ref, second, "in person"),
    ];
    for (event, (case_ref, start, mode)) in events.iter().zip(expect) {
        assert_eq!(event["summary"], format!("{case_ref} ({mode})"));
        assert_eq!(event["start"], start.to_rfc3339());
        assert_eq!(event["end"], (start + Duration::minutes(50)).to_rfc3339());
        assert!(event["description"]
            .as_str()
            .unwrap()
            .contains(case_ref.as_str()));
        assert_eq!(event["errors"], serde_json::json!([]));
    }
    assert_ne!(events[0]["uid"], events[1]["uid"]);

    // The export is in the audit log, with a count and nothing else.
    let entry = casenotes::audit::list(s.conn().unwrap(), Some(1))
        .unwrap()
        .remove(0);
    assert_eq!(entry.action, "calendar_exported");
    assert_eq!(
        entry.detail,
        serde_json::json!({ "appointments": 2, "days": 28 })
    );

    // Out of range: refused, nothing written.
    let err = calendar::export(&s, &v.tmp.path().join("none.ics"), 0).unwrap_err();
    assert_eq!(err.exit_code(), 6);
    assert!(!v.tmp.path().join("none.ics").exists());
    s.lock().unwrap();

    // The CLI: --days reaches the one 40 days ahead; the file is replaced, not appended to.
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "calendar",
        "export",
        "--out",
        path.to_str().unwrap(),
        "--days",
        "60",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("Wrote 3 appointments over the next 60 days"),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("not encrypted"));
    let parsed = parse_with_python(&path);
    assert_eq!(parsed["events"].as_array().unwrap().len(), 3);
    let text = std::fs::read_to_string(&path).unwrap();
    for secret in SECRETS {
        assert!(
            !text.to_lowercase().contains(&secret.to_lowercase()),
            "{secret} via the CLI"
        );
    }
}
