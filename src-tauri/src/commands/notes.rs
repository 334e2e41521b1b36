//! Note commands: start a note, save its draft, sign it, add an addendum, and mark it as holding
//! information about someone else. A signed note refuses edits in the core; nothing here
//! bypasses that. Note text is never logged and never put into an error.

use casenotes::domain::client_file::{self, RenderedNote};
use casenotes::domain::notes::{self, Addendum, NoteKind, Template};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct CreateNoteArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub kind: NoteKind,
    pub template: Template,
    pub body: String,
    pub third_party: bool,
}

#[derive(Deserialize, TS)]
pub struct SaveDraftArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct NoteIdArgs {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Deserialize, TS)]
pub struct AddendumArgs {
    #[ts(type = "number")]
    pub note_id: i64,
    pub reason: String,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct LinkAppointmentArgs {
    #[ts(type = "number")]
    pub id: i64,
    /// `null` unlinks the draft.
    #[ts(type = "number | null")]
    pub appointment_id: Option<i64>,
}

#[derive(Deserialize, TS)]
pub struct ThirdPartyArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub third_party: bool,
}

#[tauri::command]
pub async fn create_note(
    state: State<'_, AppState>,
    args: CreateNoteArgs,
) -> IpcResult<RenderedNote> {
    state.with_session(|s| {
        notes::create(
            s,
            args.client_id,
            args.kind,
            args.template,
            &args.body,
            args.third_party,
        )
        .map(client_file::render)
    })
}

/// Autosave: the UI calls this a moment after each change and before it locks the vault.
#[tauri::command]
pub async fn save_draft(
    state: State<'_, AppState>,
    args: SaveDraftArgs,
) -> IpcResult<RenderedNote> {
    state.with_session(|s| notes::save_draft(s, args.id, &args.body).map(client_file::render))
}

#[tauri::command]
pub async fn sign_note(state: State<'_, AppState>, args: NoteIdArgs) -> IpcResult<RenderedNote> {
    state.with_session(|s| notes::sign(s, args.id).map(client_file::render))
}

#[tauri::command]
pub async fn add_addendum(state: State<'_, AppState>, args: AddendumArgs) -> IpcResult<Addendum> {
    state.with_session(|s| notes::add_addendum(s, args.note_id, &args.reason, &args.body))
}

/// Links a draft to the appointment it records; the core refuses another client's appointment
/// and any change to a signed note.
#[tauri::command]
pub async fn link_note_appointment(
    state: State<'_, AppState>,
    args: LinkAppointmentArgs,
) -> IpcResult<RenderedNote> {
    state.with_session(|s| {
        notes::link_appointment(s, args.id, args.appointment_id).map(client_file::render)
    })
}

#[tauri::command]
pub async fn set_note_third_party(
    state: State<'_, AppState>,
    args: ThirdPartyArgs,
) -> IpcResult<RenderedNote> {
    state.with_session(|s| {
        notes::set_third_party(s, args.id, args.third_party).map(client_file::render)
    })
}
