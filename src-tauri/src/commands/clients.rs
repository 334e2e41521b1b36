//! Client commands: the list, adding and editing a client, and opening a client's file (overview, timeline
//! and attachments). Thin wrappers over `casenotes::domain::{clients, client_file}`; validation
//! lives in the core, whose `record_rule` errors reach the UI word for word.

use casenotes::domain::client_file::{self, ClientFile};
use casenotes::domain::clients::{self, Client, ClientDetails, ClientStatus};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

/// One client, by id: the argument of every command that reads a part of a client's file.
#[derive(Deserialize, TS)]
pub struct ClientIdArgs {
    #[ts(type = "number")]
    pub client_id: i64,
}

#[derive(Deserialize, TS)]
pub struct ListClientsArgs {
    /// `null` for every status.
    pub status: Option<ClientStatus>,
}

#[derive(Deserialize, TS)]
pub struct AddClientArgs {
    pub details: ClientDetails,
}

#[derive(Deserialize, TS)]
pub struct UpdateClientArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub details: ClientDetails,
}

#[derive(Deserialize, TS)]
pub struct CaseRefArgs {
    pub case_ref: String,
}

#[tauri::command]
pub async fn list_clients(
    state: State<'_, AppState>,
    args: ListClientsArgs,
) -> IpcResult<Vec<Client>> {
    state.with_session(|s| clients::list(s, args.status))
}

#[tauri::command]
pub async fn add_client(state: State<'_, AppState>, args: AddClientArgs) -> IpcResult<Client> {
    state.with_session(|s| clients::add(s, args.details))
}

/// Replaces a client's details; the core validates them as for a new client and records the
/// change in the audit log.
#[tauri::command]
pub async fn update_client(
    state: State<'_, AppState>,
    args: UpdateClientArgs,
) -> IpcResult<Client> {
    state.with_session(|s| clients::update(s, args.id, args.details))
}

/// Opening a client's file is an audit entry (written by the core).
#[tauri::command]
pub async fn open_client_file(
    state: State<'_, AppState>,
    args: CaseRefArgs,
) -> IpcResult<ClientFile> {
    state.with_session(|s| client_file::open(s, &args.case_ref))
}
