//! The breach register, practice-wide: every personal-data breach (a lost laptop, an email to
//! the wrong person, a letter left on a train), what happened, when, when it was found, who and
//! which records it touched, the risk to clients, the decision whether it must be reported to the
//! ICO, and whether and when the ICO and the clients were told.
//!
//! Owns `breaches`. The ICO must be told of a reportable breach within 72 hours of discovery;
//! [`open_clocks`] lists breaches not yet decided with the hours left (negative once past), for
//! Home. Discovery and the decision are final once recorded; telling the ICO or the clients is
//! added later, once each. Entries are never deleted (a trigger refuses it), and they name
//! clients only by case reference or count. Audit entries hold ids only.

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

/// Hours from discovery within which a reportable breach must reach the ICO.
pub const ICO_HOURS: i64 = 72;

const MAX_TEXT: usize = 8000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewBreach {
    pub what_happened: String,
    /// When it happened, if known (UTC).
    pub happened_at: Option<DateTime<Utc>>,
    /// When it was found (UTC): the 72-hour clock starts here.
    pub discovered_at: DateTime<Utc>,
    /// Who was affected: case references or counts, never names.
    pub who_affected: String,
    pub records_affected: String,
    pub risk: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Breach {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub what_happened: String,
    pub happened_at: Option<DateTime<Utc>>,
    pub discovered_at: DateTime<Utc>,
    /// Discovery plus 72 hours.
    pub ico_deadline: DateTime<Utc>,
    pub who_affected: String,
    pub records_affected: String,
    pub risk: String,
    /// `None` until decided.
    pub reportable: Option<bool>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub ico_told_at: Option<DateTime<Utc>>,
    pub ico_reference: Option<String>,
    pub clients_told_at: Option<DateTime<Utc>>,
    pub clients_not_told_reason: Option<String>,
    pub recorded_at: String,
    pub updated_at: String,
}

/// A breach not yet decided, with its clock.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenClock {
    pub breach: Breach,
    /// Whole hours until the ICO deadline; negative once it has passed.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub hours_left: i64,
}

/// The decision whether to report, with what was told and when.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachDecision {
    pub reportable: bool,
    pub reason: String,
    pub ico_told_at: Option<DateTime<Utc>>,
    pub ico_reference: Option<String>,
    pub clients_told_at: Option<DateTime<Utc>>,
    pub clients_not_told_reason: Option<String>,
}

/// Later news: the ICO or the clients told after the decision.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BreachTold {
    pub ico_told_at: Option<DateTime<Utc>>,
    pub ico_reference: Option<String>,
    pub clients_told_at: Option<DateTime<Utc>>,
    pub clients_not_told_reason: Option<String>,
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn need(text: &str, rule: &str, advice: &str) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(Error::rule(rule, advice));
    }
    if t.chars().count() > MAX_TEXT {
        return Err(Error::rule(
            format!("A field of this breach is too long (at most {MAX_TEXT} characters)."),
            "Shorten it. Nothing was saved.",
        ));
    }
    Ok(t.to_owned())
}

fn tidy(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

fn not_future(t: DateTime<Utc>, what: &str) -> Result<()> {
    // A minute's grace for a clock typed as "now".
    if t > Utc::now() + chrono::Duration::minutes(1) {
        return Err(Error::rule(
            format!("The time {what} is in the future."),
            "Record it once it has happened.",
        ));
    }
    Ok(())
}

/// Records a breach as soon as it is found; the 72-hour clock runs from `discovered_at`.
pub fn add(session: &mut Session, new: NewBreach) -> Result<Breach> {
    let what = need(
        &new.what_happened,
        "A breach needs a description of what happened.",
        "Say briefly what happened, without clients' names.",
    )?;
    let who = need(
        &new.who_affected,
        "A breach needs who was affected.",
        "Give case references (C-0042) or a count, never names; 'not yet known' is an answer.",
    )?;
    let records = need(
        &new.records_affected,
        "A breach needs which records were affected.",
        "For example: session notes for three clients, one letter.",
    )?;
    let risk = need(
        &new.risk,
        "A breach needs the risk to clients, in words.",
        "Say what could happen to the clients affected, and how likely it is.",
    )?;
    not_future(new.discovered_at, "the breach was found")?;
    if let Some(h) = new.happened_at {
        not_future(h, "the breach happened")?;
        if h > new.discovered_at {
            return Err(Error::rule(
                "A breach cannot have happened after it was found.",
                "Check the two times.",
            ));
        }
    }
    let at = stamp(Utc::now());
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "INSERT INTO breaches (what_happened, happened_at, discovered_at, who_affected,
             records_affected, risk, recorded_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            what,
            new.happened_at.map(stamp),
            stamp(new.discovered_at),
            who,
            records,
            risk,
            at
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::BreachRecorded,
        Some(&id.to_string()),
        json!({}),
    )?;
    tx.commit()?;
    get(session, id)
}

fn check_told(b: &Breach, told: &BreachTold) -> Result<()> {
    for (t, what) in [
        (told.ico_told_at, "the ICO was told"),
        (told.clients_told_at, "the clients were told"),
    ] {
        if let Some(t) = t {
            not_future(t, what)?;
            if t < b.discovered_at {
                return Err(Error::rule(
                    format!("The time {what} is before the breach was found."),
                    "Check the time.",
                ));
            }
        }
    }
    if told.ico_told_at.is_some() && b.ico_told_at.is_some() {
        return Err(Error::rule(
            format!("The ICO was already recorded as told of breach {}.", b.id),
            "Nothing needs doing.",
        ));
    }
    if told.clients_told_at.is_some() && b.clients_told_at.is_some() {
        return Err(Error::rule(
            format!(
                "The clients were already recorded as told of breach {}.",
                b.id
            ),
            "Nothing needs doing.",
        ));
    }
    if told.ico_reference.is_some() && told.ico_told_at.is_none() && b.ico_told_at.is_none() {
        return Err(Error::rule(
            "An ICO reference needs the time the ICO was told.",
            "Add when you reported the breach.",
        ));
    }
    Ok(())
}

/// Records the decision whether the breach must be reported to the ICO (once), with whatever
/// is already known of telling the ICO and the clients.
pub fn decide(session: &mut Session, id: i64, d: BreachDecision) -> Result<Breach> {
    let b = get(session, id)?;
    if let (Some(r), Some(at)) = (b.reportable, b.decided_at) {
        return Err(Error::rule(
            format!(
                "Breach {id} was already decided ({}) on {}.",
                if r { "reportable" } else { "not reportable" },
                at.format("%-d %B %Y")
            ),
            "A decision is recorded once; record what was told with `breach told`.",
        ));
    }
    let reason = need(
        &d.reason,
        "The decision needs its reason.",
        "Say why the breach is, or is not, likely to result in a risk to clients' rights and freedoms.",
    )?;
    let told = BreachTold {
        ico_told_at: d.ico_told_at,
        ico_reference: tidy(d.ico_reference.as_deref()),
        clients_told_at: d.clients_told_at,
        clients_not_told_reason: tidy(d.clients_not_told_reason.as_deref()),
    };
    check_told(&b, &told)?;
    let at = Utc::now();
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE breaches SET reportable = ?1, decision_reason = ?2, decided_at = ?3,
             ico_told_at = ?4, ico_reference = ?5, clients_told_at = ?6,
             clients_not_told_reason = ?7, updated_at = ?3 WHERE id = ?8",
        params![
            d.reportable,
            reason,
            stamp(at),
            told.ico_told_at.map(stamp),
            told.ico_reference,
            told.clients_told_at.map(stamp),
            told.clients_not_told_reason,
            id
        ],
    )?;
    audit::append(
        &tx,
        Action::BreachDecided,
        Some(&id.to_string()),
        json!({
            "reportable": d.reportable,
            "hours_after_discovery": (at - b.discovered_at).num_hours(),
        }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Adds what was told later: the ICO (with its reference) or the clients (or why not), each once.
pub fn record_told(session: &mut Session, id: i64, told: BreachTold) -> Result<Breach> {
    let b = get(session, id)?;
    let told = BreachTold {
        ico_reference: tidy(told.ico_reference.as_deref()),
        clients_not_told_reason: tidy(told.clients_not_told_reason.as_deref()),
        ..told
    };
    check_told(&b, &told)?;
    if told
        == (BreachTold {
            ico_told_at: None,
            ico_reference: None,
            clients_told_at: None,
            clients_not_told_reason: None,
        })
    {
        return Err(Error::rule(
            "Nothing to record.",
            "Give when the ICO or the clients were told, or why the clients were not.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE breaches SET ico_told_at = coalesce(?1, ico_told_at),
             ico_reference = coalesce(?2, ico_reference),
             clients_told_at = coalesce(?3, clients_told_at),
             clients_not_told_reason = coalesce(?4, clients_not_told_reason),
             updated_at = ?5 WHERE id = ?6",
        params![
            told.ico_told_at.map(stamp),
            told.ico_reference,
            told.clients_told_at.map(stamp),
            told.clients_not_told_reason,
            stamp(Utc::now()),
            id
        ],
    )?;
    audit::append(
        &tx,
        Action::BreachUpdated,
        Some(&id.to_string()),
        json!({
            "ico_told": told.ico_told_at.is_some(),
            "clients_told": told.clients_told_at.is_some(),
        }),
    )?;
    tx.commit()?;
    get(session, id)
}

const COLUMNS: &str = "id, what_happened, happened_at, discovered_at, who_affected,
    records_affected, risk, reportable, decision_reason, decided_at, ico_told_at, ico_reference,
    clients_told_at, clients_not_told_reason, recorded_at, updated_at";

fn time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Breach> {
    let discovered_at = time(r.get(3)?).unwrap_or_default();
    Ok(Breach {
        id: r.get(0)?,
        what_happened: r.get(1)?,
        happened_at: time(r.get(2)?),
        discovered_at,
        ico_deadline: discovered_at + chrono::Duration::hours(ICO_HOURS),
        who_affected: r.get(4)?,
        records_affected: r.get(5)?,
        risk: r.get(6)?,
        reportable: r.get(7)?,
        decision_reason: r.get(8)?,
        decided_at: time(r.get(9)?),
        ico_told_at: time(r.get(10)?),
        ico_reference: r.get(11)?,
        clients_told_at: time(r.get(12)?),
        clients_not_told_reason: r.get(13)?,
        recorded_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

pub fn get(session: &Session, id: i64) -> Result<Breach> {
    session
        .conn()?
        .query_row(
            &format!("SELECT {COLUMNS} FROM breaches WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "breach",
            id: id.to_string(),
        })
}

/// The whole register, newest discovery first.
pub fn list(session: &Session) -> Result<Vec<Breach>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM breaches ORDER BY discovered_at DESC, id DESC"
    ))?;
    let rows = stmt.query_map([], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Whole hours left before `deadline`, rounded down, so the time left is never overstated;
/// once it has passed, minus the whole hours since (at least -1, so "0 hours left" is never
/// shown after the deadline).
pub fn hours_left(deadline: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    if now <= deadline {
        (deadline - now).num_hours()
    } else {
        -(now - deadline).num_hours().max(1)
    }
}

/// Breaches not yet decided, with the hours left on the ICO's 72-hour clock (negative once
/// past), most urgent first.
pub fn open_clocks(session: &Session, now: DateTime<Utc>) -> Result<Vec<OpenClock>> {
    let mut out: Vec<OpenClock> = list(session)?
        .into_iter()
        .filter(|b| b.reportable.is_none())
        .map(|breach| OpenClock {
            hours_left: hours_left(breach.ico_deadline, now),
            breach,
        })
        .collect();
    out.sort_by_key(|c| (c.breach.ico_deadline, c.breach.id));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hours_round_towards_the_deadline() {
        let d: DateTime<Utc> = "2026-03-04T12:00:00Z".parse().unwrap();
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert_eq!(hours_left(d, at("2026-03-01T12:00:00Z")), 72);
        assert_eq!(hours_left(d, at("2026-03-04T11:30:00Z")), 0);
        assert_eq!(hours_left(d, at("2026-03-04T12:00:01Z")), -1);
        assert_eq!(hours_left(d, at("2026-03-04T14:00:00Z")), -2);
    }
}
