//! Appointments: when, how long, how (in person, video, phone), whether the client came, and the
//! fee (in pence) and whether it was paid, which the practitioner keeps for tax.
//!
//! Owns `appointments`. Times are stored in UTC and shown in the practitioner's local time; the
//! day view asks for one local calendar day.

use chrono::{DateTime, Local, NaiveDate, SecondsFormat, TimeZone, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    InPerson,
    Video,
    Phone,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Attendance {
    Booked,
    Attended,
    Cancelled,
    DidNotAttend,
}

macro_rules! text_enum {
    ($t:ty, $what:literal, $($v:ident => $s:literal),+) => {
        impl $t {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$v => $s),+ }
            }
            pub fn parse(text: &str) -> Result<Self> {
                match text {
                    $($s => Ok(Self::$v),)+
                    _ => Err(Error::rule(
                        format!("'{text}' is not {}.", $what),
                        format!("Use one of: {}.", [$($s),+].join(", ")),
                    )),
                }
            }
        }
    };
}
text_enum!(Mode, "a way of meeting", InPerson => "in_person", Video => "video", Phone => "phone");
text_enum!(Attendance, "an attendance", Booked => "booked", Attended => "attended",
    Cancelled => "cancelled", DidNotAttend => "did_not_attend");

/// What the practitioner enters for an appointment.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppointmentDetails {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub starts_at: DateTime<Utc>,
    pub minutes: u32,
    pub mode: Mode,
    pub attendance: Attendance,
    pub fee_pence: Option<u32>,
    pub paid: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Appointment {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub case_ref: String,
    #[serde(flatten)]
    pub details: AppointmentDetails,
}

fn check(d: &AppointmentDetails) -> Result<()> {
    if !(5..=480).contains(&d.minutes) {
        return Err(Error::rule(
            "An appointment lasts between 5 minutes and 8 hours.",
            "Check the length in minutes.",
        ));
    }
    if d.paid && d.fee_pence.is_none() {
        return Err(Error::rule(
            "An appointment marked paid needs a fee.",
            "Enter the fee, or untick paid.",
        ));
    }
    if d.attendance != Attendance::Booked && d.starts_at > Utc::now() {
        return Err(Error::rule(
            "Attendance can only be recorded once the appointment time has passed.",
            "Leave it as booked until then.",
        ));
    }
    Ok(())
}

fn stamp(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub fn add(session: &mut Session, d: AppointmentDetails) -> Result<Appointment> {
    check(&d)?;
    let tx = session.conn_mut()?.transaction()?;
    let now = stamp(&Utc::now());
    tx.execute(
        "INSERT INTO appointments (client_id, starts_at, minutes, mode, attendance, fee_pence, paid, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![d.client_id, stamp(&d.starts_at), d.minutes, d.mode.as_str(), d.attendance.as_str(), d.fee_pence, d.paid, now],
    )
    .map_err(|e| match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => Error::NotFound {
            what: "client",
            id: d.client_id.to_string(),
        },
        _ => e.into(),
    })?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::AppointmentAdded,
        Some(&id.to_string()),
        json!({ "client_id": d.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Imports a past appointment inside the caller's transaction (demo practices, migration).
pub(crate) fn import(conn: &rusqlite::Connection, d: &AppointmentDetails) -> Result<i64> {
    check(d)?;
    let at = stamp(&d.starts_at);
    conn.prepare_cached(
        "INSERT INTO appointments (client_id, starts_at, minutes, mode, attendance, fee_pence, paid, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?2, ?2)",
    )?
    .execute(params![d.client_id, at, d.minutes, d.mode.as_str(), d.attendance.as_str(), d.fee_pence, d.paid])?;
    Ok(conn.last_insert_rowid())
}

/// Records attendance and payment once the appointment has happened.
pub fn update(session: &mut Session, id: i64, d: AppointmentDetails) -> Result<Appointment> {
    check(&d)?;
    get(session, id)?;
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE appointments SET client_id = ?1, starts_at = ?2, minutes = ?3, mode = ?4, attendance = ?5,
             fee_pence = ?6, paid = ?7, updated_at = ?8 WHERE id = ?9",
        params![d.client_id, stamp(&d.starts_at), d.minutes, d.mode.as_str(), d.attendance.as_str(), d.fee_pence, d.paid, stamp(&Utc::now()), id],
    )?;
    audit::append(
        &tx,
        Action::AppointmentUpdated,
        Some(&id.to_string()),
        json!({ "client_id": d.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

const SELECT: &str =
    "SELECT a.id, c.case_ref, a.client_id, a.starts_at, a.minutes, a.mode, a.attendance,
    a.fee_pence, a.paid FROM appointments a JOIN clients c ON c.id = a.client_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Appointment> {
    let starts: String = r.get(3)?;
    let mode: String = r.get(5)?;
    let attendance: String = r.get(6)?;
    Ok(Appointment {
        id: r.get(0)?,
        case_ref: r.get(1)?,
        details: AppointmentDetails {
            client_id: r.get(2)?,
            starts_at: DateTime::parse_from_rfc3339(&starts)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| {
                    rusqlite::Error::FromSqlConversionFailure(
                        3,
                        rusqlite::types::Type::Text,
                        Box::new(e),
                    )
                })?,
            minutes: r.get(4)?,
            // CHECK constraints allow only the values these parse.
            mode: Mode::parse(&mode).unwrap_or(Mode::InPerson),
            attendance: Attendance::parse(&attendance).unwrap_or(Attendance::Booked),
            fee_pence: r.get(7)?,
            paid: r.get(8)?,
        },
    })
}

pub fn get(session: &Session, id: i64) -> Result<Appointment> {
    session
        .conn()?
        .query_row(&format!("{SELECT} WHERE a.id = ?1"), [id], from_row)
        .optional()?
        .ok_or(Error::NotFound {
            what: "appointment",
            id: id.to_string(),
        })
}

/// A client's appointments, oldest first.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Appointment>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.client_id = ?1 ORDER BY a.starts_at"
    ))?;
    let rows = stmt.query_map([client_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Everything on one local calendar day, in time order.
pub fn day(session: &Session, date: NaiveDate) -> Result<Vec<Appointment>> {
    let bound = |d: NaiveDate| -> Result<String> {
        let midnight = d
            .and_hms_opt(0, 0, 0)
            .ok_or_else(|| Error::rule("That date does not exist.", "Check it."))?;
        let local = Local
            .from_local_datetime(&midnight)
            .earliest()
            .ok_or_else(|| Error::rule("That day has no midnight here.", "Choose another day."))?;
        Ok(stamp(&local.with_timezone(&Utc)))
    };
    let next = date
        .succ_opt()
        .ok_or_else(|| Error::rule("That date is out of range.", "Check it."))?;
    let (from, to) = (bound(date)?, bound(next)?);
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "{SELECT} WHERE a.starts_at >= ?1 AND a.starts_at < ?2 ORDER BY a.starts_at"
    ))?;
    let rows = stmt.query_map([from, to], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}
