//! Breach register commands, for the Breaches screen: the register with each open 72-hour
//! clock, recording a breach, deciding whether it is reportable, and recording when the ICO or
//! the clients were told. Thin wrappers over `casenotes::domain::breaches`.

use casenotes::domain::breaches::{self, Breach, BreachDecision, BreachTold, NewBreach};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

/// One line of the register, with the hours left while it is undecided.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BreachEntry {
    pub breach: Breach,
    /// Whole hours to the ICO deadline while undecided (negative once past); `null` once decided.
    #[ts(type = "number | null")]
    pub hours_left: Option<i64>,
}

#[derive(Deserialize, TS)]
pub struct AddBreachArgs {
    pub breach: NewBreach,
}

#[derive(Deserialize, TS)]
pub struct DecideBreachArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub decision: BreachDecision,
}

#[derive(Deserialize, TS)]
pub struct BreachToldArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub told: BreachTold,
}

#[tauri::command]
pub async fn list_breaches(state: State<'_, AppState>) -> IpcResult<Vec<BreachEntry>> {
    let now = chrono::Utc::now();
    state.with_session(|s| {
        Ok(breaches::list(s)?
            .into_iter()
            .map(|b| BreachEntry {
                hours_left: b
                    .reportable
                    .is_none()
                    .then(|| breaches::hours_left(b.ico_deadline, now)),
                breach: b,
            })
            .collect())
    })
}

#[tauri::command]
pub async fn add_breach(state: State<'_, AppState>, args: AddBreachArgs) -> IpcResult<Breach> {
    state.with_session(|s| breaches::add(s, args.breach))
}

#[tauri::command]
pub async fn decide_breach(
    state: State<'_, AppState>,
    args: DecideBreachArgs,
) -> IpcResult<Breach> {
    state.with_session(|s| breaches::decide(s, args.id, args.decision))
}

#[tauri::command]
pub async fn breach_told(state: State<'_, AppState>, args: BreachToldArgs) -> IpcResult<Breach> {
    state.with_session(|s| breaches::record_told(s, args.id, args.told))
}
