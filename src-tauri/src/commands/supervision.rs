//! The supervision extract from the desktop: chosen notes of one client, with names, contacts,
//! dates of birth and places replaced by the case reference, saved as printable HTML where the
//! practitioner chooses in the native "save" dialog. The page never sends a path. A restricted
//! record is refused by the core, before the dialog opens.

use casenotes::domain::{clients, requests};
use casenotes::export::supervision::{self, ExtractMade};
use serde::Deserialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;

use crate::commands::attachments::{file_dialog, show};
use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct SupervisionExtractArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    /// The notes to include, by id (from this client's file).
    #[ts(type = "number[]")]
    pub note_ids: Vec<i64>,
    /// Places to replace as well, such as a town the notes mention.
    pub also_remove: Vec<String>,
}

/// Checks what can be checked, shows the "save" dialog, and writes the extract. Answers what was
/// written, or `null` when the dialog is cancelled.
#[tauri::command]
pub async fn save_supervision_extract(
    app: AppHandle,
    state: State<'_, AppState>,
    args: SupervisionExtractArgs,
) -> IpcResult<Option<ExtractMade>> {
    let case_ref = state.with_session(|s| {
        let client = clients::get(s, args.client_id)?;
        if requests::is_restricted(s, client.id)? {
            return Err(casenotes::Error::rule(
                format!(
                    "Processing of {}'s record is restricted, so no supervision extract can be made from it.",
                    client.case_ref
                ),
                "A restricted record may be shared only with the client, as a subject access copy. Nothing was written.",
            ));
        }
        if args.note_ids.is_empty() {
            return Err(casenotes::Error::rule(
                "No notes were chosen for the extract.",
                "Choose at least one note.",
            ));
        }
        Ok(client.case_ref)
    })?;
    let name = format!(
        "{case_ref}-supervision-{}.html",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let dialog = file_dialog(&app)
        .set_title("Save the supervision extract")
        .set_file_name(&name);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    write_to(&state, &case_ref, &args.note_ids, &args.also_remove, &path).map(Some)
}

/// The part after the dialog (tested without a window). The dialog has already asked before
/// replacing a file, so one it names is replaced: the core never overwrites, so it is removed
/// first.
pub fn write_to(
    state: &AppState,
    case_ref: &str,
    note_ids: &[i64],
    also_remove: &[String],
    path: &std::path::Path,
) -> IpcResult<ExtractMade> {
    let places: Vec<String> = also_remove
        .iter()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
        .collect();
    state.with_session(|s| {
        if path.is_file() {
            std::fs::remove_file(path).map_err(casenotes::Error::io(format!(
                "Could not replace {}",
                path.display()
            )))?;
        }
        supervision::write(s, case_ref, note_ids, &places, path)
    })
}
