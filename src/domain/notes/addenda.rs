//! Addenda: dated corrections or additions, each with a reason, to a note that is already
//! signed. An addendum is itself final (hashed, and protected by the database's trigger).

use rusqlite::params;
use serde_json::json;

use super::{check_length, get, hash_fields, now, Addendum, Note};
use crate::audit::{self, Action};
use crate::domain::requests;
use crate::error::{Error, Result};
use crate::vault::Session;

/// Adds a dated addendum with a reason to a signed note. Refused while the client's record is
/// restricted (a rectification request adds its addendum through `requests::rectify`).
pub fn add_addendum(
    session: &mut Session,
    note_id: i64,
    reason: &str,
    body: &str,
) -> Result<Addendum> {
    let note = get(session, note_id)?;
    let tx = session.conn_mut()?.transaction()?;
    requests::refuse_if_restricted(&tx, note.client_id)?;
    let addendum = insert_addendum(&tx, &note, reason, body)?;
    tx.commit()?;
    Ok(addendum)
}

/// The checks every kind of signed record makes of an addendum (notes, joint notes, risk
/// assessments): within the length cap, to a signed record only, with a reason and a body.
/// `label` names the record ("Note 12"), `noun` its kind ("note"). Returns both trimmed.
pub(crate) fn checked_addendum<'a>(
    label: &str,
    noun: &str,
    signed: bool,
    reason: &'a str,
    body: &'a str,
) -> Result<(&'a str, &'a str)> {
    check_length(reason, "addendum")?;
    check_length(body, "addendum")?;
    if !signed {
        return Err(Error::rule(
            format!("{label} is still a draft."),
            format!("Edit the draft itself; addenda are for {noun}s that are already signed."),
        ));
    }
    let (reason, body) = (reason.trim(), body.trim());
    if reason.is_empty() {
        return Err(Error::rule(
            "An addendum needs a reason.",
            format!("Say briefly why the {noun} is being corrected or added to."),
        ));
    }
    if body.is_empty() {
        return Err(Error::rule(
            "The addendum is empty.",
            "Write the correction or addition.",
        ));
    }
    Ok((reason, body))
}

/// Checks and writes an addendum with its audit entry inside the caller's transaction.
pub(crate) fn insert_addendum(
    conn: &rusqlite::Connection,
    note: &Note,
    reason: &str,
    body: &str,
) -> Result<Addendum> {
    let note_id = note.id;
    let (reason, body) = checked_addendum(
        &format!("Note {note_id}"),
        "note",
        note.is_signed(),
        reason,
        body,
    )?;
    let at = now();
    let hash = hash_fields(&[&note_id.to_string(), reason, body, &at]);
    conn.execute(
        "INSERT INTO note_addenda (note_id, reason, body, created_at, content_sha256) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![note_id, reason, body, at, hash],
    )?;
    let id = conn.last_insert_rowid();
    audit::append(
        conn,
        Action::AddendumAdded,
        Some(&note_id.to_string()),
        json!({ "client_id": note.client_id, "addendum_id": id, "content_sha256": hash }),
    )?;
    Ok(Addendum {
        id,
        note_id,
        reason: reason.to_owned(),
        body: body.to_owned(),
        created_at: at,
        content_sha256: hash,
    })
}

pub(super) fn addenda_for(conn: &rusqlite::Connection, note_id: i64) -> Result<Vec<Addendum>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, note_id, reason, body, created_at, content_sha256 FROM note_addenda
         WHERE note_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([note_id], |r| {
        Ok(Addendum {
            id: r.get(0)?,
            note_id: r.get(1)?,
            reason: r.get(2)?,
            body: r.get(3)?,
            created_at: r.get(4)?,
            content_sha256: r.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
