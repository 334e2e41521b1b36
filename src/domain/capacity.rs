//! Capacity assessments and best-interest decisions under the Mental Capacity Act 2005.
//!
//! Owns `capacity_decisions`. Capacity is assessed for one decision at one time. A record holds
//! the decision in question, the impairment of or disturbance in the mind or brain (if any), the
//! four points of the functional test (s.3: can the person understand, retain, use or weigh the
//! information, and communicate their decision), each with its evidence, the outcome, who was
//! consulted, and, when the client lacks capacity for the decision, the best-interest rationale
//! (s.4). A review date is set: by default, and at most, 12 months after the assessment.
//!
//! A record is final once made (a trigger refuses changes): a later assessment is a new record.
//! Errors never quote what a record says.

use chrono::NaiveDate;
use rusqlite::{params, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::notes::{check_length, now};
use crate::error::{Error, Result};
use crate::retention::policy::add_months;
use crate::vault::Session;

/// The longest a capacity decision may go without review.
pub const MAX_REVIEW_MONTHS: u32 = 12;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapacityOutcome {
    HasCapacity,
    LacksCapacity,
}

impl CapacityOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityOutcome::HasCapacity => "has_capacity",
            CapacityOutcome::LacksCapacity => "lacks_capacity",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CapacityOutcome::HasCapacity => "Has capacity for this decision",
            CapacityOutcome::LacksCapacity => "Lacks capacity for this decision",
        }
    }
}

/// One point of the functional test: whether the client could do it, and the evidence.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionalPoint {
    pub able: bool,
    #[serde(default)]
    pub evidence: String,
}

/// What the practitioner records.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapacityDetails {
    pub decision: String,
    pub assessed_on: NaiveDate,
    /// The impairment of, or disturbance in the functioning of, the mind or brain; empty if none.
    #[serde(default)]
    pub impairment: String,
    pub understand: FunctionalPoint,
    pub retain: FunctionalPoint,
    pub use_or_weigh: FunctionalPoint,
    pub communicate: FunctionalPoint,
    pub outcome: CapacityOutcome,
    /// Who was consulted (carers, family, an attorney or deputy, an IMCA, other professionals).
    #[serde(default)]
    pub consulted: String,
    /// Why the decision made is in the client's best interests (required when capacity is lacking).
    #[serde(default)]
    pub best_interest: String,
    /// Left out: 12 months after the assessment.
    #[serde(default)]
    pub review_on: Option<NaiveDate>,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapacityDecision {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    /// `review_on` is always set on a stored decision.
    pub details: CapacityDetails,
    pub created_at: String,
}

/// A capacity review falling due, for the Today view.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapacityReviewDue {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub decision_id: i64,
    pub review_on: NaiveDate,
    pub overdue: bool,
}

/// The review date a decision assessed on `assessed_on` gets: the one asked for, which must fall
/// within 12 months of the assessment, or 12 months on.
pub fn review_date(assessed_on: NaiveDate, asked: Option<NaiveDate>) -> Result<NaiveDate> {
    let latest = add_months(assessed_on, MAX_REVIEW_MONTHS);
    match asked {
        None => Ok(latest),
        Some(d) if d < assessed_on => Err(Error::rule(
            "The review date is before the assessment.",
            "Choose a review date on or after the day capacity was assessed.",
        )),
        Some(d) if d > latest => Err(Error::rule(
            format!(
                "A capacity decision must be reviewed within {MAX_REVIEW_MONTHS} months (by {}).",
                latest.format("%-d %B %Y")
            ),
            "Choose an earlier review date, or leave it out to use 12 months on.",
        )),
        Some(d) => Ok(d),
    }
}

fn validate(mut d: CapacityDetails, today: NaiveDate) -> Result<CapacityDetails> {
    for text in [
        &mut d.decision,
        &mut d.impairment,
        &mut d.understand.evidence,
        &mut d.retain.evidence,
        &mut d.use_or_weigh.evidence,
        &mut d.communicate.evidence,
        &mut d.consulted,
        &mut d.best_interest,
    ] {
        check_length(text, "capacity record")?;
        *text = text.trim().to_owned();
    }
    if d.decision.is_empty() {
        return Err(Error::rule(
            "A capacity assessment needs the decision in question.",
            "Capacity is assessed for one decision at a time: say which.",
        ));
    }
    if d.assessed_on > today {
        return Err(Error::rule(
            "The assessment date is in the future.",
            "Record an assessment on or after the day it was made.",
        ));
    }
    let points = [&d.understand, &d.retain, &d.use_or_weigh, &d.communicate];
    if d.outcome == CapacityOutcome::LacksCapacity {
        if points.iter().all(|p| p.able) {
            return Err(Error::rule(
                "The outcome says the client lacks capacity, but all four points of the functional test are met.",
                "A person lacks capacity only if they cannot understand, retain, use or weigh the information, or communicate their decision. Check the four points or the outcome.",
            ));
        }
        if d.impairment.is_empty() {
            return Err(Error::rule(
                "The outcome says the client lacks capacity, but no impairment of the mind or brain is recorded.",
                "Under the Act the inability must be because of such an impairment or disturbance: describe it.",
            ));
        }
        if d.best_interest.is_empty() {
            return Err(Error::rule(
                "A decision for a client who lacks capacity needs a best-interest rationale.",
                "Write why the decision is in the client's best interests, including their past and present wishes.",
            ));
        }
    }
    d.review_on = Some(review_date(d.assessed_on, d.review_on)?);
    Ok(d)
}

/// Records a capacity assessment (and any best-interest decision) for a client, as of `today`.
pub fn add(
    session: &mut Session,
    client_id: i64,
    details: CapacityDetails,
    today: NaiveDate,
) -> Result<CapacityDecision> {
    let d = validate(details, today)?;
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    tx.execute(
        "INSERT INTO capacity_decisions (client_id, decision, assessed_on, impairment,
         understand_able, understand_evidence, retain_able, retain_evidence,
         use_or_weigh_able, use_or_weigh_evidence, communicate_able, communicate_evidence,
         outcome, consulted, best_interest, review_on, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
        params![
            client_id,
            d.decision,
            d.assessed_on.to_string(),
            d.impairment,
            d.understand.able,
            d.understand.evidence,
            d.retain.able,
            d.retain.evidence,
            d.use_or_weigh.able,
            d.use_or_weigh.evidence,
            d.communicate.able,
            d.communicate.evidence,
            d.outcome.as_str(),
            d.consulted,
            d.best_interest,
            d.review_on.map(|r| r.to_string()),
            now()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::CapacityDecisionRecorded,
        Some(&id.to_string()),
        json!({ "client_id": client_id }),
    )?;
    tx.commit()?;
    for_client(session, client_id)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(Error::NotFound {
            what: "capacity decision",
            id: id.to_string(),
        })
}

const COLUMNS: &str = "id, client_id, decision, assessed_on, impairment, understand_able,
    understand_evidence, retain_able, retain_evidence, use_or_weigh_able, use_or_weigh_evidence,
    communicate_able, communicate_evidence, outcome, consulted, best_interest, review_on, created_at";

fn date(text: String) -> NaiveDate {
    // Written by this module as YYYY-MM-DD.
    text.parse().unwrap_or_default()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<CapacityDecision> {
    let outcome: String = r.get(13)?;
    Ok(CapacityDecision {
        id: r.get(0)?,
        client_id: r.get(1)?,
        details: CapacityDetails {
            decision: r.get(2)?,
            assessed_on: date(r.get(3)?),
            impairment: r.get(4)?,
            understand: FunctionalPoint {
                able: r.get(5)?,
                evidence: r.get(6)?,
            },
            retain: FunctionalPoint {
                able: r.get(7)?,
                evidence: r.get(8)?,
            },
            use_or_weigh: FunctionalPoint {
                able: r.get(9)?,
                evidence: r.get(10)?,
            },
            communicate: FunctionalPoint {
                able: r.get(11)?,
                evidence: r.get(12)?,
            },
            // A CHECK allows only these two.
            outcome: if outcome == "lacks_capacity" {
                CapacityOutcome::LacksCapacity
            } else {
                CapacityOutcome::HasCapacity
            },
            consulted: r.get(14)?,
            best_interest: r.get(15)?,
            review_on: Some(date(r.get(16)?)),
        },
        created_at: r.get(17)?,
    })
}

/// A client's capacity decisions, newest assessment first.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<CapacityDecision>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM capacity_decisions WHERE client_id = ?1
         ORDER BY assessed_on DESC, id DESC"
    ))?;
    let list = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    Ok(list)
}

/// Capacity reviews due by `as_of + within_days` (overdue included), soonest first: every
/// decision's review date, for clients whose therapy has not ended. The sibling of
/// `risk::reviews_due`.
pub fn reviews_due(
    session: &Session,
    as_of: NaiveDate,
    within_days: u32,
) -> Result<Vec<CapacityReviewDue>> {
    let until = as_of + chrono::Duration::days(i64::from(within_days));
    let conn = session.conn()?;
    // A decision is superseded by a later assessment of the same decision for the same client.
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.case_ref, d.id, d.review_on
         FROM capacity_decisions d JOIN clients c ON c.id = d.client_id
         WHERE c.status != 'ended' AND d.review_on <= ?1
           AND NOT EXISTS (SELECT 1 FROM capacity_decisions later
                           WHERE later.client_id = d.client_id AND later.decision = d.decision
                             AND (later.assessed_on > d.assessed_on
                                  OR (later.assessed_on = d.assessed_on AND later.id > d.id)))
         ORDER BY d.review_on, c.case_ref",
    )?;
    let rows = stmt.query_map([until.to_string()], |r| {
        Ok(CapacityReviewDue {
            client_id: r.get(0)?,
            case_ref: r.get(1)?,
            decision_id: r.get(2)?,
            review_on: date(r.get(3)?),
            overdue: false,
        })
    })?;
    let mut out: Vec<CapacityReviewDue> = rows.collect::<Result<_, _>>()?;
    for r in &mut out {
        r.overdue = r.review_on < as_of;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_review_is_due_within_twelve_months() {
        assert_eq!(review_date(d(2026, 3, 3), None).unwrap(), d(2027, 3, 3));
        assert_eq!(review_date(d(2024, 2, 29), None).unwrap(), d(2025, 3, 1));
        assert_eq!(
            review_date(d(2026, 3, 3), Some(d(2026, 9, 1))).unwrap(),
            d(2026, 9, 1)
        );
        assert!(review_date(d(2026, 3, 3), Some(d(2027, 3, 4))).is_err());
        assert!(review_date(d(2026, 3, 3), Some(d(2026, 3, 2))).is_err());
        assert_eq!(
            review_date(d(2026, 3, 3), Some(d(2027, 3, 3))).unwrap(),
            d(2027, 3, 3)
        );
    }
}
