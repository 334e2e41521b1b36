//! Reading notes back, each with its addenda.

use rusqlite::{OptionalExtension, Row};

use super::addenda::addenda_for;
use super::{Note, NoteKind, Template};
use crate::error::{Error, Result};
use crate::vault::Session;

const COLUMNS: &str =
    "id, client_id, kind, template, body, third_party, created_at, updated_at, signed_at,
    content_sha256, appointment_id";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Note> {
    let kind: String = r.get(2)?;
    let template: String = r.get(3)?;
    Ok(Note {
        id: r.get(0)?,
        client_id: r.get(1)?,
        // CHECK constraints allow only the values these parse.
        kind: NoteKind::parse(&kind).unwrap_or(NoteKind::Session),
        template: Template::parse(&template).unwrap_or(Template::Free),
        body: r.get(4)?,
        third_party: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        signed_at: r.get(8)?,
        content_sha256: r.get(9)?,
        appointment_id: r.get(10)?,
        addenda: Vec::new(),
    })
}

/// A note with its addenda.
pub fn get(session: &Session, id: i64) -> Result<Note> {
    let conn = session.conn()?;
    let mut note = conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM notes WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "note",
            id: id.to_string(),
        })?;
    note.addenda = addenda_for(conn, id)?;
    Ok(note)
}

/// A client's notes, newest first, each with its addenda.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Note>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM notes WHERE client_id = ?1 ORDER BY created_at DESC, id DESC"
    ))?;
    let mut notes: Vec<Note> = stmt
        .query_map([client_id], from_row)?
        .collect::<Result<_, _>>()?;
    for note in &mut notes {
        note.addenda = addenda_for(conn, note.id)?;
    }
    Ok(notes)
}
