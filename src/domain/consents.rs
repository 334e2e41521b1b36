//! Consents on the client file: what the client agreed to, when, within what scope, and the
//! evidence (a signed form kept as one of the client's attachments).
//!
//! Owns `consents`. A consent is final once recorded; withdrawal is a dated change added once,
//! never a deletion, so the history of what the client agreed to and when stays whole. A
//! consent to session recording states the day by which the recording must be destroyed.
//! Audit entries hold ids only; errors never quote the scope.

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::error::{Error, Result};
use crate::vault::Session;

const MAX_SCOPE: usize = 4000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentKind {
    TreatmentContract,
    ContactEmail,
    ContactPhone,
    ContactText,
    ShareWithGp,
    SessionRecording,
    Research,
    /// Release, in another member's subject-access copy, of the joint notes of a couple or
    /// family case this client is a member of (see `domain::cases`).
    JointNotesRelease,
}

impl ConsentKind {
    pub const ALL: [ConsentKind; 8] = [
        ConsentKind::TreatmentContract,
        ConsentKind::ContactEmail,
        ConsentKind::ContactPhone,
        ConsentKind::ContactText,
        ConsentKind::ShareWithGp,
        ConsentKind::SessionRecording,
        ConsentKind::Research,
        ConsentKind::JointNotesRelease,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentKind::TreatmentContract => "treatment_contract",
            ConsentKind::ContactEmail => "contact_email",
            ConsentKind::ContactPhone => "contact_phone",
            ConsentKind::ContactText => "contact_text",
            ConsentKind::ShareWithGp => "share_with_gp",
            ConsentKind::SessionRecording => "session_recording",
            ConsentKind::Research => "research",
            ConsentKind::JointNotesRelease => "joint_notes_release",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim().replace('-', "_");
        ConsentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == t)
            .ok_or_else(|| {
                Error::rule(
                    format!("'{text}' is not a kind of consent."),
                    "Use treatment_contract, contact_email, contact_phone, contact_text, share_with_gp, session_recording, research or joint_notes_release.",
                )
            })
    }

    /// In words, as the client file shows it.
    pub fn label(self) -> &'static str {
        match self {
            ConsentKind::TreatmentContract => "Treatment and contract",
            ConsentKind::ContactEmail => "Contact by email",
            ConsentKind::ContactPhone => "Contact by phone",
            ConsentKind::ContactText => "Contact by text message",
            ConsentKind::ShareWithGp => "Sharing with their GP",
            ConsentKind::SessionRecording => "Session recording",
            ConsentKind::Research => "Research",
            ConsentKind::JointNotesRelease => {
                "Release of joint notes in another member's subject access request"
            }
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub kind: ConsentKind,
    pub given_on: NaiveDate,
    pub withdrawn_on: Option<NaiveDate>,
    pub scope: Option<String>,
    /// One of the client's attachments (the signed form, an email kept as PDF).
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub evidence_attachment_id: Option<i64>,
    /// Session recording only: the day by which the recording must be destroyed.
    pub destroy_recording_by: Option<NaiveDate>,
    pub recorded_at: String,
    pub withdrawal_recorded_at: Option<String>,
}

impl Consent {
    pub fn is_current(&self) -> bool {
        self.withdrawn_on.is_none()
    }
}

/// What is recorded when a client gives consent.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewConsent {
    pub kind: ConsentKind,
    pub given_on: NaiveDate,
    pub scope: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub evidence_attachment_id: Option<i64>,
    pub destroy_recording_by: Option<NaiveDate>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

const COLUMNS: &str = "id, client_id, kind, given_on, withdrawn_on, scope, evidence_attachment_id,
    destroy_recording_by, recorded_at, withdrawal_recorded_at";

fn date_col(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
    let text: Option<String> = r.get(i)?;
    Ok(text.and_then(|t| NaiveDate::parse_from_str(&t, "%Y-%m-%d").ok()))
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Consent> {
    let kind: String = r.get(2)?;
    Ok(Consent {
        id: r.get(0)?,
        client_id: r.get(1)?,
        // The CHECK constraint allows only the values this parses.
        kind: ConsentKind::parse(&kind).unwrap_or(ConsentKind::TreatmentContract),
        given_on: date_col(r, 3)?.unwrap_or(NaiveDate::MIN),
        withdrawn_on: date_col(r, 4)?,
        scope: r.get(5)?,
        evidence_attachment_id: r.get(6)?,
        destroy_recording_by: date_col(r, 7)?,
        recorded_at: r.get(8)?,
        withdrawal_recorded_at: r.get(9)?,
    })
}

/// Records a consent the client has given.
pub fn add(session: &mut Session, client_id: i64, new: NewConsent) -> Result<Consent> {
    if new.given_on > today() {
        return Err(Error::rule(
            "The day consent was given is in the future.",
            "Record consent once it has been given.",
        ));
    }
    let scope = new
        .scope
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    if scope
        .as_ref()
        .is_some_and(|s| s.chars().count() > MAX_SCOPE)
    {
        return Err(Error::rule(
            format!("The scope is too long (at most {MAX_SCOPE} characters)."),
            "Shorten it, and attach the signed form as evidence. Nothing was saved.",
        ));
    }
    let destroy_by = match (new.kind, new.destroy_recording_by) {
        (ConsentKind::SessionRecording, None) => {
            return Err(Error::rule(
                "A consent to session recording needs the date by which the recording must be destroyed.",
                "Add the date agreed with the client.",
            ))
        }
        (ConsentKind::SessionRecording, Some(by)) if by < new.given_on => {
            return Err(Error::rule(
                "The recording cannot be due for destruction before consent was given.",
                "Check the two dates.",
            ))
        }
        (ConsentKind::SessionRecording, Some(by)) => Some(by),
        (_, Some(_)) => {
            return Err(Error::rule(
                "A destruction date belongs only to a consent to session recording.",
                "Leave the date out for this kind of consent.",
            ))
        }
        (_, None) => None,
    };
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    if let Some(a) = new.evidence_attachment_id {
        let owner: Option<i64> = tx
            .query_row(
                "SELECT client_id FROM attachments WHERE id = ?1",
                [a],
                |r| r.get(0),
            )
            .optional()?;
        if owner != Some(client_id) {
            return Err(Error::rule(
                format!("Attachment {a} is not one of this client's attachments."),
                "Attach the signed form to the client's file first, then choose it as evidence.",
            ));
        }
    }
    tx.execute(
        "INSERT INTO consents (client_id, kind, given_on, scope, evidence_attachment_id,
             destroy_recording_by, recorded_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            client_id,
            new.kind.as_str(),
            new.given_on.to_string(),
            scope,
            new.evidence_attachment_id,
            destroy_by.map(|d| d.to_string()),
            now()
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::ConsentRecorded,
        Some(&id.to_string()),
        json!({ "client_id": client_id, "kind": new.kind.as_str() }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Records that a consent was withdrawn on `on`: a dated change, made once; the consent stays
/// in the history.
pub fn withdraw(session: &mut Session, id: i64, on: NaiveDate) -> Result<Consent> {
    let c = get(session, id)?;
    if let Some(w) = c.withdrawn_on {
        return Err(Error::rule(
            format!("Consent {id} was already withdrawn on {}.", day(w)),
            "Nothing needs doing; record a new consent if the client gives it again.",
        ));
    }
    if on > today() {
        return Err(Error::rule(
            "The withdrawal date is in the future.",
            "Record the withdrawal on the day the client withdrew.",
        ));
    }
    if on < c.given_on {
        return Err(Error::rule(
            format!(
                "Consent cannot be withdrawn before it was given ({}).",
                day(c.given_on)
            ),
            "Check the date.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "UPDATE consents SET withdrawn_on = ?1, withdrawal_recorded_at = ?2 WHERE id = ?3",
        params![on.to_string(), now(), id],
    )?;
    audit::append(
        &tx,
        Action::ConsentWithdrawn,
        Some(&id.to_string()),
        json!({ "client_id": c.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

pub fn get(session: &Session, id: i64) -> Result<Consent> {
    session
        .conn()?
        .query_row(
            &format!("SELECT {COLUMNS} FROM consents WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "consent",
            id: id.to_string(),
        })
}

/// Every consent the client has given, withdrawn ones included, newest first.
pub fn history(session: &Session, client_id: i64) -> Result<Vec<Consent>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM consents WHERE client_id = ?1 ORDER BY given_on DESC, id DESC"
    ))?;
    let rows = stmt.query_map([client_id], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The consents in force now: every one given and not withdrawn, newest first.
pub fn current(session: &Session, client_id: i64) -> Result<Vec<Consent>> {
    Ok(history(session, client_id)?
        .into_iter()
        .filter(Consent::is_current)
        .collect())
}
