//! Finding, opening and listing clients. Opening a file records the view in the audit log;
//! the other look-ups do not.

use rusqlite::{OptionalExtension, Row};
use serde_json::json;

use super::{Client, ClientDetails, ClientStatus};
use crate::audit::{self, Action};
use crate::error::{Error, Result};
use crate::vault::Session;

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
