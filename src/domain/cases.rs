//! Joint work: a couple or family "case" linking two or more clients, and its joint session
//! notes.
//!
//! Owns `cases`, `case_members`, `joint_notes` and `joint_note_addenda`. A case has its own
//! pseudonymous reference (J-0001, J-0002…) and an optional label for the practitioner. A joint
//! note belongs to the case, not to one client: it is drafted, signed (time and SHA-256 of the
//! content, after which it is read-only here and in the database) and corrected by addenda,
//! exactly as a client's own note is, and it appears in every member's file. A change to a joint
//! note is refused while any member's record is restricted, since it is part of each record.
//!
//! Retention keeps a joint note while any member's record is kept: destroying one member's
//! record unlinks them from the case (their place stays, dated, as "a former member") and the
//! case with its notes goes only with the last member's record (`retention::destroy`). A
//! subject-access copy for one member releases a joint note only if every other member, former
//! members included, has recorded consent of the kind `joint_notes_release`
//! ([`release_consent`]); otherwise it is withheld as third-party information without consent.
//!
//! Must never: quote note text in an error or the audit log (ids only), or show one member's
//! contact details in another member's file (members are named by case reference).

use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::domain::clients;
use crate::domain::consents::ConsentKind;
use crate::domain::notes::{
    check_length, checked_addendum, hash_fields, now, Addendum, NoteKind, Template,
};
use crate::domain::requests;
use crate::error::{Error, Result};
use crate::vault::Session;

/// The longest label a case may have.
const MAX_NAME: usize = 200;

/// One member of a case: a client, or the place of one whose record has been destroyed.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseMember {
    /// None once the member's record was destroyed.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub client_id: Option<i64>,
    /// The client's case reference (C-0042), while their record is kept.
    pub client_case_ref: Option<String>,
    pub joined_at: String,
    /// When the member's record was destroyed under the retention policy, if it was.
    pub record_destroyed_at: Option<String>,
}

/// A couple or family case.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Case {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    /// The case's own reference, such as J-0003.
    pub case_ref: String,
    /// The practitioner's label, such as "couple work".
    pub name: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// In the order they were added.
    pub members: Vec<CaseMember>,
}

/// A note of a joint session; it belongs to the case.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JointNote {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub case_id: i64,
    pub case_ref: String,
    pub kind: NoteKind,
    pub template: Template,
    pub body: String,
    pub created_at: String,
    pub updated_at: String,
    pub signed_at: Option<String>,
    pub content_sha256: Option<String>,
    /// Each addendum's `note_id` is this joint note's id.
    pub addenda: Vec<Addendum>,
}

impl JointNote {
    pub fn is_signed(&self) -> bool {
        self.signed_at.is_some()
    }

    /// Whether the stored content still matches the hash taken when it was signed.
    pub fn signature_holds(&self) -> bool {
        match (&self.signed_at, &self.content_sha256) {
            (Some(at), Some(hash)) => *hash == joint_note_hash(self, at),
            _ => false,
        }
    }
}

/// Whether the other members of a case have consented to the release of its joint notes in one
/// member's subject-access copy.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReleaseConsent {
    /// Members other than the client (former members included).
    pub others: u32,
    /// Of those, how many have no current consent of the kind `joint_notes_release` (a former
    /// member whose record was destroyed can show none).
    pub without_consent: u32,
}

impl ReleaseConsent {
    pub fn all_consented(self) -> bool {
        self.without_consent == 0
    }
}

fn joint_note_hash(note: &JointNote, signed_at: &str) -> String {
    hash_fields(&[
        "joint",
        &note.id.to_string(),
        &note.case_id.to_string(),
        note.kind.as_str(),
        note.template.as_str(),
        &note.body,
        signed_at,
    ])
}

fn signed_refusal(id: i64) -> Error {
    Error::rule(
        format!("Joint note {id} is signed, and a signed note is never changed."),
        format!("Add an addendum with the reason for the correction: casenotes case note addendum {id} --reason … --body-file …"),
    )
}

/// The next J-NNNN after the highest in use.
fn next_case_ref(conn: &Connection) -> Result<String> {
    let highest: Option<i64> = conn.query_row(
        "SELECT max(CAST(substr(case_ref, 3) AS INTEGER)) FROM cases
         WHERE case_ref LIKE 'J-%' AND substr(case_ref, 3) NOT GLOB '*[^0-9]*'",
        [],
        |r| r.get(0),
    )?;
    Ok(format!("J-{:04}", highest.unwrap_or(0) + 1))
}

/// Client ids of the members whose records are still kept.
fn current_member_ids(conn: &Connection, case_id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn.prepare_cached(
        "SELECT client_id FROM case_members WHERE case_id = ?1 AND client_id IS NOT NULL ORDER BY id",
    )?;
    let ids = stmt
        .query_map([case_id], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(ids)
}

/// A change to a joint note changes every member's record: refused if any is restricted.
fn refuse_if_any_restricted(conn: &Connection, case_id: i64) -> Result<()> {
    for client_id in current_member_ids(conn, case_id)? {
        requests::refuse_if_restricted(conn, client_id)?;
    }
    Ok(())
}

/// Opens a couple or family case linking `members` (two or more clients, each already in the
/// vault), with an optional label. Returns the case with its new J-NNNN reference.
pub fn create(session: &mut Session, members: &[i64], name: Option<&str>) -> Result<Case> {
    let mut ids: Vec<i64> = Vec::new();
    for id in members {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    if ids.len() < 2 {
        return Err(Error::rule(
            "A joint case needs at least two different clients.",
            "Choose each member of the couple or family; add any who are not yet clients first.",
        ));
    }
    let name = name.map(str::trim).filter(|n| !n.is_empty());
    if name.is_some_and(|n| n.chars().count() > MAX_NAME) {
        return Err(Error::rule(
            format!("The case's label is too long (at most {MAX_NAME} characters)."),
            "Shorten it; a few words such as \"couple work\" are enough.",
        ));
    }
    let tx = session.conn_mut()?.transaction()?;
    for id in &ids {
        clients::ensure_exists(&tx, *id)?;
        requests::refuse_if_restricted(&tx, *id)?;
    }
    let case_ref = next_case_ref(&tx)?;
    let at = now();
    tx.execute(
        "INSERT INTO cases (case_ref, name, created_at, updated_at) VALUES (?1, ?2, ?3, ?3)",
        params![case_ref, name, at],
    )?;
    let case_id = tx.last_insert_rowid();
    for id in &ids {
        tx.execute(
            "INSERT INTO case_members (case_id, client_id, joined_at) VALUES (?1, ?2, ?3)",
            params![case_id, id, at],
        )?;
    }
    audit::append(
        &tx,
        Action::CaseCreated,
        Some(&case_ref),
        json!({ "case_id": case_id, "client_ids": ids }),
    )?;
    tx.commit()?;
    get(session, case_id)
}

fn case_from_row(r: &Row<'_>) -> rusqlite::Result<Case> {
    Ok(Case {
        id: r.get(0)?,
        case_ref: r.get(1)?,
        name: r.get(2)?,
        created_at: r.get(3)?,
        updated_at: r.get(4)?,
        members: Vec::new(),
    })
}

fn members_of(conn: &Connection, case_id: i64) -> Result<Vec<CaseMember>> {
    let mut stmt = conn.prepare_cached(
        "SELECT m.client_id, c.case_ref, m.joined_at, m.record_destroyed_at
         FROM case_members m LEFT JOIN clients c ON c.id = m.client_id
         WHERE m.case_id = ?1 ORDER BY m.id",
    )?;
    let rows = stmt.query_map([case_id], |r| {
        Ok(CaseMember {
            client_id: r.get(0)?,
            client_case_ref: r.get(1)?,
            joined_at: r.get(2)?,
            record_destroyed_at: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A case with its members.
pub fn get(session: &Session, id: i64) -> Result<Case> {
    let conn = session.conn()?;
    let mut case = conn
        .query_row(
            "SELECT id, case_ref, name, created_at, updated_at FROM cases WHERE id = ?1",
            [id],
            case_from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "case",
            id: id.to_string(),
        })?;
    case.members = members_of(conn, id)?;
    Ok(case)
}

/// The id behind a case's J-NNNN reference.
pub fn id_for(session: &Session, case_ref: &str) -> Result<i64> {
    session
        .conn()?
        .query_row(
            "SELECT id FROM cases WHERE case_ref = ?1",
            [case_ref.trim()],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| Error::NotFound {
            what: "case",
            id: case_ref.trim().to_owned(),
        })
}

/// Every case, oldest first, with its members.
pub fn list(session: &Session) -> Result<Vec<Case>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, case_ref, name, created_at, updated_at FROM cases ORDER BY created_at, id",
    )?;
    let mut cases: Vec<Case> = stmt
        .query_map([], case_from_row)?
        .collect::<Result<_, _>>()?;
    for case in &mut cases {
        case.members = members_of(conn, case.id)?;
    }
    Ok(cases)
}

/// The cases a client is a member of, oldest first.
pub fn for_client(session: &Session, client_id: i64) -> Result<Vec<Case>> {
    Ok(list(session)?
        .into_iter()
        .filter(|c| c.members.iter().any(|m| m.client_id == Some(client_id)))
        .collect())
}

// ---- joint notes ---------------------------------------------------------------------------

/// Starts a joint note for a case; returns it as a draft.
pub fn create_note(
    session: &mut Session,
    case_id: i64,
    kind: NoteKind,
    template: Template,
    body: &str,
) -> Result<JointNote> {
    check_length(body, "note")?;
    let tx = session.conn_mut()?.transaction()?;
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM cases WHERE id = ?1)",
        [case_id],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(Error::NotFound {
            what: "case",
            id: case_id.to_string(),
        });
    }
    refuse_if_any_restricted(&tx, case_id)?;
    let at = now();
    tx.execute(
        "INSERT INTO joint_notes (case_id, kind, template, body, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![case_id, kind.as_str(), template.as_str(), body, at],
    )?;
    let id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::JointNoteCreated,
        Some(&id.to_string()),
        json!({ "case_id": case_id }),
    )?;
    tx.commit()?;
    get_note(session, id)
}

/// Saves a joint draft's new body. Refused for a signed note.
pub fn save_note_draft(session: &mut Session, id: i64, body: &str) -> Result<JointNote> {
    check_length(body, "note")?;
    let note = get_note(session, id)?;
    if note.is_signed() {
        return Err(signed_refusal(id));
    }
    if note.body == body {
        return Ok(note);
    }
    let tx = session.conn_mut()?.transaction()?;
    refuse_if_any_restricted(&tx, note.case_id)?;
    tx.execute(
        "UPDATE joint_notes SET body = ?1, updated_at = ?2 WHERE id = ?3 AND signed_at IS NULL",
        params![body, now(), id],
    )?;
    audit::append(
        &tx,
        Action::JointNoteDraftSaved,
        Some(&id.to_string()),
        json!({ "case_id": note.case_id }),
    )?;
    tx.commit()?;
    get_note(session, id)
}

/// Signs a joint draft: records the time and the content's SHA-256. From now on it is read-only.
pub fn sign_note(session: &mut Session, id: i64) -> Result<JointNote> {
    let note = get_note(session, id)?;
    if note.is_signed() {
        return Err(Error::rule(
            format!("Joint note {id} is already signed."),
            "Nothing needs doing; add an addendum if something must be corrected.",
        ));
    }
    if note.body.trim().is_empty() || note.template.skeleton().trim() == note.body.trim() {
        return Err(Error::rule(
            format!("Joint note {id} is empty."),
            "Write the note before signing it.",
        ));
    }
    let at = now();
    let hash = joint_note_hash(&note, &at);
    let tx = session.conn_mut()?.transaction()?;
    refuse_if_any_restricted(&tx, note.case_id)?;
    tx.execute(
        "UPDATE joint_notes SET signed_at = ?1, content_sha256 = ?2, updated_at = ?1
         WHERE id = ?3 AND signed_at IS NULL",
        params![at, hash, id],
    )?;
    audit::append(
        &tx,
        Action::JointNoteSigned,
        Some(&id.to_string()),
        json!({ "case_id": note.case_id, "content_sha256": hash }),
    )?;
    tx.commit()?;
    get_note(session, id)
}

/// Adds a dated addendum with a reason to a signed joint note.
pub fn add_note_addendum(
    session: &mut Session,
    id: i64,
    reason: &str,
    body: &str,
) -> Result<Addendum> {
    let note = get_note(session, id)?;
    let (reason, body) = checked_addendum(
        &format!("Joint note {id}"),
        "note",
        note.is_signed(),
        reason,
        body,
    )?;
    let tx = session.conn_mut()?.transaction()?;
    refuse_if_any_restricted(&tx, note.case_id)?;
    let at = now();
    let hash = hash_fields(&["joint", &id.to_string(), reason, body, &at]);
    tx.execute(
        "INSERT INTO joint_note_addenda (joint_note_id, reason, body, created_at, content_sha256)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, reason, body, at, hash],
    )?;
    let addendum_id = tx.last_insert_rowid();
    audit::append(
        &tx,
        Action::JointNoteAddendumAdded,
        Some(&id.to_string()),
        json!({ "case_id": note.case_id, "addendum_id": addendum_id, "content_sha256": hash }),
    )?;
    tx.commit()?;
    Ok(Addendum {
        id: addendum_id,
        note_id: id,
        reason: reason.to_owned(),
        body: body.to_owned(),
        created_at: at,
        content_sha256: hash,
    })
}

const NOTE_COLUMNS: &str = "n.id, n.case_id, c.case_ref, n.kind, n.template, n.body, n.created_at,
    n.updated_at, n.signed_at, n.content_sha256";

fn note_from_row(r: &Row<'_>) -> rusqlite::Result<JointNote> {
    let kind: String = r.get(3)?;
    let template: String = r.get(4)?;
    Ok(JointNote {
        id: r.get(0)?,
        case_id: r.get(1)?,
        case_ref: r.get(2)?,
        // CHECK constraints allow only the values these parse.
        kind: NoteKind::parse(&kind).unwrap_or(NoteKind::Session),
        template: Template::parse(&template).unwrap_or(Template::Free),
        body: r.get(5)?,
        created_at: r.get(6)?,
        updated_at: r.get(7)?,
        signed_at: r.get(8)?,
        content_sha256: r.get(9)?,
        addenda: Vec::new(),
    })
}

fn addenda_for(conn: &Connection, id: i64) -> Result<Vec<Addendum>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, joint_note_id, reason, body, created_at, content_sha256 FROM joint_note_addenda
         WHERE joint_note_id = ?1 ORDER BY created_at, id",
    )?;
    let rows = stmt.query_map([id], |r| {
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

/// A joint note with its addenda.
pub fn get_note(session: &Session, id: i64) -> Result<JointNote> {
    let conn = session.conn()?;
    let mut note = conn
        .query_row(
            &format!(
                "SELECT {NOTE_COLUMNS} FROM joint_notes n JOIN cases c ON c.id = n.case_id
                 WHERE n.id = ?1"
            ),
            [id],
            note_from_row,
        )
        .optional()?
        .ok_or(Error::NotFound {
            what: "joint note",
            id: id.to_string(),
        })?;
    note.addenda = addenda_for(conn, id)?;
    Ok(note)
}

/// A case's joint notes, newest first, each with its addenda.
pub fn notes_for_case(session: &Session, case_id: i64) -> Result<Vec<JointNote>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM joint_notes n JOIN cases c ON c.id = n.case_id
         WHERE n.case_id = ?1 ORDER BY n.created_at DESC, n.id DESC"
    ))?;
    let mut notes: Vec<JointNote> = stmt
        .query_map([case_id], note_from_row)?
        .collect::<Result<_, _>>()?;
    for note in &mut notes {
        note.addenda = addenda_for(conn, note.id)?;
    }
    Ok(notes)
}

/// The joint notes of every case the client is a member of, newest first.
pub fn notes_for_client(session: &Session, client_id: i64) -> Result<Vec<JointNote>> {
    let conn = session.conn()?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {NOTE_COLUMNS} FROM joint_notes n JOIN cases c ON c.id = n.case_id
         WHERE n.case_id IN (SELECT case_id FROM case_members WHERE client_id = ?1)
         ORDER BY n.created_at DESC, n.id DESC"
    ))?;
    let mut notes: Vec<JointNote> = stmt
        .query_map([client_id], note_from_row)?
        .collect::<Result<_, _>>()?;
    for note in &mut notes {
        note.addenda = addenda_for(conn, note.id)?;
    }
    Ok(notes)
}

/// Whether every other member of `case_id` has a current consent to the release of joint notes
/// in `client_id`'s subject-access copy. A former member (record destroyed) counts as not
/// consented: there is no longer any record of their consent.
pub fn release_consent(session: &Session, case_id: i64, client_id: i64) -> Result<ReleaseConsent> {
    let conn = session.conn()?;
    let (others, without): (u32, u32) = conn.query_row(
        "SELECT count(*),
                coalesce(sum(NOT EXISTS (SELECT 1 FROM consents k WHERE k.client_id = m.client_id
                                           AND k.kind = ?3 AND k.withdrawn_on IS NULL)), 0)
         FROM case_members m
         WHERE m.case_id = ?1 AND (m.client_id IS NULL OR m.client_id <> ?2)",
        params![case_id, client_id, ConsentKind::JointNotesRelease.as_str()],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(ReleaseConsent {
        others,
        without_consent: without,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(body: &str) -> JointNote {
        JointNote {
            id: 3,
            case_id: 1,
            case_ref: "J-0001".into(),
            kind: NoteKind::Session,
            template: Template::Free,
            body: body.into(),
            created_at: String::new(),
            updated_at: String::new(),
            signed_at: None,
            content_sha256: None,
            addenda: Vec::new(),
        }
    }

    #[test]
    fn the_hash_covers_the_body_and_the_case() {
        let a = note("We talked.");
        let at = "2026-11-29T10:00:00.000Z";
        let mut signed = a.clone();
        signed.signed_at = Some(at.into());
        signed.content_sha256 = Some(joint_note_hash(&a, at));
        assert!(signed.signature_holds());
        let mut changed = signed.clone();
        changed.body.push('!');
        assert!(!changed.signature_holds());
        let mut moved = signed.clone();
        moved.case_id = 2;
        assert!(!moved.signature_holds());
        assert!(!a.signature_holds());
    }
}
