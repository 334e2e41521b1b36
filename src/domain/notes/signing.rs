//! Signing: the content hash and the moment a note becomes final. The database's trigger
//! refuses any later change to a signed note whoever asks; this module sets the hash it checks.

use rusqlite::params;
use serde_json::json;

use super::{get, hash_fields, now, Note, NoteKind, Template};
use crate::audit::{self, Action};
use crate::domain::requests;
use crate::error::{Error, Result};
use crate::vault::Session;

impl Note {
    /// Whether the stored content still matches the hash taken when it was signed.
    pub fn signature_holds(&self) -> bool {
        match (&self.signed_at, &self.content_sha256) {
            (Some(at), Some(hash)) => *hash == note_hash(self, at),
            _ => false,
        }
    }
}

fn note_hash(note: &Note, signed_at: &str) -> String {
    hash_fields(&[
        &note.id.to_string(),
        &note.client_id.to_string(),
        &note
            .appointment_id
            .map(|a| a.to_string())
            .unwrap_or_default(),
        note.kind.as_str(),
        note.template.as_str(),
        &note.body,
        signed_at,
    ])
}

/// Imports a note written and signed in the past (demo practices, and later migration from
/// another system), inside the caller's transaction. The note is hashed exactly as `sign` does.
pub(crate) fn import_signed(
    conn: &rusqlite::Connection,
    client_id: i64,
    appointment_id: Option<i64>,
    kind: NoteKind,
    template: Template,
    body: &str,
    written_at: &str,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO notes (client_id, appointment_id, kind, template, body, third_party, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6)",
    )?
    .execute(params![client_id, appointment_id, kind.as_str(), template.as_str(), body, written_at])?;
    let id = conn.last_insert_rowid();
    let note = Note {
        id,
        client_id,
        appointment_id,
        kind,
        template,
        body: body.to_owned(),
        third_party: false,
        created_at: written_at.to_owned(),
        updated_at: written_at.to_owned(),
        signed_at: None,
        content_sha256: None,
        addenda: Vec::new(),
    };
    conn.prepare_cached("UPDATE notes SET signed_at = ?1, content_sha256 = ?2 WHERE id = ?3")?
        .execute(params![written_at, note_hash(&note, written_at), id])?;
    Ok(id)
}

/// Signs a draft: records the time and the content's SHA-256. From now on it is read-only.
pub fn sign(session: &mut Session, id: i64) -> Result<Note> {
    let note = get(session, id)?;
    if note.is_signed() {
        return Err(Error::rule(
            format!("Note {id} is already signed."),
            "Nothing needs doing; add an addendum if something must be corrected.",
        ));
    }
    if note.body.trim().is_empty() || note.template.skeleton().trim() == note.body.trim() {
        return Err(Error::rule(
            format!("Note {id} is empty."),
            "Write the note before signing it.",
        ));
    }
    let at = now();
    let hash = note_hash(&note, &at);
    let tx = session.conn_mut()?.transaction()?;
    requests::refuse_if_restricted(&tx, note.client_id)?;
    tx.execute(
        "UPDATE notes SET signed_at = ?1, content_sha256 = ?2, updated_at = ?1 WHERE id = ?3 AND signed_at IS NULL",
        params![at, hash, id],
    )?;
    audit::append(
        &tx,
        Action::NoteSigned,
        Some(&id.to_string()),
        json!({ "client_id": note.client_id, "content_sha256": hash }),
    )?;
    tx.commit()?;
    get(session, id)
}
