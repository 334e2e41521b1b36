//! Notes: session, process, contact, supervision and letter notes, drafted then signed.
//!
//! Owns `notes` and `note_addenda`. A draft may be saved as often as needed (the desktop saves
//! as the practitioner types and before the vault locks). Signing stamps the time and a SHA-256
//! of the content; from then on the note is read-only for ever, in this module and in the
//! database (a trigger refuses the change whoever asks). Corrections are addenda with a reason,
//! themselves final. Errors never quote note text.

use chrono::{SecondsFormat, Utc};
use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::requests;
use crate::error::{Error, Result};
use crate::vault::Session;

/// The longest note body or addendum the vault accepts: 512 KiB of text, about 80,000 words,
/// far beyond any session note or letter, and a bound on what one save can make the index and
/// the audit trail carry.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

/// Refuses text over `MAX_BODY_BYTES`, saying how long it is, never what it says.
pub(crate) fn check_length(text: &str, what: &str) -> Result<()> {
    if text.len() > MAX_BODY_BYTES {
        return Err(Error::rule(
            format!(
                "This {what} is too long to save ({} KB; the most a {what} can hold is {} KB, about 80,000 words).",
                text.len().div_ceil(1024),
                MAX_BODY_BYTES / 1024
            ),
            "Split it into two, or attach a long document to the note as a file. Nothing was saved.",
        ));
    }
    Ok(())
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    Session,
    Process,
    Contact,
    Supervision,
    Letter,
}

impl NoteKind {
    pub fn as_str(self) -> &'static str {
        match self {
            NoteKind::Session => "session",
            NoteKind::Process => "process",
            NoteKind::Contact => "contact",
            NoteKind::Supervision => "supervision",
            NoteKind::Letter => "letter",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "session" => NoteKind::Session,
            "process" => NoteKind::Process,
            "contact" => NoteKind::Contact,
            "supervision" => NoteKind::Supervision,
            "letter" => NoteKind::Letter,
            _ => {
                return Err(Error::rule(
                    format!("'{text}' is not a kind of note."),
                    "Use session, process, contact, supervision or letter.",
                ))
            }
        })
    }
}

/// How a note's body is laid out: free text, or headed sections.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Free,
    Soap,
    Dap,
    Birp,
}

impl Template {
    pub fn as_str(self) -> &'static str {
        match self {
            Template::Free => "free",
            Template::Soap => "soap",
            Template::Dap => "dap",
            Template::Birp => "birp",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        Ok(match text {
            "free" => Template::Free,
            "soap" => Template::Soap,
            "dap" => Template::Dap,
            "birp" => Template::Birp,
            _ => {
                return Err(Error::rule(
                    format!("'{text}' is not a note template."),
                    "Use free, soap, dap or birp.",
                ))
            }
        })
    }

    /// The section headings, in order.
    pub fn sections(self) -> &'static [&'static str] {
        match self {
            Template::Free => &[],
            Template::Soap => &["Subjective", "Objective", "Assessment", "Plan"],
            Template::Dap => &["Data", "Assessment", "Plan"],
            Template::Birp => &["Behaviour", "Intervention", "Response", "Plan"],
        }
    }

    /// A new note's starting text: one Markdown heading per section.
    pub fn skeleton(self) -> String {
        self.sections()
            .iter()
            .map(|s| format!("## {s}\n\n\n"))
            .collect()
    }
}

/// A correction or addition to a signed note.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Addendum {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub note_id: i64,
    pub reason: String,
    pub body: String,
    pub created_at: String,
    pub content_sha256: String,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    /// The appointment the note records, when there was one.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub appointment_id: Option<i64>,
    pub kind: NoteKind,
    pub template: Template,
    pub body: String,
    /// Holds information about someone other than the client (for access-request review).
    pub third_party: bool,
    pub created_at: String,
    pub updated_at: String,
    pub signed_at: Option<String>,
    pub content_sha256: Option<String>,
    pub addenda: Vec<Addendum>,
}

impl Note {
    pub fn is_signed(&self) -> bool {
        self.signed_at.is_some()
    }

    /// Whether the stored content still matches the hash taken when it was signed.
    pub fn signature_holds(&self) -> bool {
        match (&self.signed_at, &self.content_sha256) {
            (Some(at), Some(hash)) => *hash == note_hash(self, at),
            _ => false,
        }
    }
}

pub(crate) fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

pub(crate) fn hash_fields(fields: &[&str]) -> String {
    let mut h = Sha256::new();
    for f in fields {
        h.update((f.len() as u64).to_be_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
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

fn signed_refusal(id: i64) -> Error {
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

/// Checks and writes an addendum with its audit entry inside the caller's transaction.
pub(crate) fn insert_addendum(
    conn: &rusqlite::Connection,
    note: &Note,
    reason: &str,
    body: &str,
) -> Result<Addendum> {
    check_length(reason, "addendum")?;
    check_length(body, "addendum")?;
    let note_id = note.id;
    if !note.is_signed() {
        return Err(Error::rule(
            format!("Note {note_id} is still a draft."),
            "Edit the draft itself; addenda are for notes that are already signed.",
        ));
    }
    let (reason, body) = (reason.trim(), body.trim());
    if reason.is_empty() {
        return Err(Error::rule(
            "An addendum needs a reason.",
            "Say briefly why the note is being corrected or added to.",
        ));
    }
    if body.is_empty() {
        return Err(Error::rule(
            "The addendum is empty.",
            "Write the correction or addition.",
        ));
    }
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

fn addenda_for(conn: &rusqlite::Connection, note_id: i64) -> Result<Vec<Addendum>> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_have_a_heading_per_section() {
        assert_eq!(Template::Soap.skeleton().matches("## ").count(), 4);
        assert_eq!(Template::Birp.sections()[0], "Behaviour");
        assert!(Template::Free.skeleton().is_empty());
        assert!(Template::parse("narrative").is_err());
    }
}
