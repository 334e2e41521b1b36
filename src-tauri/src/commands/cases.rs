//! Joint work commands: open a couple or family case, list cases, and write, sign and correct
//! the case's joint notes. Thin wrappers over `casenotes::domain::cases`; a signed joint note
//! refuses edits in the core, nothing here bypasses that. Note text is never logged and never
//! put into an error.

use casenotes::domain::cases::{self, Case, JointNote};
use casenotes::domain::notes::{Addendum, NoteKind, Template};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct CreateCaseArgs {
    /// The members' client ids: two or more.
    #[ts(type = "number[]")]
    pub members: Vec<i64>,
    pub name: Option<String>,
}

#[derive(Deserialize, TS)]
pub struct CaseIdArgs {
    #[ts(type = "number")]
    pub case_id: i64,
}

#[derive(Deserialize, TS)]
pub struct ClientCasesArgs {
    #[ts(type = "number")]
    pub client_id: i64,
}

#[derive(Deserialize, TS)]
pub struct CreateJointNoteArgs {
    #[ts(type = "number")]
    pub case_id: i64,
    pub kind: NoteKind,
    pub template: Template,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct SaveJointDraftArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct JointNoteIdArgs {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Deserialize, TS)]
pub struct JointAddendumArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub reason: String,
    pub body: String,
}

/// A joint note as a member's file shows it: rendered, with whether its signature holds.
#[derive(Serialize, TS)]
pub struct RenderedJointNote {
    pub note: JointNote,
    pub html: String,
    pub addenda_html: Vec<String>,
    pub signature_holds: bool,
}

fn render(note: JointNote) -> RenderedJointNote {
    RenderedJointNote {
        html: casenotes::markdown::to_html(&note.body),
        addenda_html: note
            .addenda
            .iter()
            .map(|a| casenotes::markdown::to_html(&a.body))
            .collect(),
        signature_holds: note.signature_holds(),
        note,
    }
}

#[tauri::command]
pub async fn create_case(state: State<'_, AppState>, args: CreateCaseArgs) -> IpcResult<Case> {
    state.with_session(|s| cases::create(s, &args.members, args.name.as_deref()))
}

#[tauri::command]
pub async fn list_cases(state: State<'_, AppState>) -> IpcResult<Vec<Case>> {
    state.with_session(|s| cases::list(s))
}

/// The cases a client is a member of.
#[tauri::command]
pub async fn client_cases(
    state: State<'_, AppState>,
    args: ClientCasesArgs,
) -> IpcResult<Vec<Case>> {
    state.with_session(|s| cases::for_client(s, args.client_id))
}

/// A case's joint notes, newest first.
#[tauri::command]
pub async fn case_joint_notes(
    state: State<'_, AppState>,
    args: CaseIdArgs,
) -> IpcResult<Vec<RenderedJointNote>> {
    state.with_session(|s| {
        Ok(cases::notes_for_case(s, args.case_id)?
            .into_iter()
            .map(render)
            .collect())
    })
}

/// The joint notes of every case the client is a member of, newest first (for their file).
#[tauri::command]
pub async fn client_joint_notes(
    state: State<'_, AppState>,
    args: ClientCasesArgs,
) -> IpcResult<Vec<RenderedJointNote>> {
    state.with_session(|s| {
        Ok(cases::notes_for_client(s, args.client_id)?
            .into_iter()
            .map(render)
            .collect())
    })
}

#[tauri::command]
pub async fn create_joint_note(
    state: State<'_, AppState>,
    args: CreateJointNoteArgs,
) -> IpcResult<RenderedJointNote> {
    state.with_session(|s| {
        cases::create_note(s, args.case_id, args.kind, args.template, &args.body).map(render)
    })
}

/// Autosave of a joint draft.
#[tauri::command]
pub async fn save_joint_draft(
    state: State<'_, AppState>,
    args: SaveJointDraftArgs,
) -> IpcResult<RenderedJointNote> {
    state.with_session(|s| cases::save_note_draft(s, args.id, &args.body).map(render))
}

#[tauri::command]
pub async fn sign_joint_note(
    state: State<'_, AppState>,
    args: JointNoteIdArgs,
) -> IpcResult<RenderedJointNote> {
    state.with_session(|s| cases::sign_note(s, args.id).map(render))
}

#[tauri::command]
pub async fn add_joint_addendum(
    state: State<'_, AppState>,
    args: JointAddendumArgs,
) -> IpcResult<Addendum> {
    state.with_session(|s| cases::add_note_addendum(s, args.id, &args.reason, &args.body))
}

/// The joint notes the subject-access review lists for a client, each with whether every other
/// member of the case has consented to its release (if not, it is withheld automatically).
#[tauri::command]
pub async fn sar_joint_note_candidates(
    state: State<'_, AppState>,
    args: ClientCasesArgs,
) -> IpcResult<Vec<casenotes::export::sar::JointNoteCandidate>> {
    state.with_session(|s| casenotes::export::sar::joint_note_candidates(s, args.client_id))
}
