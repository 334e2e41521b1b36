//! Today: what needs the practitioner's attention, gathered in one place after unlock so that
//! nothing slips: today's appointments, notes still unsigned 48 hours after their session, risk
//! and capacity reviews due within a week or overdue, alert items from recent outcome measures,
//! and how many records are due for destruction. (Rights requests and breach clocks are gathered
//! by `domain::requests` and `domain::breaches` and shown beside these.) A read model: it owns no table, writes nothing (not
//! even a view entry: it shows case references and times, never note text), and each line
//! carries the ids the screen needs to open the place to act.

use chrono::{DateTime, Duration, Local, NaiveDate, Utc};
use serde::Serialize;

use crate::domain::appointments::{self, Appointment};
use crate::domain::capacity::{self, CapacityReviewDue};
use crate::domain::measures::{self, MeasureAlert};
use crate::domain::risk::{self, ReviewDue};
use crate::error::Result;
use crate::retention;
use crate::vault::Session;

/// How long after its session a draft note may stay unsigned before Today lists it.
pub const UNSIGNED_AFTER_HOURS: i64 = 48;
/// Reviews falling due within this many days are listed, with those already overdue.
pub const REVIEWS_WITHIN_DAYS: u32 = 7;
/// Alert items from measures taken within this many days are listed.
pub const ALERTS_WITHIN_DAYS: i64 = 28;

/// A draft still unsigned 48 hours after the session it records (or after it was started, for a
/// note with no appointment).
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnsignedNote {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub note_id: i64,
    pub case_ref: String,
    /// When the session started, or when the draft was started if it records no appointment.
    pub since: DateTime<Utc>,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hours_unsigned: i64,
}

/// Everything Today shows.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Today {
    /// The practitioner's local date.
    pub date: NaiveDate,
    /// Today's appointments, in time order.
    pub appointments: Vec<Appointment>,
    /// Oldest first.
    pub unsigned_notes: Vec<UnsignedNote>,
    /// The latest signed risk assessment's review, due within a week or overdue.
    pub risk_reviews: Vec<ReviewDue>,
    /// Capacity decisions whose review is due within a week or overdue.
    pub capacity_reviews: Vec<CapacityReviewDue>,
    /// Alert items (PHQ-9 item 9, CORE-10 item 6 above 0) from the last four weeks, newest first.
    pub measure_alerts: Vec<MeasureAlert>,
    /// How many records are due for destruction under the current retention policy.
    pub retention_due: u32,
}

/// Reads the drafts through the partial index `notes_unsigned` (migration 12), never the whole
/// notes table.
const UNSIGNED_SQL: &str = "SELECT n.id, c.case_ref, COALESCE(a.starts_at, n.created_at) AS since
     FROM notes n
     JOIN clients c ON c.id = n.client_id
     LEFT JOIN appointments a ON a.id = n.appointment_id
     WHERE n.signed_at IS NULL
     ORDER BY since, n.id";

/// Drafts whose session (or, with none, whose start) is more than `UNSIGNED_AFTER_HOURS` before
/// `now`, oldest first.
pub fn unsigned_notes(session: &Session, now: DateTime<Utc>) -> Result<Vec<UnsignedNote>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(UNSIGNED_SQL)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let cutoff = now - Duration::hours(UNSIGNED_AFTER_HOURS);
    let mut out = Vec::new();
    for row in rows {
        let (note_id, case_ref, since) = row?;
        // Both columns are written by this crate as RFC 3339; a row that is not is skipped
        // rather than failing the whole screen.
        let Ok(since) = DateTime::parse_from_rfc3339(&since).map(|t| t.with_timezone(&Utc)) else {
            continue;
        };
        if since <= cutoff {
            out.push(UnsignedNote {
                note_id,
                case_ref,
                since,
                hours_unsigned: (now - since).num_hours(),
            });
        }
    }
    Ok(out)
}

/// Today as of `now`, for the practitioner's local calendar day.
pub fn gather(session: &Session, now: DateTime<Utc>) -> Result<Today> {
    let date = now.with_timezone(&Local).date_naive();
    let policy = retention::policy::current(session)?;
    let retention_due = retention::due::list(session, &policy, date)?
        .iter()
        .filter(|i| i.due)
        .count() as u32;
    Ok(Today {
        date,
        appointments: appointments::day(session, date)?,
        unsigned_notes: unsigned_notes(session, now)?,
        risk_reviews: risk::reviews_due(session, date, REVIEWS_WITHIN_DAYS)?,
        capacity_reviews: capacity::reviews_due(session, date, REVIEWS_WITHIN_DAYS)?,
        measure_alerts: measures::recent_alerts(
            session,
            date - Duration::days(ALERTS_WITHIN_DAYS),
        )?,
        retention_due,
    })
}

#[cfg(test)]
mod tests {
    use super::UNSIGNED_SQL;

    fn plan(conn: &rusqlite::Connection, sql: &str, params: &[&str]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                r.get::<_, String>(3)
            })
            .unwrap();
        rows.collect::<Result<Vec<_>, _>>().unwrap().join("\n")
    }

    /// Today runs at every unlock; neither of these questions may read every note in the vault
    /// (each page of seven years of notes decrypted) to answer.
    #[test]
    fn todays_questions_go_through_indexes_not_every_note() {
        let mut conn = rusqlite::Connection::open_in_memory().unwrap();
        crate::db::migrate(&mut conn).unwrap();
        let drafts = plan(&conn, UNSIGNED_SQL, &[]);
        assert!(drafts.contains("USING INDEX notes_unsigned"), "{drafts}");
        let old = format!(
            "SELECT count(*) {}",
            crate::retention::due::OLD_APPOINTMENTS
        );
        let old = plan(&conn, &old, &["1", "2026-01-01"]);
        assert!(old.contains("notes_by_appointment"), "{old}");
    }
}
