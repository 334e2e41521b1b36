//! Notes: session, process, contact, supervision and letter notes, drafted then signed.
//!
//! Owns `notes` and `note_addenda`. A draft may be saved as often as needed (the desktop saves
//! as the practitioner types and before the vault locks). Signing stamps the time and a SHA-256
//! of the content; from then on the note is read-only for ever, in this module and in the
//! database (a trigger refuses the change whoever asks). Corrections are addenda with a reason,
//! themselves final. Errors never quote note text.
//!
//! The module is split by concern: `drafts` (starting, autosaving, linking and flagging a
//! draft), `signing` (the hash and the signature), `addenda` (corrections to signed notes) and
//! `read` (loading notes with their addenda). Everything is re-exported here, so callers name
//! `notes::create`, `notes::sign` and so on as before.

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

mod addenda;
mod drafts;
mod read;
mod signing;

pub use addenda::add_addendum;
pub(crate) use addenda::{checked_addendum, insert_addendum};
pub use drafts::{create, link_appointment, save_draft, set_third_party};
pub use read::{for_client, get};
pub(crate) use signing::import_signed;
pub use signing::sign;

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
