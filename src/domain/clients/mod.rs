//! Clients: who they are, how to reach them, and where their therapy stands.
//!
//! Owns the `clients` table. A client has a pseudonymous case reference (C-0001, C-0002…,
//! editable, unique regardless of case) which is what exports, the audit log and supervision
//! extracts use instead of a name. Status runs enquiry → active → ended (and back to active for a
//! returning client). Validation errors are `RecordRule`s that name the field, never its value.
//!
//! Split by concern: `validation` (the rules a therapist would check before anything is
//! stored), `store` (adding and changing a client, its status and therapy dates, and the case
//! reference) and `lookup` (finding, opening and listing clients). Everything is re-exported
//! here, so callers name `clients::add`, `clients::get` and so on as before.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

mod lookup;
mod store;
mod validation;

pub use lookup::{get, id_for, list, open_file};
pub(crate) use store::ensure_exists;
pub use store::{add, update};

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    Enquiry,
    Active,
    Ended,
}

impl ClientStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ClientStatus::Enquiry => "enquiry",
            ClientStatus::Active => "active",
            ClientStatus::Ended => "ended",
        }
    }

    pub fn parse(text: &str) -> Result<Self> {
        match text {
            "enquiry" => Ok(ClientStatus::Enquiry),
            "active" => Ok(ClientStatus::Active),
            "ended" => Ok(ClientStatus::Ended),
            _ => Err(Error::rule(
                format!("'{text}' is not a client status."),
                "Use enquiry, active or ended.",
            )),
        }
    }
}

/// Everything recorded about a client except the id and the record times.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientDetails {
    /// Left empty when adding a client, the next free C-NNNN is used.
    pub case_ref: Option<String>,
    pub given_name: String,
    pub family_name: String,
    pub preferred_name: Option<String>,
    pub pronouns: Option<String>,
    pub date_of_birth: Option<NaiveDate>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub emergency_name: Option<String>,
    pub emergency_relationship: Option<String>,
    pub emergency_phone: Option<String>,
    pub gp_name: Option<String>,
    pub gp_practice: Option<String>,
    pub gp_contact: Option<String>,
    pub referral_source: Option<String>,
    pub status: ClientStatus,
    pub first_contact_on: Option<NaiveDate>,
    pub therapy_started_on: Option<NaiveDate>,
    pub therapy_ended_on: Option<NaiveDate>,
    pub legal_hold_reason: Option<String>,
    pub restricted_reason: Option<String>,
}

impl ClientDetails {
    /// A new enquiry with just a name.
    pub fn named(given: &str, family: &str) -> Self {
        Self {
            case_ref: None,
            given_name: given.to_owned(),
            family_name: family.to_owned(),
            preferred_name: None,
            pronouns: None,
            date_of_birth: None,
            email: None,
            phone: None,
            address: None,
            emergency_name: None,
            emergency_relationship: None,
            emergency_phone: None,
            gp_name: None,
            gp_practice: None,
            gp_contact: None,
            referral_source: None,
            status: ClientStatus::Enquiry,
            first_contact_on: None,
            therapy_started_on: None,
            therapy_ended_on: None,
            legal_hold_reason: None,
            restricted_reason: None,
        }
    }
}

/// A client as stored. `details` is nested, not flattened: its `case_ref` (always the same value
/// as `case_ref` here on a stored client) would otherwise appear twice in JSON and TypeScript,
/// and nesting lets an edit form send `details` straight back to `update`.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Client {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub id: i64,
    pub case_ref: String,
    pub details: ClientDetails,
    pub created_at: String,
    pub updated_at: String,
}

impl Client {
    /// The name to address the client by: the preferred name if there is one.
    pub fn display_name(&self) -> String {
        let d = &self.details;
        let given = d
            .preferred_name
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(&d.given_name);
        format!("{given} {}", d.family_name)
    }
}
