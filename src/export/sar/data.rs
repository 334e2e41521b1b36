//! `data.json`: the machine-readable copy of everything held about one client, and its JSON
//! Schema (generated from these types with `schemars`, published in `schemas/` at the root of
//! the repository and inside every bundle).
//!
//! These are the bundle's own types, not the vault's: the schema is a promise to whoever reads
//! the file, so it changes only with `SCHEMA_VERSION`. [`Records`] has one field per kind of
//! record held about a client (layout 2 added consents, disclosures, requests, measures, risk
//! assessments, safety plans, capacity decisions and wishes after death; layout 3 added the
//! joint notes of couple and family cases, and their count among what was withheld); a new kind is a new
//! field there, gathered in `gather.rs` and shown in `html.rs`, and a new schema version.
//! Nothing withheld is ever put into these types: `gather.rs` leaves it out before they are built.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The version of `data.json`'s layout. Bump it when a field is added, removed or changed.
pub const SCHEMA_VERSION: u32 = 3;

/// The schema's `$id`-free title, as published under `schemas/`.
pub const SCHEMA_FILE: &str = "sar-data.schema.json";

/// Everything held about one client, as given to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "casenotes subject-access data")]
pub struct BundleData {
    /// The layout version of this file (see the schema); 3 for this layout.
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
    /// Consents given (and withdrawn), oldest first.
    pub consents: Vec<ConsentRecord>,
    /// Information shared about the client with someone else, oldest first. Those withheld in
    /// the review are left out (and counted in `withheld`).
    pub disclosures: Vec<DisclosureRecord>,
    /// The client's data-rights requests (access, rectification, erasure and others), oldest
    /// first.
    pub requests: Vec<RequestRecord>,
    /// Outcome measures (PHQ-9, GAD-7, CORE-10), oldest first; those entered in error are
    /// included and marked so.
    pub measures: Vec<MeasureRecord>,
    /// Risk assessments, oldest first, each with its addenda; drafts are included and marked.
    pub risk_assessments: Vec<RiskAssessmentRecord>,
    /// Every saved version of the safety plan, oldest first.
    pub safety_plans: Vec<SafetyPlanRecord>,
    /// Mental capacity assessments and best-interest decisions, oldest first.
    pub capacity_decisions: Vec<CapacityRecord>,
    /// Every recorded version of the client's wishes for their records after their death,
    /// oldest first.
    pub after_death_wishes: Vec<AfterDeathRecord>,
    /// Notes of joint sessions (couple or family work) the client took part in, oldest first.
    /// A joint note is given only when every other member of the case has consented to its
    /// release; otherwise it is left out and counted in `withheld`.
    pub joint_notes: Vec<JointNoteRecord>,
    // Breaches: the breach register is practice-wide and names no client (who was affected is
    // free text, with no link to a client's record), so nothing in it can be given as this
    // client's. A client told of a breach has that letter on file as a note or document.
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

/// A note of a joint session: it belongs to the couple or family case, not to the client alone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JointNoteRecord {
    pub id: i64,
    /// The case's reference, such as J-0003 (the other members are not named).
    pub case_reference: String,
    /// session, process, contact, supervision or letter.
    pub kind: String,
    /// free, soap, dap or birp.
    pub template: String,
    /// The note as written (Markdown).
    pub body: String,
    pub written_at: String,
    /// When it was signed; a signed note is never changed, only added to by addenda.
    pub signed_at: Option<String>,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentRecord {
    pub id: i64,
    /// treatment_contract, contact_email, contact_phone, contact_text, share_with_gp,
    /// session_recording, research or joint_notes_release.
    pub kind: String,
    /// What the consent is to, in words.
    pub kind_in_words: String,
    pub given_on: NaiveDate,
    /// When it was withdrawn, if it was.
    pub withdrawn_on: Option<NaiveDate>,
    /// What exactly was agreed, in the practitioner's words.
    pub scope: Option<String>,
    /// The document on file that evidences it, if any (an attachment id).
    pub evidence_attachment_id: Option<i64>,
    /// For a session recording: the date by which it is to be destroyed.
    pub destroy_recording_by: Option<NaiveDate>,
    pub recorded_at: String,
    pub withdrawal_recorded_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureRecord {
    pub id: i64,
    pub disclosed_on: NaiveDate,
    /// Who the information was given to.
    pub recipient_name: String,
    pub recipient_role: Option<String>,
    pub recipient_organisation: Option<String>,
    /// What was shared.
    pub what_shared: String,
    /// client_consent, safeguarding_child, safeguarding_adult, court_order, serious_harm,
    /// terrorism_serious_crime or statutory_duty.
    pub legal_basis: String,
    /// The legal basis in words.
    pub legal_basis_in_words: String,
    /// When the client was told of it, if they were.
    pub client_told_on: Option<NaiveDate>,
    /// Why the client was not told, if they were not.
    pub client_not_told_reason: Option<String>,
    /// Why it was shared.
    pub rationale: String,
    /// The earlier entry this one corrects, if any.
    pub corrects_id: Option<i64>,
    pub correction_note: Option<String>,
    /// Later entries that correct this one.
    pub corrected_by: Vec<i64>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestRecord {
    pub id: i64,
    /// access, rectification, erasure, restriction, portability or objection.
    pub kind: String,
    /// The kind in words.
    pub kind_in_words: String,
    pub received_on: NaiveDate,
    /// When the client's identity was checked.
    pub identity_checked_on: Option<NaiveDate>,
    /// What was asked, in the practitioner's words.
    pub details: Option<String>,
    /// The day the one-month time limit started.
    pub clock_starts_on: Option<NaiveDate>,
    /// The day it is due by (after any extension).
    pub due_on: Option<NaiveDate>,
    /// Months the time limit was extended by, if it was.
    pub extension_months: Option<u32>,
    /// Why it was extended.
    pub extension_reason: Option<String>,
    /// granted, refused or partly, once decided.
    pub outcome: Option<String>,
    /// Why it was decided so.
    pub decision_reason: Option<String>,
    pub decided_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureRecord {
    pub id: i64,
    /// phq9, gad7 or core10.
    pub kind: String,
    /// Its name: PHQ-9, GAD-7 or CORE-10.
    pub name: String,
    pub taken_on: NaiveDate,
    /// The score given to each question, in order.
    pub items: Vec<u8>,
    pub total: u32,
    /// The severity band of the total, in words.
    pub band: String,
    /// Whether the total is at or above the usual clinical cut-off.
    pub above_cut_off: bool,
    /// How it compares with the first score of the same measure, in words, if it was compared.
    pub change: Option<String>,
    /// Whether it was later marked as entered in error (kept, but not counted).
    pub entered_in_error: bool,
    /// Why it was marked as entered in error.
    pub entered_in_error_reason: Option<String>,
    pub entered_in_error_at: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskAssessmentRecord {
    pub id: i64,
    /// Whether it is a draft, not yet signed (still held, so given).
    pub draft: bool,
    pub written_at: String,
    pub updated_at: String,
    /// When it was signed; a signed assessment is only added to by addenda.
    pub signed_at: Option<String>,
    /// One per area of risk considered.
    pub domains: Vec<RiskDomainRecord>,
    pub protective_factors: String,
    pub actions: String,
    /// The practitioner's overall concern, in their own words.
    pub overall_concern: String,
    /// When it is to be reviewed.
    pub review_on: Option<NaiveDate>,
    /// Oldest first.
    pub addenda: Vec<AddendumRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskDomainRecord {
    /// The area of risk, in words.
    pub domain: String,
    /// How it was assessed, in words (such as "not assessed").
    pub status: String,
    /// Current thoughts, intentions and plans.
    pub current: String,
    pub history: String,
    pub protective_factors: String,
    pub actions: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SafetyPlanRecord {
    pub id: i64,
    /// 1 for the first version saved.
    pub version: i64,
    pub saved_at: String,
    pub warning_signs: String,
    pub things_i_can_do: String,
    pub people_and_places: String,
    pub people_to_ask: String,
    pub crisis_contacts: String,
    pub environment_safer: String,
    pub reasons_for_living: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CapacityRecord {
    pub id: i64,
    /// The decision capacity was assessed for.
    pub decision: String,
    pub assessed_on: NaiveDate,
    /// The impairment of, or disturbance in, the mind or brain considered.
    pub impairment: String,
    pub understand: FunctionalPointRecord,
    pub retain: FunctionalPointRecord,
    pub use_or_weigh: FunctionalPointRecord,
    pub communicate: FunctionalPointRecord,
    /// has_capacity or lacks_capacity.
    pub outcome: String,
    /// The outcome in words.
    pub outcome_in_words: String,
    /// Who was consulted.
    pub consulted: String,
    /// The best-interest decision, if one was made.
    pub best_interest: String,
    pub review_on: Option<NaiveDate>,
    pub recorded_at: String,
}

/// One part of the functional test of capacity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FunctionalPointRecord {
    /// Whether the client was able to do it.
    pub able: bool,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AfterDeathRecord {
    pub id: i64,
    /// 1 for the first version recorded.
    pub version: i64,
    /// The client's wishes for their records after their death.
    pub wishes: String,
    pub who_may_see: String,
    pub who_may_not_see: String,
    pub recorded_on: NaiveDate,
    pub recorded_at: String,
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
    /// Entries of the disclosures record withheld whole.
    pub disclosures: u32,
    /// Joint notes (couple or family work) withheld whole.
    pub joint_notes: u32,
}

/// The JSON Schema of `data.json`, pretty-printed with a final newline.
pub fn schema_json() -> String {
    let schema = schemars::schema_for!(BundleData);
    // Serialising a schema (a JSON value) cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
