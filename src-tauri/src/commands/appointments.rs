//! Appointment commands: the day view, booking an appointment, and recording attendance and
//! payment afterwards. Thin wrappers over
//! `casenotes::domain::appointments`; a day crosses IPC as "YYYY-MM-DD" and is read in this
//! computer's local time by the core.

use casenotes::domain::appointments::{self, Appointment, AppointmentDetails};
use chrono::NaiveDate;
use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use crate::error::IpcResult;
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct DayArgs {
    /// "YYYY-MM-DD".
    #[ts(type = "string")]
    pub date: NaiveDate,
}

#[derive(Deserialize, TS)]
pub struct AddAppointmentArgs {
    pub details: AppointmentDetails,
}

#[derive(Deserialize, TS)]
pub struct UpdateAppointmentArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub details: AppointmentDetails,
}

#[tauri::command]
pub async fn day_appointments(
    state: State<'_, AppState>,
    args: DayArgs,
) -> IpcResult<Vec<Appointment>> {
    state.with_session(|s| appointments::day(s, args.date))
}

#[tauri::command]
pub async fn add_appointment(
    state: State<'_, AppState>,
    args: AddAppointmentArgs,
) -> IpcResult<Appointment> {
    state.with_session(|s| appointments::add(s, args.details))
}

/// Attendance (only once the time has passed: the core's rule), fee and payment.
#[tauri::command]
pub async fn update_appointment(
    state: State<'_, AppState>,
    args: UpdateAppointmentArgs,
) -> IpcResult<Appointment> {
    state.with_session(|s| appointments::update(s, args.id, args.details))
}
