//! Clients' rights commands: consents, disclosures and the requests register on the client
//! file, and what Home shows (requests due within 7 days or overdue, and breach clocks). Thin
//! wrappers over `casenotes::domain::{consents, disclosures, requests}`, which validate, write
//! the audit entries and keep what is final final. No error carries clinical text.

use casenotes::domain::breaches::{self, OpenClock};
use casenotes::domain::consents::{self, Consent, NewConsent};
use casenotes::domain::disclosures::{self, Disclosure, NewDisclosure};
use casenotes::domain::notes::Addendum;
use casenotes::domain::requests::{self, DueRequest, NewRequest, Outcome, Request, Restriction};
use casenotes::retention::Certificate;
use casenotes::secret::Passphrase;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::clients::ClientIdArgs;
use crate::error::IpcResult;
use crate::state::AppState;

/// A client's rights records, for the client file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ClientRights {
    /// Every consent, withdrawn ones included, newest first.
    pub consents: Vec<Consent>,
    /// Newest first, each with the entries that correct it.
    pub disclosures: Vec<Disclosure>,
    /// Newest first.
    pub requests: Vec<Request>,
    /// Set when processing of the record is restricted.
    pub restriction: Option<Restriction>,
    /// The wording offered when refusing an erasure of health records.
    pub erasure_exempt_wording: String,
}

/// What Home shows about rights: requests due soon or overdue, and open breach clocks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RightsDue {
    pub requests: Vec<DueRequest>,
    pub breaches: Vec<OpenClock>,
}

#[derive(Deserialize, TS)]
pub struct AddConsentArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub consent: NewConsent,
}

#[derive(Deserialize, TS)]
pub struct DatedIdArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// YYYY-MM-DD
    pub on: NaiveDate,
}

#[derive(Deserialize, TS)]
pub struct AddDisclosureArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub disclosure: NewDisclosure,
}

#[derive(Deserialize, TS)]
pub struct AddRequestArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub request: NewRequest,
}

#[derive(Deserialize, TS)]
pub struct ExtendRequestArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// 1 or 2.
    pub months: u32,
    pub told_on: NaiveDate,
    pub reason: String,
}

#[derive(Deserialize, TS)]
pub struct DecideRequestArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub outcome: Outcome,
    pub reason: String,
    pub on: NaiveDate,
}

#[derive(Deserialize, TS)]
pub struct RectifyArgs {
    #[ts(type = "number")]
    pub request_id: i64,
    #[ts(type = "number")]
    pub note_id: i64,
    pub reason: String,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct EraseArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// The current passphrase, confirmed before anything is destroyed.
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[tauri::command]
pub async fn client_rights(
    state: State<'_, AppState>,
    args: ClientIdArgs,
) -> IpcResult<ClientRights> {
    state.with_session(|s| {
        Ok(ClientRights {
            consents: consents::history(s, args.client_id)?,
            disclosures: disclosures::for_client(s, args.client_id)?,
            requests: requests::for_client(s, args.client_id)?,
            restriction: requests::restriction(s, args.client_id)?,
            erasure_exempt_wording: requests::ERASURE_EXEMPT_WORDING.to_owned(),
        })
    })
}

#[tauri::command]
pub async fn add_consent(state: State<'_, AppState>, args: AddConsentArgs) -> IpcResult<Consent> {
    state.with_session(|s| consents::add(s, args.client_id, args.consent))
}

#[tauri::command]
pub async fn withdraw_consent(state: State<'_, AppState>, args: DatedIdArgs) -> IpcResult<Consent> {
    state.with_session(|s| consents::withdraw(s, args.id, args.on))
}

#[tauri::command]
pub async fn add_disclosure(
    state: State<'_, AppState>,
    args: AddDisclosureArgs,
) -> IpcResult<Disclosure> {
    state.with_session(|s| disclosures::add(s, args.client_id, args.disclosure))
}

#[tauri::command]
pub async fn add_request(state: State<'_, AppState>, args: AddRequestArgs) -> IpcResult<Request> {
    state.with_session(|s| requests::add(s, args.client_id, args.request))
}

#[tauri::command]
pub async fn request_identity_checked(
    state: State<'_, AppState>,
    args: DatedIdArgs,
) -> IpcResult<Request> {
    state.with_session(|s| requests::identity_checked(s, args.id, args.on))
}

#[tauri::command]
pub async fn extend_request(
    state: State<'_, AppState>,
    args: ExtendRequestArgs,
) -> IpcResult<Request> {
    state.with_session(|s| requests::extend(s, args.id, args.months, args.told_on, &args.reason))
}

#[tauri::command]
pub async fn decide_request(
    state: State<'_, AppState>,
    args: DecideRequestArgs,
) -> IpcResult<Request> {
    state.with_session(|s| requests::decide(s, args.id, args.outcome, &args.reason, args.on))
}

#[tauri::command]
pub async fn complete_request(state: State<'_, AppState>, args: DatedIdArgs) -> IpcResult<Request> {
    state.with_session(|s| requests::complete(s, args.id, args.on))
}

/// Carries out a granted erasure after the passphrase is confirmed: the client's whole record is
/// destroyed through retention's path (refused on legal hold), leaving a certificate.
#[tauri::command]
pub async fn carry_out_erasure(
    state: State<'_, AppState>,
    args: EraseArgs,
) -> IpcResult<Certificate> {
    let passphrase = Passphrase::new(args.passphrase);
    state.with_session(|s| {
        s.confirm_passphrase(&passphrase)?;
        requests::carry_out_erasure(s, args.id)
    })
}

/// For Home: requests due within 7 days or overdue, and breaches whose 72-hour clock is running.
#[tauri::command]
pub async fn rights_due(state: State<'_, AppState>) -> IpcResult<RightsDue> {
    state.with_session(|s| {
        Ok(RightsDue {
            requests: requests::due_soon(s, today())?,
            breaches: breaches::open_clocks(s, chrono::Utc::now())?,
        })
    })
}

/// Rectification: an addendum to one of the client's signed notes, linked to the request.
#[tauri::command]
pub async fn rectify_request(state: State<'_, AppState>, args: RectifyArgs) -> IpcResult<Addendum> {
    state.with_session(|s| {
        requests::rectify(s, args.request_id, args.note_id, &args.reason, &args.body)
    })
}
