//! Outcome measure commands (PHQ-9, GAD-7, CORE-10) and the calendar export. Thin wrappers over
//! `casenotes::domain::measures`, which validates the scores, works out every figure and keeps
//! a recorded measure final, and `casenotes::export::calendar`, which writes case references and
//! times only. Scores and reasons are never logged or put into an error.
//!
//! The calendar file is saved through the native "save" dialog shown from here, as attachments
//! and the destruction register are (see `attachments.rs`): the page never names a path.

use std::path::Path;

use casenotes::domain::measures::{
    self, ClientMeasures, Measure, MeasureAlert, MeasureForm, MeasureKind,
};
use casenotes::export::calendar::{self, CalendarExport};
use chrono::NaiveDate;
use serde::Deserialize;
use tauri::{AppHandle, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;

use crate::commands::attachments::{file_dialog, show};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

#[derive(Deserialize, TS)]
pub struct ClientMeasuresArgs {
    #[ts(type = "number")]
    pub client_id: i64,
}

#[derive(Deserialize, TS)]
pub struct RecordMeasureArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub kind: MeasureKind,
    /// "YYYY-MM-DD".
    #[ts(type = "string")]
    pub taken_on: NaiveDate,
    /// In the order of the form, as scored on it.
    pub items: Vec<u8>,
}

#[derive(Deserialize, TS)]
pub struct MeasureInErrorArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub reason: String,
}

#[derive(Deserialize, TS)]
pub struct MeasureAlertsArgs {
    /// "YYYY-MM-DD": alerts from measures taken on or after this day.
    #[ts(type = "string")]
    pub since: NaiveDate,
}

#[derive(Deserialize, TS)]
pub struct CalendarExportArgs {
    /// Days ahead from today, 1 to 366.
    pub days: u32,
}

/// The three forms: items (with wording where its licence allows), scores, copyright lines.
#[tauri::command]
pub async fn measure_forms() -> IpcResult<Vec<MeasureForm>> {
    Ok(measures::forms())
}

#[tauri::command]
pub async fn client_measures(
    state: State<'_, AppState>,
    args: ClientMeasuresArgs,
) -> IpcResult<ClientMeasures> {
    state.with_session(|s| measures::summary(s, args.client_id))
}

#[tauri::command]
pub async fn record_measure(
    state: State<'_, AppState>,
    args: RecordMeasureArgs,
) -> IpcResult<Measure> {
    record(&state, args)
}

#[tauri::command]
pub async fn mark_measure_entered_in_error(
    state: State<'_, AppState>,
    args: MeasureInErrorArgs,
) -> IpcResult<Measure> {
    state.with_session(|s| measures::mark_entered_in_error(s, args.id, &args.reason))
}

/// Alert items of every client's measures since a day, for the Today view.
#[tauri::command]
pub async fn recent_measure_alerts(
    state: State<'_, AppState>,
    args: MeasureAlertsArgs,
) -> IpcResult<Vec<MeasureAlert>> {
    state.with_session(|s| measures::recent_alerts(s, args.since))
}

/// Shows the native "save" dialog, then writes the `.ics` of the next `days` days where the
/// practitioner chose. `null` when they cancel.
#[tauri::command]
pub async fn save_calendar_export(
    app: AppHandle,
    state: State<'_, AppState>,
    args: CalendarExportArgs,
) -> IpcResult<Option<CalendarExport>> {
    if !state.is_unlocked() {
        return Err(IpcError::locked());
    }
    let dialog = file_dialog(&app)
        .set_title("Save upcoming appointments as a calendar file (case references and times only)")
        .set_file_name(calendar::default_file_name())
        .add_filter("Calendar file", &["ics"]);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    export_to(&state, &path, args.days).map(Some)
}

/// The body of `record_measure`.
pub fn record(state: &AppState, args: RecordMeasureArgs) -> IpcResult<Measure> {
    state.with_session(|s| measures::add(s, args.client_id, args.kind, args.taken_on, &args.items))
}

/// The part of `save_calendar_export` after the dialog.
pub fn export_to(state: &AppState, path: &Path, days: u32) -> IpcResult<CalendarExport> {
    state.with_session(|s| calendar::export(s, path, days))
}

#[cfg(test)]
mod tests {
    use casenotes::domain::clients::{self, ClientDetails};
    use casenotes::secret::Passphrase;
    use casenotes::vault::Vault;

    use super::*;

    fn unlocked(dir: &Path) -> (AppState, i64) {
        let mut session = Vault::create(
            &dir.join("vault"),
            &Passphrase::from_str_for_tests("twelve chars or more"),
        )
        .unwrap()
        .session;
        let client = clients::add(&mut session, ClientDetails::named("Ann", "Example")).unwrap();
        let state = AppState::new(dir.join("vault"), None);
        state.open(session, true).unwrap();
        (state, client.id)
    }

    #[test]
    fn a_measure_is_recorded_and_bad_scores_come_back_as_a_record_rule() {
        let tmp = tempfile::tempdir().unwrap();
        let (state, client_id) = unlocked(tmp.path());
        let args = |items: Vec<u8>| RecordMeasureArgs {
            client_id,
            kind: MeasureKind::Phq9,
            taken_on: "2026-03-02".parse().unwrap(),
            items,
        };
        let m = record(&state, args(vec![1, 1, 1, 1, 1, 1, 1, 1, 2])).unwrap();
        assert_eq!((m.total, m.band.as_str()), (10, "Moderate"));
        assert_eq!(m.alert.map(|a| (a.item, a.score)), Some((9, 2)));
        let refused = record(&state, args(vec![1, 1])).unwrap_err();
        assert_eq!(refused.kind, "record_rule");
        assert!(
            refused.message.contains("A PHQ-9 has 9 items"),
            "{refused:?}"
        );
    }

    #[test]
    fn every_measure_command_body_answers_locked_on_a_locked_vault() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        let args = RecordMeasureArgs {
            client_id: 1,
            kind: MeasureKind::Gad7,
            taken_on: "2026-03-02".parse().unwrap(),
            items: vec![0; 7],
        };
        assert_eq!(record(&state, args).unwrap_err().kind, "locked");
        let path = tmp.path().join("cal.ics");
        assert_eq!(export_to(&state, &path, 28).unwrap_err().kind, "locked");
        assert!(!path.exists());
    }
}
