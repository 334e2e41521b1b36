//! Adding and changing a client: the case reference (the next free C-NNNN, or one chosen and
//! unique), the details with their status and therapy dates, and the audit entries.

use chrono::{SecondsFormat, Utc};
use rusqlite::ToSql;
use serde_json::json;

use super::validation::normalise;
use super::{get, Client, ClientDetails};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

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

/// Adds a client; returns the stored record with its case reference.
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
