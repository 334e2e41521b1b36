//! Calendar export: an iCalendar file (RFC 5545, `.ics`) of the practitioner's upcoming
//! appointments, for their own calendar program.
//!
//! The file leaves the vault unencrypted, so it carries only what a calendar needs: the case
//! reference, the start and end time and the way of meeting (in person, video, phone). It never
//! carries a client's name, contact details, notes or fee; a test reads the file back with an
//! independent parser (Python's `icalendar`) and looks for names, emails and phone numbers.
//!
//! The text is written here rather than with a crate: a handful of properties, each TEXT value
//! escaped (backslash, semicolon, comma, newline) and every line folded at 75 octets with CRLF,
//! as RFC 5545 section 3.1 and 3.3.11 require. Cancelled appointments are left out. Writing the
//! file is recorded in the audit log with the number of appointments, nothing else.

use std::path::Path;

use chrono::{DateTime, Duration, Local, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::appointments::{self, Appointment, Attendance, Mode};
use crate::error::{Error, Result};
use crate::vault::Session;

/// Days ahead exported when none is given.
pub const DEFAULT_DAYS: u32 = 28;
/// The most days ahead one export covers (a year and a day, for a leap year).
pub const MAX_DAYS: u32 = 366;

/// What an export wrote.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarExport {
    pub path: String,
    pub appointments: u32,
    pub days: u32,
}

/// Escapes a TEXT value (RFC 5545 section 3.3.11).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends one content line, folded so that no line is longer than 75 octets (RFC 5545
/// section 3.1), never splitting a UTF-8 character, each line ending in CRLF.
fn push_line(out: &mut String, line: &str) {
    let mut width = 0;
    for c in line.chars() {
        // A continuation line starts with one space, which counts towards its 75.
        if width + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += c.len_utf8();
    }
    out.push_str("\r\n");
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.format("%Y%m%dT%H%M%SZ").to_string()
}

fn mode_words(mode: Mode) -> &'static str {
    match mode {
        Mode::InPerson => "in person",
        Mode::Video => "video",
        Mode::Phone => "phone",
    }
}

/// The appointments an export covers: from the start of today (local time) for `days` days,
/// cancelled ones left out, in time order.
pub fn upcoming(session: &Session, days: u32) -> Result<Vec<Appointment>> {
    check_days(days)?;
    let today = Local::now().date_naive();
    let mut out = Vec::new();
    for offset in 0..days {
        let day = today + Duration::days(i64::from(offset));
        out.extend(
            appointments::day(session, day)?
                .into_iter()
                .filter(|a| a.details.attendance != Attendance::Cancelled),
        );
    }
    Ok(out)
}

fn check_days(days: u32) -> Result<()> {
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(Error::rule(
            format!("A calendar export covers between 1 and {MAX_DAYS} days ahead."),
            "Choose a number of days in that range.",
        ));
    }
    Ok(())
}

/// The iCalendar text for `list`. `vault_id` makes each event's UID unique to this vault, so a
/// calendar program updates an appointment on the next import instead of adding it twice.
pub fn to_ics(list: &[Appointment], vault_id: &str, now: DateTime<Utc>) -> String {
    let mut out = String::new();
    let line = |out: &mut String, l: &str| push_line(out, l);
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        &format!(
            "PRODID:-//casenotes//casenotes {}//EN",
            env!("CARGO_PKG_VERSION")
        ),
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, "X-WR-CALNAME:casenotes appointments");
    for a in list {
        let start = a.details.starts_at;
        let end = start + Duration::minutes(i64::from(a.details.minutes));
        let mode = mode_words(a.details.mode);
        line(&mut out, "BEGIN:VEVENT");
        line(
            &mut out,
            &format!("UID:appointment-{}-{}@casenotes", a.id, escape(vault_id)),
        );
        line(&mut out, &format!("DTSTAMP:{}", stamp(&now)));
        line(&mut out, &format!("DTSTART:{}", stamp(&start)));
        line(&mut out, &format!("DTEND:{}", stamp(&end)));
        line(
            &mut out,
            &format!("SUMMARY:{}", escape(&format!("{} ({mode})", a.case_ref))),
        );
        line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                escape(&format!(
                    "Case reference {}, {} minutes, {mode}. Exported from casenotes.",
                    a.case_ref, a.details.minutes
                ))
            ),
        );
        line(&mut out, "CLASS:PRIVATE");
        line(&mut out, "TRANSP:OPAQUE");
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// Writes the `.ics` of the next `days` days to `path` (replacing a file already there, so the
/// same file can be refreshed each week) and records the export in the audit log.
pub fn export(session: &Session, path: &Path, days: u32) -> Result<CalendarExport> {
    let list = upcoming(session, days)?;
    let vault_id = session.vault().meta().vault_id.to_string();
    let text = to_ics(&list, &vault_id, Utc::now());
    crate::fsutil::write_atomic(path, text.as_bytes())?;
    audit::append(
        session.conn()?,
        Action::CalendarExported,
        None,
        json!({ "appointments": list.len(), "days": days }),
    )?;
    Ok(CalendarExport {
        path: path.display().to_string(),
        appointments: list.len() as u32,
        days,
    })
}

/// A default file name for the export: "casenotes-appointments-2026-03-03.ics".
pub fn default_file_name() -> String {
    format!(
        "casenotes-appointments-{}.ics",
        Local::now().date_naive().format("%Y-%m-%d")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let mut out = String::new();
        let long = format!("DESCRIPTION:{}", "é".repeat(100));
        push_line(&mut out, &long);
        for l in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{} octets", l.len());
        }
        let unfolded = out.replace("\r\n ", "");
        assert_eq!(unfolded, format!("{long}\r\n"));
    }
}
