//! Drafts: starting a note, saving it as it is written, linking it to its appointment and
//! flagging third-party information. Nothing here touches a signed note's content.

use rusqlite::{params, OptionalExtension};
use serde_json::json;

use super::{check_length, get, now, Note, NoteKind, Template};
use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::requests;
use crate::error::{Error, Result};
use crate::vault::Session;

pub(super) fn signed_refusal(id: i64) -> Error {
    Error::rule(
        format!("Note {id} is signed, and a signed note is never changed."),
        format!("Add an addendum with the reason for the correction: casenotes note addendum {id} --reason … --body-file …"),
    )
}

/// Starts a note for a client; returns it as a draft.
pub fn create(
    session: &mut Session,
    client_id: i64,
    kind: NoteKind,
    template: Template,
    body: &str,
    third_party: bool,
) -> Result<Note> {
    check_length(body, "note")?;
    let tx = session.conn_mut()?.transaction()?;
    clients::ensure_exists(&tx, client_id)?;
    requests::refuse_if_restricted(&tx, client_id)?;
    let at = now();
    tx.execute(
        "INSERT INTO notes (client_id, kind, template, body, third_party, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
        params![
            client_id,
            kind.as_str(),
            template.as_str(),
            body,
            third_party,
            at
        ],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::NoteCreated,
        Some(&id.to_string()),
        json!({ "client_id": client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Saves a draft's new body. Refused for a signed note.
pub fn save_draft(session: &mut Session, id: i64, body: &str) -> Result<Note> {
    check_length(body, "note")?;
    let note = get(session, id)?;
    if note.is_signed() {
        return Err(signed_refusal(id));
    }
    if note.body == body {
        return Ok(note);
    }
    let tx = session.conn_mut()?.transaction()?;
    requests::refuse_if_restricted(&tx, note.client_id)?;
    tx.execute(
        "UPDATE notes SET body = ?1, updated_at = ?2 WHERE id = ?3 AND signed_at IS NULL",
        params![body, now(), id],
    )?;
    audit::append(
        &tx,
        Action::NoteDraftSaved,
        Some(&id.to_string()),
        json!({ "client_id": note.client_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Links a draft to the appointment it records (or unlinks it with `None`).
pub fn link_appointment(
    session: &mut Session,
    id: i64,
    appointment_id: Option<i64>,
) -> Result<Note> {
    let note = get(session, id)?;
    if note.is_signed() {
        return Err(signed_refusal(id));
    }
    let tx = session.conn_mut()?.transaction()?;
    requests::refuse_if_restricted(&tx, note.client_id)?;
    if let Some(a) = appointment_id {
        let owner: Option<i64> = tx
            .query_row(
                "SELECT client_id FROM appointments WHERE id = ?1",
                [a],
                |r| r.get(0),
            )
            .optional()?;
        if owner != Some(note.client_id) {
            return Err(Error::rule(
                format!("Appointment {a} is not one of this client's appointments."),
                "Choose one of the client's own appointments.",
            ));
        }
    }
    tx.execute(
        "UPDATE notes SET appointment_id = ?1, updated_at = ?2 WHERE id = ?3",
        params![appointment_id, now(), id],
    )?;
    audit::append(
        &tx,
        Action::NoteDraftSaved,
        Some(&id.to_string()),
        json!({ "client_id": note.client_id, "appointment_id": appointment_id }),
    )?;
    tx.commit()?;
    get(session, id)
}

/// Marks or clears "contains information about someone else". Allowed after signing: the flag
/// guides the access-request review and is not part of what was signed.
pub fn set_third_party(session: &mut Session, id: i64, third_party: bool) -> Result<Note> {
    let note = get(session, id)?;
    let tx = session.conn_mut()?.transaction()?;
    requests::refuse_if_restricted(&tx, note.client_id)?;
    tx.execute(
        "UPDATE notes SET third_party = ?1 WHERE id = ?2",
        params![third_party, id],
    )?;
    audit::append(
        &tx,
        Action::NoteFlagged,
        Some(&id.to_string()),
        json!({ "client_id": note.client_id, "third_party": third_party }),
    )?;
    tx.commit()?;
    get(session, id)
}
