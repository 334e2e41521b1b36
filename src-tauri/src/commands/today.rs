//! Today: the list of what needs attention, shown on Home after unlock. A thin wrapper over
//! `casenotes::domain::today`, which gathers it; case references and times only.

use casenotes::domain::today::{self, Today};
use chrono::Utc;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;

#[tauri::command]
pub async fn today(state: State<'_, AppState>) -> IpcResult<Today> {
    state.with_session(|s| today::gather(s, Utc::now()))
}
