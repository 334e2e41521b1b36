//! `data.json`: the machine-readable copy of everything held about one client, and its JSON
//! Schema (generated from these types with `schemars`, published in `schemas/` at the root of
//! the repository and inside every bundle).
//!
//! These are the bundle's own types, not the vault's: the schema is a promise to whoever reads
//! the file, so it changes only with `SCHEMA_VERSION`. [`Records`] has one field per kind of
//! record; a new kind (consents, disclosures, requests, risk assessments, outcome measures) is a
//! new field there, gathered in `gather.rs` and shown in `html.rs`, and a new schema version.
//! Nothing withheld is ever put into these types: `gather.rs` leaves it out before they are built.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of `data.json`'s layout. Bump it when a field is added, removed or changed.
pub const SCHEMA_VERSION: u32 = 1;

/// The schema's `$id`-free title, as published under `schemas/`.
pub const SCHEMA_FILE: &str = "sar-data.schema.json";

/// Everything held about one client, as given to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "casenotes subject-access data")]
pub struct BundleData {
    /// The layout version of this file (see the schema); 1 for this layout.
    pub schema_version: u32,
    /// Which program wrote the file: "casenotes 0.1.0 (commit)".
    pub generator: String,
    /// When the copy was made (UTC, RFC 3339).
    pub created_at: String,
    /// The practice's reference for the request this copy answers.
    pub request_reference: i64,
    pub client: ClientRecord,
    pub records: Records,
    /// What was withheld and why, by count and reason; never the withheld content.
    pub withheld: Vec<WithheldCount>,
}

/// One field per kind of record held about the client.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct Records {
    /// Oldest first.
    pub appointments: Vec<AppointmentRecord>,
    /// Oldest first, each with its addenda.
    pub notes: Vec<NoteRecord>,
    /// Documents kept on file; each is a file in the bundle's `attachments/` folder.
    pub attachments: Vec<AttachmentRecord>,
}

/// The client's details as recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientRecord {
    /// The practice's pseudonymous reference, such as C-0042.
    pub case_reference: String,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub emergency_contact_name: Option<String>,
    pub emergency_contact_relationship: Option<String>,
    pub emergency_contact_phone: Option<String>,
    pub gp_name: Option<String>,
    pub gp_practice: Option<String>,
    pub gp_contact: Option<String>,
    pub referral_source: Option<String>,
    /// enquiry, active or ended.
    pub status: String,
    pub first_contact_on: Option<NaiveDate>,
    pub therapy_started_on: Option<NaiveDate>,
    pub therapy_ended_on: Option<NaiveDate>,
    /// Why the record is kept beyond its usual time, if it is.
    pub legal_hold_reason: Option<String>,
    /// Why processing of the record is restricted, if it is.
    pub restricted_reason: Option<String>,
    pub recorded_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppointmentRecord {
    pub id: i64,
    /// When it started (UTC, RFC 3339).
    pub starts_at: String,
    pub minutes: u32,
    /// in_person, video or phone.
    pub mode: String,
    /// booked, attended, cancelled or did_not_attend.
    pub attendance: String,
    /// The fee in pence, if one was set.
    pub fee_pence: Option<u32>,
    pub paid: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteRecord {
    pub id: i64,
    /// session, process, contact, supervision or letter.
    pub kind: String,
    /// free, soap, dap or birp.
    pub template: String,
    /// The appointment this note records, if any.
    pub appointment_id: Option<i64>,
    /// The note as written (Markdown), with any withheld passage replaced by "[withheld: …]".
    pub body: String,
    pub written_at: String,
    /// When it was signed; a signed note is never changed, only added to by addenda.
    pub signed_at: Option<String>,
    /// How many passages of this note (and its addenda) were withheld.
    pub passages_withheld: u32,
    /// Oldest first.
    pub addenda: Vec<AddendumRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddendumRecord {
    pub id: i64,
    /// Why the note was corrected or added to.
    pub reason: String,
    pub body: String,
    pub written_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRecord {
    pub id: i64,
    /// The note it belongs to, if any.
    pub note_id: Option<i64>,
    /// The name it was added under.
    pub original_name: String,
    /// Where it is in the bundle, such as "attachments/3-letter.pdf".
    pub file: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub added_at: String,
}

/// How many items were withheld for one reason.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WithheldCount {
    /// third_party, serious_harm or legal_privilege.
    pub reason: String,
    /// The reason in words.
    pub reason_in_words: String,
    /// Whole notes withheld.
    pub notes: u32,
    /// Addenda withheld.
    pub addenda: u32,
    /// Passages withheld from notes or addenda that are otherwise given.
    pub passages: u32,
    /// Attachments withheld with the notes they belong to.
    pub attachments: u32,
}

/// The JSON Schema of `data.json`, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(BundleData);
    // Serialising a schema (a JSON value) cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
