//! Search across note bodies, addenda and client names (the core's FTS5 index inside the
//! encrypted database). Answers `locked` like every other command once the vault locks.

use casenotes::search::{self, Hit};
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct SearchArgs {
    pub text: String,
}

/// Best matches first; each hit's snippet marks matches with `[` and `]` (the UI escapes it).
#[tauri::command]
pub async fn search(state: State<'_, AppState>, args: SearchArgs) -> IpcResult<Vec<Hit>> {
    state.with_session(|s| search::search(s, &args.text))
}
