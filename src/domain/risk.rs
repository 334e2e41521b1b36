//! Risk assessments: a structured formulation of risk, drafted then signed like a note.
//!
//! Owns `risk_assessments` and `risk_addenda`. An assessment holds, for each domain (suicide,
//! self-harm, harm to others, harm from others and safeguarding, substance use, self-neglect),
//! whether it was assessed and, if so, current thoughts and plans, history, protective factors
//! and actions taken; then the client's overall protective factors, the actions agreed, a review
//! date, and the practitioner's overall concern **in words**.
//!
//! There is deliberately no score, no rating scale and no traffic-light total. NICE guideline
//! NG225 (Self-harm: assessment, management and preventing recurrence, 2022) advises against
//! using risk assessment tools and scales to predict future suicide or self-harm, or to decide
//! who is offered care; it asks for a formulation and a plan. This module records exactly that
//! and must never compute or store a predicted level of risk.
//!
//! A draft may be saved as often as needed. Signing stamps the time and a SHA-256 of the content;
//! from then on the assessment is read-only for ever, here and in the database (a trigger refuses
//! the change whoever asks). Corrections are addenda with a reason, themselves final. The latest
//! signed assessment and its review date head the client file, and [`reviews_due`] lists the
//! reviews falling due for the Today view. Errors never quote what an assessment says.

use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::notes::{checked_addendum, hash_fields, now, MAX_BODY_BYTES};
use crate::error::{Error, Result};
use crate::vault::Session;

/// The areas of risk a formulation covers, in the order the file shows them.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskDomain {
    Suicide,
    SelfHarm,
    HarmToOthers,
    HarmFromOthers,
    SubstanceUse,
    SelfNeglect,
}

impl RiskDomain {
    pub const ALL: [RiskDomain; 6] = [
        RiskDomain::Suicide,
        RiskDomain::SelfHarm,
        RiskDomain::HarmToOthers,
        RiskDomain::HarmFromOthers,
        RiskDomain::SubstanceUse,
        RiskDomain::SelfNeglect,
    ];

    /// The stored name, as in JSON. Never change one: signed assessments are hashed with it.
    pub fn as_str(self) -> &'static str {
        match self {
            RiskDomain::Suicide => "suicide",
            RiskDomain::SelfHarm => "self_harm",
            RiskDomain::HarmToOthers => "harm_to_others",
            RiskDomain::HarmFromOthers => "harm_from_others",
            RiskDomain::SubstanceUse => "substance_use",
            RiskDomain::SelfNeglect => "self_neglect",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RiskDomain::Suicide => "Suicide",
            RiskDomain::SelfHarm => "Self-harm",
            RiskDomain::HarmToOthers => "Harm to others",
            RiskDomain::HarmFromOthers => "Harm from others and safeguarding",
            RiskDomain::SubstanceUse => "Substance use",
            RiskDomain::SelfNeglect => "Self-neglect",
        }
    }
}

/// Whether a domain was looked at, and what was found.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum DomainStatus {
    #[default]
    NotAssessed,
    NoConcerns,
    Concerns,
}

impl DomainStatus {
    /// The stored name, as in JSON. Never change one: signed assessments are hashed with it.
    pub fn as_str(self) -> &'static str {
        match self {
            DomainStatus::NotAssessed => "not_assessed",
            DomainStatus::NoConcerns => "no_concerns",
            DomainStatus::Concerns => "concerns",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DomainStatus::NotAssessed => "Not assessed",
            DomainStatus::NoConcerns => "No concerns",
            DomainStatus::Concerns => "Concerns",
        }
    }
}

/// The formulation for one domain. Text fields may be empty for a domain not assessed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DomainFormulation {
    pub domain: RiskDomain,
    #[serde(default)]
    pub status: DomainStatus,
    /// Current thoughts, intentions and plans.
    #[serde(default)]
    pub current: String,
    #[serde(default)]
    pub history: String,
    #[serde(default)]
    pub protective_factors: String,
    #[serde(default)]
    pub actions: String,
}

impl DomainFormulation {
    pub fn blank(domain: RiskDomain) -> Self {
        Self {
            domain,
            status: DomainStatus::NotAssessed,
            current: String::new(),
            history: String::new(),
            protective_factors: String::new(),
            actions: String::new(),
        }
    }
}

/// Everything the practitioner writes in an assessment.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskContent {
    /// One per domain, in `RiskDomain::ALL` order once saved (missing domains are "not assessed").
    #[serde(default)]
    pub domains: Vec<DomainFormulation>,
    #[serde(default)]
    pub protective_factors: String,
    #[serde(default)]
    pub actions: String,
    /// The practitioner's overall concern, in their own words. Never a score.
    #[serde(default)]
    pub overall_concern: String,
    #[serde(default)]
    pub review_on: Option<NaiveDate>,
}

impl Default for RiskContent {
    fn default() -> Self {
        Self {
            domains: RiskDomain::ALL
                .iter()
                .map(|d| DomainFormulation::blank(*d))
                .collect(),
            protective_factors: String::new(),
            actions: String::new(),
            overall_concern: String::new(),
            review_on: None,
        }
    }
}

/// A correction or addition to a signed assessment.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAddendum {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub assessment_id: i64,
    pub reason: String,
    pub body: String,
    pub created_at: String,
    pub content_sha256: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskAssessment {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub content: RiskContent,
    pub created_at: String,
    pub updated_at: String,
    pub signed_at: Option<String>,
    pub content_sha256: Option<String>,
    pub addenda: Vec<RiskAddendum>,
    /// The stored content still matches the hash taken at signing (always false for drafts).
    pub signature_holds: bool,
}

impl RiskAssessment {
    pub fn is_signed(&self) -> bool {
        self.signed_at.is_some()
    }
}

/// A risk review falling due, for the Today view.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReviewDue {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub assessment_id: i64,
    pub review_on: NaiveDate,
    /// The review date has passed.
    pub overdue: bool,
}

/// What heads the client file: the latest signed assessment and where its review stands.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RiskSummary {
    pub latest_signed: Option<RiskAssessment>,
    /// The review date has passed (false when there is no signed assessment).
    pub review_overdue: bool,
    /// Days from today to the review date; negative when overdue.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub review_in_days: Option<i64>,
    /// Every assessment, newest first, drafts included.
    pub assessments: Vec<RiskAssessment>,
}

/// Puts the domains in the standard order, fills missing ones as "not assessed", trims text, and
/// refuses a domain given twice.
fn normalise(mut content: RiskContent) -> Result<RiskContent> {
    let mut domains = Vec::with_capacity(RiskDomain::ALL.len());
    for d in RiskDomain::ALL {
        let mut given = content.domains.iter().filter(|f| f.domain == d);
        let mut f = given
            .next()
            .cloned()
            .unwrap_or_else(|| DomainFormulation::blank(d));
        if given.next().is_some() {
            return Err(Error::rule(
                format!("The domain '{}' appears twice.", d.label()),
                "Give each domain once.",
            ));
        }
        for text in [
            &mut f.current,
            &mut f.history,
            &mut f.protective_factors,
            &mut f.actions,
        ] {
            *text = text.trim().to_owned();
        }
        domains.push(f);
    }
    content.domains = domains;
    for text in [
        &mut content.protective_factors,
        &mut content.actions,
        &mut content.overall_concern,
    ] {
        *text = text.trim().to_owned();
    }
    let total: usize = content
        .domains
        .iter()
        .map(|f| f.current.len() + f.history.len() + f.protective_factors.len() + f.actions.len())
        .sum::<usize>()
        + content.protective_factors.len()
        + content.actions.len()
        + content.overall_concern.len();
    if total > MAX_BODY_BYTES {
        return Err(Error::rule(
            format!(
                "This risk assessment is too long to save ({} KB; the most it can hold is {} KB).",
                total.div_ceil(1024),
                MAX_BODY_BYTES / 1024
            ),
            "Shorten it, or attach a long document to the client's file. Nothing was saved.",
        ));
    }
    Ok(content)
}

fn domains_json(content: &RiskContent) -> String {
    // Serialising plain strings and enums cannot fail.
    serde_json::to_string(&content.domains).unwrap_or_default()
}

/// The SHA-256 taken at signing, over every field one by one (never over a serialisation, so a
/// field added to the JSON later cannot break the signatures already made).
fn assessment_hash(id: i64, client_id: i64, content: &RiskContent, signed_at: &str) -> String {
    let (id, client_id) = (id.to_string(), client_id.to_string());
    let mut fields: Vec<&str> = vec![&id, &client_id];
    for d in &content.domains {
        fields.extend([
            d.domain.as_str(),
            d.status.as_str(),
            &d.current,
            &d.history,
            &d.protective_factors,
            &d.actions,
        ]);
    }
    let review_on = content.review_on.map(|d| d.to_string()).unwrap_or_default();
    fields.extend([
        content.protective_factors.as_str(),
        &content.actions,
        &content.overall_concern,
        &review_on,
        signed_at,
    ]);
    hash_fields(&fields)
}

fn signed_refusal(id: i64) -> Error {
    Error::rule(
        format!("Risk assessment {id} is signed, and a signed assessment is never changed."),
        format!("Add an addendum with the reason: casenotes risk addendum {id} --reason … --body-file …, or start a new assessment."),
    )
}

/// Starts an assessment for a client; returns it as a draft.
pub fn create(
    session: &mut Session,
    client_id: i64,
    content: RiskContent,
) -> Result<RiskAssessment> {
    let content = normalise(content)?;
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    let at = now();
    tx.execute(
        "INSERT INTO risk_assessments (client_id, domains, protective_factors, actions, overall_concern, review_on, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
        params![
            client_id,
            domains_json(&content),
            content.protective_factors,
            content.actions,
            content.overall_concern,
            content.review_on.map(|d| d.to_string()),
            at
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::RiskAssessmentCreated,
        Some(&id.to_string()),
        json!({ "client_id": client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Saves a draft's new content. Refused for a signed assessment.
pub fn save_draft(session: &mut Session, id: i64, content: RiskContent) -> Result<RiskAssessment> {
    let current = get(session, id)?;
    if current.is_signed() {
        return Err(signed_refusal(id));
    }
    let content = normalise(content)?;
    if current.content == content {
        return Ok(current);
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE risk_assessments SET domains = ?1, protective_factors = ?2, actions = ?3,
         overall_concern = ?4, review_on = ?5, updated_at = ?6 WHERE id = ?7 AND signed_at IS NULL",
        params![
            domains_json(&content),
            content.protective_factors,
            content.actions,
            content.overall_concern,
            content.review_on.map(|d| d.to_string()),
            now(),
            id
        ],
    )?;
    audit::append(
        &tx,
        Action::RiskDraftSaved,
        Some(&id.to_string()),
        json!({ "client_id": current.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Signs a draft as of `today` (the practitioner's calendar day): records the time and the
/// content's SHA-256. From then on it is read-only.
pub fn sign(session: &mut Session, id: i64, today: NaiveDate) -> Result<RiskAssessment> {
    let a = get(session, id)?;
    if a.is_signed() {
        return Err(Error::rule(
            format!("Risk assessment {id} is already signed."),
            "Nothing needs doing; add an addendum if something must be corrected.",
        ));
    }
    let c = &a.content;
    if c.domains
        .iter()
        .all(|d| d.status == DomainStatus::NotAssessed)
    {
        return Err(Error::rule(
            format!("Risk assessment {id} has no domain assessed."),
            "Record at least one domain as 'no concerns' or 'concerns' before signing.",
        ));
    }
    if let Some(d) = c.domains.iter().find(|d| {
        d.status == DomainStatus::Concerns
            && [&d.current, &d.history, &d.protective_factors, &d.actions]
                .iter()
                .all(|t| t.is_empty())
    }) {
        return Err(Error::rule(
            format!(
                "The domain '{}' is marked as a concern but says nothing about it.",
                d.domain.label()
            ),
            "Write what the concern is, or mark the domain 'no concerns' or 'not assessed'.",
        ));
    }
    if c.overall_concern.is_empty() {
        return Err(Error::rule(
            format!("Risk assessment {id} has no overall concern written."),
            "Say in your own words how concerned you are and why, before signing.",
        ));
    }
    match c.review_on {
        None => {
            return Err(Error::rule(
                format!("Risk assessment {id} has no review date."),
                "Set the date by which you will review it, before signing.",
            ))
        }
        Some(r) if r < today => {
            return Err(Error::rule(
                format!("The review date of risk assessment {id} is already past."),
                "Choose today or a later date.",
            ))
        }
        Some(_) => {}
    }
    let at = now();
    let hash = assessment_hash(id, a.client_id, c, &at);
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE risk_assessments SET signed_at = ?1, content_sha256 = ?2, updated_at = ?1 WHERE id = ?3 AND signed_at IS NULL",
        params![at, hash, id],
    )?;
    audit::append(
        &tx,
        Action::RiskAssessmentSigned,
        Some(&id.to_string()),
        json!({ "client_id": a.client_id, "content_sha256": hash }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Adds a dated addendum with a reason to a signed assessment.
pub fn add_addendum(
    session: &mut Session,
    assessment_id: i64,
    reason: &str,
    body: &str,
) -> Result<RiskAddendum> {
    let a = get(session, assessment_id)?;
    let (reason, body) = checked_addendum(
        &format!("Risk assessment {assessment_id}"),
        "assessment",
        a.is_signed(),
        reason,
        body,
    )?;
    let at = now();
    let hash = hash_fields(&[&assessment_id.to_string(), reason, body, &at]);
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "INSERT INTO risk_addenda (assessment_id, reason, body, created_at, content_sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![assessment_id, reason, body, at, hash],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::RiskAddendumAdded,
        Some(&assessment_id.to_string()),
        json!({ "client_id": a.client_id, "addendum_id": id, "content_sha256": hash }),
    )?;
    tx.commit()?;
    Ok(RiskAddendum {
        id,
        assessment_id,
        reason: reason.to_owned(),
        body: body.to_owned(),
        created_at: at,
        content_sha256: hash,
    })
}

const COLUMNS: &str = "id, client_id, domains, protective_factors, actions, overall_concern,
    review_on, created_at, updated_at, signed_at, content_sha256";

fn from_row(r: &Row<'_>) -> rusqlite::Result<RiskAssessment> {
    let domains: String = r.get(2)?;
    let review_on: Option<String> = r.get(6)?;
    let content = RiskContent {
        // Written by this module from `Vec<DomainFormulation>`; a CHECK keeps it valid JSON.
        domains: serde_json::from_str(&domains).unwrap_or_default(),
        protective_factors: r.get(3)?,
        actions: r.get(4)?,
        overall_concern: r.get(5)?,
        review_on: review_on.and_then(|d| d.parse().ok()),
    };
    let mut a = RiskAssessment {
        id: r.get(0)?,
        client_id: r.get(1)?,
        content,
        created_at: r.get(7)?,
        updated_at: r.get(8)?,
        signed_at: r.get(9)?,
        content_sha256: r.get(10)?,
        addenda: Vec::new(),
        signature_holds: false,
    };
    a.signature_holds = match (&a.signed_at, &a.content_sha256) {
        (Some(at), Some(hash)) => *hash == assessment_hash(a.id, a.client_id, &a.content, at),
        _ => false,
    };
    Ok(a)
}

fn addenda_for(conn: &rusqlite::Connection, assessment_id: i64) -> Result<Vec<RiskAddendum>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, assessment_id, reason, body, created_at, content_sha256 FROM risk_addenda
         WHERE assessment_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([assessment_id], |r| {
        Ok(RiskAddendum {
            id: r.get(0)?,
            assessment_id: r.get(1)?,
            reason: r.get(2)?,
            body: r.get(3)?,
            created_at: r.get(4)?,
            content_sha256: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// An assessment with its addenda.
pub fn get(session: &Session, id: i64) -> Result<RiskAssessment> {
    let conn = session.conn()?;
    let mut a = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM risk_assessments WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "risk assessment",
            id: id.to_string(),
        })?;
    a.addenda = addenda_for(conn, id)?;
    Ok(a)
}

/// A client's assessments, newest first, each with its addenda.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<RiskAssessment>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM risk_assessments WHERE client_id = ?1 ORDER BY created_at DESC, id DESC"
    ))?;
    let mut list: Vec<RiskAssessment> = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    for a in &mut list {
        a.addenda = addenda_for(conn, a.id)?;
    }
    Ok(list)
}

/// The latest signed assessment (by time of signing), if any.
pub fn latest_signed(session: &Session, client_id: i64) -> Result<Option<RiskAssessment>> {
    Ok(for_client(session, client_id)?
        .into_iter()
        .filter(|a| a.is_signed())
        .max_by(|a, b| (&a.signed_at, a.id).cmp(&(&b.signed_at, b.id))))
}

/// What heads the client file, as of the practitioner's `today`.
pub fn summary(session: &Session, client_id: i64, today: NaiveDate) -> Result<RiskSummary> {
    let assessments = for_client(session, client_id)?;
    let latest_signed = assessments
        .iter()
        .filter(|a| a.is_signed())
        .max_by(|a, b| (&a.signed_at, a.id).cmp(&(&b.signed_at, b.id)))
        .cloned();
    let review_in_days = latest_signed
        .as_ref()
        .and_then(|a| a.content.review_on)
        .map(|r| (r - today).num_days());
    Ok(RiskSummary {
        review_overdue: review_in_days.is_some_and(|d| d < 0),
        review_in_days,
        latest_signed,
        assessments,
    })
}

/// Risk reviews due by `as_of + within_days` (overdue ones included), soonest first: for each
/// client whose therapy has not ended, the review date of their latest signed assessment.
/// A client whose therapy has ended has no ongoing review and is left out.
pub fn reviews_due(
    session: &Session,
    as_of: NaiveDate,
    within_days: u32,
) -> Result<Vec<ReviewDue>> {
    let until = as_of + chrono::Duration::days(i64::from(within_days));
    let conn = session.conn()?;
    // The latest signed assessment per client: the one with no later signed one.
    let mut stmt = conn.prepare_cached(
        "SELECT c.id, c.case_ref, r.id, r.review_on
         FROM risk_assessments r JOIN clients c ON c.id = r.client_id
         WHERE r.signed_at IS NOT NULL AND c.status != 'ended'
           AND NOT EXISTS (SELECT 1 FROM risk_assessments later
                           WHERE later.client_id = r.client_id AND later.signed_at IS NOT NULL
                             AND (later.signed_at > r.signed_at
                                  OR (later.signed_at = r.signed_at AND later.id > r.id)))
           AND r.review_on <= ?1
         ORDER BY r.review_on, c.case_ref",
    )?;
    let rows = stmt.query_map([until.to_string()], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (client_id, case_ref, assessment_id, review_on) = row?;
        // A signed assessment always has a review date in YYYY-MM-DD (a CHECK and `sign`).
        let Ok(review_on) = review_on.parse::<NaiveDate>() else {
            continue;
        };
        out.push(ReviewDue {
            client_id,
            case_ref,
            assessment_id,
            review_on,
            overdue: review_on < as_of,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_are_put_in_order_and_filled() {
        let c = RiskContent {
            domains: vec![DomainFormulation {
                status: DomainStatus::Concerns,
                current: "  thoughts  ".into(),
                ..DomainFormulation::blank(RiskDomain::SelfNeglect)
            }],
            ..RiskContent::default()
        };
        let n = normalise(c).unwrap();
        assert_eq!(n.domains.len(), 6);
        assert_eq!(n.domains[0].domain, RiskDomain::Suicide);
        assert_eq!(n.domains[5].current, "thoughts");
        assert_eq!(n.domains[0].status, DomainStatus::NotAssessed);
        let twice = RiskContent {
            domains: vec![
                DomainFormulation::blank(RiskDomain::Suicide),
                DomainFormulation::blank(RiskDomain::Suicide),
            ],
            ..RiskContent::default()
        };
        assert!(normalise(twice).is_err());
    }

    #[test]
    fn the_hash_covers_every_field() {
        let c = normalise(RiskContent::default()).unwrap();
        let base = assessment_hash(1, 2, &c, "t");
        let mut other = c.clone();
        other.overall_concern = "x".into();
        assert_ne!(base, assessment_hash(1, 2, &other, "t"));
        let mut other = c.clone();
        other.domains[3].history = "x".into();
        assert_ne!(base, assessment_hash(1, 2, &other, "t"));
        let mut other = c.clone();
        other.review_on = Some(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap());
        assert_ne!(base, assessment_hash(1, 2, &other, "t"));
        let mut other = c.clone();
        other.domains[1].status = DomainStatus::NoConcerns;
        assert_ne!(base, assessment_hash(1, 2, &other, "t"));
        // Text moved from one field to the next is a different content.
        let (mut a, mut b) = (c.clone(), c.clone());
        a.domains[0].current = "ab".into();
        b.domains[0].history = "ab".into();
        assert_ne!(
            assessment_hash(1, 2, &a, "t"),
            assessment_hash(1, 2, &b, "t")
        );
    }

    #[test]
    fn the_hashed_names_are_the_stored_names() {
        for d in RiskDomain::ALL {
            assert_eq!(serde_json::to_value(d).unwrap(), d.as_str());
        }
        for s in [
            DomainStatus::NotAssessed,
            DomainStatus::NoConcerns,
            DomainStatus::Concerns,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
    }
}
