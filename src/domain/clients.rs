//! Clients: who they are, how to reach them, and where their therapy stands.
//!
//! Owns the `clients` table. A client has a pseudonymous case reference (C-0001, C-0002…,
//! editable, unique regardless of case) which is what exports, the audit log and supervision
//! extracts use instead of a name. Status runs enquiry → active → ended (and back to active for a
//! returning client). Validation errors are `RecordRule`s that name the field, never its value.

use chrono::{NaiveDate, SecondsFormat, Utc};
use rusqlite::{OptionalExtension, Row, ToSql};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Enquiry,
    Active,
    Ended,
}

impl ClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Enquiry => "enquiry",
            ClientStatus::Active => "active",
            ClientStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "enquiry" => Ok(ClientStatus::Enquiry),
            "active" => Ok(ClientStatus::Active),
            "ended" => Ok(ClientStatus::Ended),
            _ => Err(Error::rule(
                format!("'{text}' is not a client status."),
                "Use enquiry, active or ended.",
            )),
        }
    }
}

/// Everything recorded about a client except the id and the record times.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientDetails {
    /// Left empty when adding a client, the next free C-NNNN is used.
    pub case_ref: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_relationship: Option<String>,
    pub emergency_phone: Option<String>,
    pub gp_name: Option<String>,
    pub gp_practice: Option<String>,
    pub gp_contact: Option<String>,
    pub referral_source: Option<String>,
    pub status: ClientStatus,
    pub first_contact_on: Option<NaiveDate>,
    pub therapy_started_on: Option<NaiveDate>,
    pub therapy_ended_on: Option<NaiveDate>,
    pub legal_hold_reason: Option<String>,
    pub restricted_reason: Option<String>,
}

impl ClientDetails {
    /// A new enquiry with just a name.
    pub fn named(given: &str, family: &str) -> Self {
        Self {
            case_ref: None,
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            preferred_name: None,
            pronouns: None,
            date_of_birth: None,
            email: None,
            phone: None,
            address: None,
            emergency_name: None,
            emergency_relationship: None,
            emergency_phone: None,
            gp_name: None,
            gp_practice: None,
            gp_contact: None,
            referral_source: None,
            status: ClientStatus::Enquiry,
            first_contact_on: None,
            therapy_started_on: None,
            therapy_ended_on: None,
            legal_hold_reason: None,
            restricted_reason: None,
        }
    }
}

/// A client as stored. `details` is nested, not flattened: its `case_ref` (always the same value
/// as `case_ref` here on a stored client) would otherwise appear twice in JSON and TypeScript,
/// and nesting lets an edit form send `details` straight back to `update`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub case_ref: String,
    pub details: ClientDetails,
    pub created_at: String,
    pub updated_at: String,
}

impl Client {
    /// The name to address the client by: the preferred name if there is one.
    pub fn display_name(&self) -> String {
        let d = &self.details;
        let given = d
            .preferred_name
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(&d.given_name);
        format!("{given} {}", d.family_name)
    }
}

/// Trims text fields, turns empty ones into None, and checks the rules a therapist would.
fn normalise(mut d: ClientDetails, today: NaiveDate) -> Result<ClientDetails> {
    fn tidy(field: &mut Option<String>) {
        if let Some(v) = field.take() {
            let v = v.trim().to_owned();
            if !v.is_empty() {
                *field = Some(v);
            }
        }
    }
    d.given_name = d.given_name.trim().to_owned();
    d.family_name = d.family_name.trim().to_owned();
    for f in [
        &mut d.case_ref,
        &mut d.preferred_name,
        &mut d.pronouns,
        &mut d.email,
        &mut d.phone,
        &mut d.address,
        &mut d.emergency_name,
        &mut d.emergency_relationship,
        &mut d.emergency_phone,
        &mut d.gp_name,
        &mut d.gp_practice,
        &mut d.gp_contact,
        &mut d.referral_source,
        &mut d.legal_hold_reason,
        &mut d.restricted_reason,
    ] {
        tidy(f);
    }
    if d.given_name.is_empty() || d.family_name.is_empty() {
        return Err(Error::rule(
            "A client needs a given name and a family name.",
            "Fill in both; use the preferred name field for what they like to be called.",
        ));
    }
    if let Some(r) = &d.case_ref {
        if r.chars().count() > 20 || !r.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(Error::rule(
                "A case reference may hold only letters, digits and hyphens, up to 20 characters.",
                "Use something like C-0042, and never the client's name or initials.",
            ));
        }
    }
    if let Some(dob) = d.date_of_birth {
        if dob > today {
            return Err(Error::rule(
                "The date of birth is in the future.",
                "Check the date of birth.",
            ));
        }
    }
    if let Some(email) = &d.email {
        if !looks_like_email(email) {
            return Err(Error::rule(
                "The email address is not a valid address.",
                "Check it, or leave it empty.",
            ));
        }
    }
    if let (Some(start), Some(end)) = (d.therapy_started_on, d.therapy_ended_on) {
        if end < start {
            return Err(Error::rule(
                "Therapy cannot end before it started.",
                "Check the therapy start and end dates.",
            ));
        }
    }
    if let (Some(first), Some(start)) = (d.first_contact_on, d.therapy_started_on) {
        if start < first {
            return Err(Error::rule(
                "Therapy cannot start before the first contact.",
                "Check the first-contact and therapy start dates.",
            ));
        }
    }
    for (date, what) in [
        (d.first_contact_on, "first contact"),
        (d.therapy_started_on, "therapy start"),
        (d.therapy_ended_on, "therapy end"),
    ] {
        if date.is_some_and(|x| x > today) {
            return Err(Error::rule(
                format!("The {what} date is in the future."),
                "Record dates once they have happened.",
            ));
        }
    }
    match d.status {
        ClientStatus::Active if d.therapy_started_on.is_none() => {
            return Err(Error::rule(
                "An active client needs the date therapy started.",
                "Add the therapy start date.",
            ))
        }
        ClientStatus::Active if d.therapy_ended_on.is_some() => {
            return Err(Error::rule(
                "An active client cannot have a therapy end date.",
                "Mark the client as ended, or clear the end date for a returning client.",
            ))
        }
        ClientStatus::Ended if d.therapy_started_on.is_some() && d.therapy_ended_on.is_none() => {
            return Err(Error::rule(
                "An ended client needs the date therapy ended.",
                "Add the therapy end date; retention is counted from it.",
            ))
        }
        _ => {}
    }
    Ok(d)
}

/// A plain check that catches typing slips; the address is not verified by sending to it.
fn looks_like_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// The next C-NNNN after the highest in use.
fn next_case_ref(conn: &rusqlite::Connection) -> Result<String> {
    let highest: Option<i64> = conn.query_row(
        "SELECT max(CAST(substr(case_ref, 3) AS INTEGER)) FROM clients
         WHERE case_ref LIKE 'C-%' AND substr(case_ref, 3) NOT GLOB '*[^0-9]*'",
        [],
        |r| r.get(0),
    )?;
    Ok(format!("C-{:04}", highest.unwrap_or(0) + 1))
}

fn case_ref_taken(err: &rusqlite::Error) -> bool {
    matches!(err, rusqlite::Error::SqliteFailure(e, Some(msg))
        if e.code == rusqlite::ErrorCode::ConstraintViolation && msg.contains("case_ref"))
}

fn taken(case_ref: &str) -> Error {
    Error::rule(
        format!("The case reference {case_ref} is already in use."),
        "Choose another, or leave it empty for the next free one.",
    )
}

/// The 22 detail columns in table order, then the time; shared by INSERT and UPDATE.
// `&String` rather than `&str`: a `&String` coerces to `&dyn ToSql`, an unsized `str` cannot.
#[allow(clippy::ptr_arg)]
fn detail_params<'a>(
    d: &'a ClientDetails,
    case_ref: &'a String,
    status: &'a String,
    at: &'a String,
) -> [&'a dyn ToSql; 23] {
    [
        case_ref,
        &d.given_name,
        &d.family_name,
        &d.preferred_name,
        &d.pronouns,
        &d.date_of_birth,
        &d.email,
        &d.phone,
        &d.address,
        &d.emergency_name,
        &d.emergency_relationship,
        &d.emergency_phone,
        &d.gp_name,
        &d.gp_practice,
        &d.gp_contact,
        &d.referral_source,
        status,
        &d.first_contact_on,
        &d.therapy_started_on,
        &d.therapy_ended_on,
        &d.legal_hold_reason,
        &d.restricted_reason,
        at,
    ]
}

const INSERT: &str =
    "INSERT INTO clients (case_ref, given_name, family_name, preferred_name, pronouns,
        date_of_birth, email, phone, address, emergency_name, emergency_relationship,
        emergency_phone, gp_name, gp_practice, gp_contact, referral_source, status,
        first_contact_on, therapy_started_on, therapy_ended_on, legal_hold_reason,
        restricted_reason, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,
             ?18, ?19, ?20, ?21, ?22, ?23, ?23)";

const UPDATE: &str = "UPDATE clients SET case_ref = ?1, given_name = ?2, family_name = ?3,
        preferred_name = ?4, pronouns = ?5, date_of_birth = ?6, email = ?7, phone = ?8,
        address = ?9, emergency_name = ?10, emergency_relationship = ?11, emergency_phone = ?12,
        gp_name = ?13, gp_practice = ?14, gp_contact = ?15, referral_source = ?16, status = ?17,
        first_contact_on = ?18, therapy_started_on = ?19, therapy_ended_on = ?20,
        legal_hold_reason = ?21, restricted_reason = ?22, updated_at = ?23
     WHERE id = ?24";

/// Adds a client; returns the stored record with its case reference.
/// Refuses, as "no client N", an id that names no client: the check every record kind makes
/// inside its own transaction before writing a row that belongs to a client.
pub(crate) fn ensure_exists(conn: &rusqlite::Connection, client_id: i64) -> Result<()> {
    let exists: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM clients WHERE id = ?1)",
        [client_id],
        |r| r.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(Error::NotFound {
            what: "client",
            id: client_id.to_string(),
        })
    }
}

pub fn add(session: &mut Session, details: ClientDetails) -> Result<Client> {
    let today = chrono::Local::now().date_naive();
    let mut d = normalise(details, today)?;
    let tx = session.conn_mut()?.transaction()?;
    let case_ref = match d.case_ref.take() {
        Some(r) => r,
        None => next_case_ref(&tx)?,
    };
    let at = now();
    tx.execute(
        INSERT,
        &detail_params(&d, &case_ref, &d.status.as_str().to_owned(), &at)[..],
    )
    .map_err(|e| {
        if case_ref_taken(&e) {
            taken(&case_ref)
        } else {
            e.into()
        }
    })?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::ClientCreated,
        Some(&case_ref),
        json!({ "client_id": id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Replaces a client's details (an empty case reference keeps the current one).
pub fn update(session: &mut Session, id: i64, details: ClientDetails) -> Result<Client> {
    let today = chrono::Local::now().date_naive();
    let mut d = normalise(details, today)?;
    let current = get(session, id)?;
    if current.details.restricted_reason.is_some() && !only_holds_change(&current.details, &d) {
        // Lifting the restriction (or a legal hold) is the one change a restricted record takes.
        crate::domain::requests::refuse_if_restricted(session.conn()?, id)?;
    }
    let case_ref = d.case_ref.take().unwrap_or(current.case_ref);
    let at = now();
    let tx = session.conn_mut()?.transaction()?;
    let status = d.status.as_str().to_owned();
    let mut params = detail_params(&d, &case_ref, &status, &at).to_vec();
    params.push(&id);
    tx.execute(UPDATE, &params[..]).map_err(|e| {
        if case_ref_taken(&e) {
            taken(&case_ref)
        } else {
            e.into()
        }
    })?;
    audit::append(
        &tx,
        Action::ClientUpdated,
        Some(&case_ref),
        json!({ "client_id": id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Whether `new` differs from `current` only in the restriction and the legal hold.
fn only_holds_change(current: &ClientDetails, new: &ClientDetails) -> bool {
    let strip = |d: &ClientDetails| ClientDetails {
        restricted_reason: None,
        legal_hold_reason: None,
        ..d.clone()
    };
    let mut new = strip(new);
    if new.case_ref.is_none() {
        new.case_ref.clone_from(&current.case_ref);
    }
    strip(current) == new
}

const COLUMNS: &str = "id, case_ref, given_name, family_name, preferred_name, pronouns,
    date_of_birth, email, phone, address, emergency_name, emergency_relationship, emergency_phone,
    gp_name, gp_practice, gp_contact, referral_source, status, first_contact_on,
    therapy_started_on, therapy_ended_on, legal_hold_reason, restricted_reason, created_at,
    updated_at";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Client> {
    let status: String = r.get(17)?;
    let case_ref: String = r.get(1)?;
    Ok(Client {
        id: r.get(0)?,
        details: ClientDetails {
            case_ref: Some(case_ref.clone()),
            given_name: r.get(2)?,
            family_name: r.get(3)?,
            preferred_name: r.get(4)?,
            pronouns: r.get(5)?,
            date_of_birth: r.get(6)?,
            email: r.get(7)?,
            phone: r.get(8)?,
            address: r.get(9)?,
            emergency_name: r.get(10)?,
            emergency_relationship: r.get(11)?,
            emergency_phone: r.get(12)?,
            gp_name: r.get(13)?,
            gp_practice: r.get(14)?,
            gp_contact: r.get(15)?,
            referral_source: r.get(16)?,
            // The CHECK constraint allows only these three.
            status: ClientStatus::parse(&status).unwrap_or(ClientStatus::Enquiry),
            first_contact_on: r.get(18)?,
            therapy_started_on: r.get(19)?,
            therapy_ended_on: r.get(20)?,
            legal_hold_reason: r.get(21)?,
            restricted_reason: r.get(22)?,
        },
        case_ref,
        created_at: r.get(23)?,
        updated_at: r.get(24)?,
    })
}

/// A client by id, without recording a view (for internal use after a change).
pub fn get(session: &Session, id: i64) -> Result<Client> {
    session
        .conn()?
        .query_row(
            &format!("SELECT {COLUMNS} FROM clients WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "client",
            id: id.to_string(),
        })
}

/// Opens a client's file by case reference, and records that it was viewed.
pub fn open_file(session: &Session, case_ref: &str) -> Result<Client> {
    let conn = session.conn()?;
    let client = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM clients WHERE case_ref = ?1"),
            [case_ref.trim()],
            from_row,
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "client",
            id: case_ref.trim().to_owned(),
        })?;
    audit::append(
        conn,
        Action::ClientViewed,
        Some(&client.case_ref),
        json!({ "client_id": client.id }),
    )?;
    Ok(client)
}

/// The id behind a case reference, without recording a view.
pub fn id_for(session: &Session, case_ref: &str) -> Result<i64> {
    session
        .conn()?
        .query_row(
            "SELECT id FROM clients WHERE case_ref = ?1",
            [case_ref.trim()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "client",
            id: case_ref.trim().to_owned(),
        })
}

/// Clients ordered by family then given name, optionally of one status.
pub fn list(session: &Session, status: Option<ClientStatus>) -> Result<Vec<Client>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM clients WHERE ?1 IS NULL OR status = ?1
         ORDER BY family_name COLLATE NOCASE, given_name COLLATE NOCASE, id"
    ))?;
    let rows = stmt.query_map([status.map(ClientStatus::as_str)], from_row)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn validation_names_the_rule() {
        let today = day("2026-11-23");
        let mut d = ClientDetails::named("Ann", "Example");
        d.date_of_birth = Some(day("2027-01-01"));
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("date of birth is in the future"));

        let mut d = ClientDetails::named("Ann", "Example");
        d.email = Some("ann at example".into());
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("email"));

        let mut d = ClientDetails::named("Ann", "Example");
        d.status = ClientStatus::Ended;
        d.therapy_started_on = Some(day("2025-05-01"));
        d.therapy_ended_on = Some(day("2025-04-01"));
        assert!(normalise(d, today)
            .unwrap_err()
            .to_string()
            .contains("cannot end before it started"));

        let mut d = ClientDetails::named("  Ann ", "Example");
        d.email = Some(" ann@example.org ".into());
        d.pronouns = Some("  ".into());
        let d = normalise(d, today).unwrap();
        assert_eq!(d.given_name, "Ann");
        assert_eq!(d.email.as_deref(), Some("ann@example.org"));
        assert_eq!(d.pronouns, None);

        assert!(normalise(ClientDetails::named("", "Example"), today).is_err());
    }

    #[test]
    fn emails() {
        for good in ["a@b.co", "first.last+tag@example.org.uk"] {
            assert!(looks_like_email(good), "{good}");
        }
        for bad in [
            "", "a", "a@b", "@b.co", "a@@b.co", "a b@c.co", "a@.co", "a@co.",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }
}
