//! The client file as the practitioner opens it: the client's details, a timeline of notes
//! (rendered from Markdown, with their addenda) and appointments, newest first, and the list of
//! attachments. A read model over the record modules: it owns no table, and opening it records
//! one view in the audit log.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::domain::appointments::{self, Appointment};
use crate::domain::attachments::{self, AttachmentInfo};
use crate::domain::clients::{self, Client};
use crate::domain::notes::{self, Note};
use crate::error::Result;
use crate::markdown;
use crate::vault::Session;

/// A note with its body and addenda rendered to HTML by the one Markdown renderer.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct RenderedNote {
    pub note: Note,
    pub html: String,
    /// One entry per addendum, in the note's order.
    pub addenda_html: Vec<String>,
    /// The stored content still matches the hash taken at signing (always false for drafts).
    pub signature_holds: bool,
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimelineEntry {
    Note(RenderedNote),
    Appointment(Appointment),
}

impl TimelineEntry {
    fn when(&self) -> Option<DateTime<Utc>> {
        match self {
            TimelineEntry::Note(n) => DateTime::parse_from_rfc3339(&n.note.created_at)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            TimelineEntry::Appointment(a) => Some(a.details.starts_at),
        }
    }
}

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct ClientFile {
    pub client: Client,
    /// Newest first.
    pub timeline: Vec<TimelineEntry>,
    pub attachments: Vec<AttachmentInfo>,
}

pub fn render(note: Note) -> RenderedNote {
    RenderedNote {
        html: markdown::to_html(&note.body),
        addenda_html: note
            .addenda
            .iter()
            .map(|a| markdown::to_html(&a.body))
            .collect(),
        signature_holds: note.signature_holds(),
        note,
    }
}

/// Opens a client's file by case reference (recorded as one view).
pub fn open(session: &Session, case_ref: &str) -> Result<ClientFile> {
    let client = clients::open_file(session, case_ref)?;
    let mut timeline: Vec<TimelineEntry> = notes::for_client(session, client.id)?
        .into_iter()
        .map(|n| TimelineEntry::Note(render(n)))
        .chain(
            appointments::for_client(session, client.id)?
                .into_iter()
                .map(TimelineEntry::Appointment),
        )
        .collect();
    timeline.sort_by_key(|e| std::cmp::Reverse(e.when()));
    let attachments = attachments::for_client(session, client.id)?;
    Ok(ClientFile {
        client,
        timeline,
        attachments,
    })
}
