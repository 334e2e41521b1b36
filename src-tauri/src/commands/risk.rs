//! Risk commands: what the client file shows about risk (the latest signed assessment and its
//! review date, every assessment, the safety plan's versions, capacity decisions and after-death
//! wishes), writing, signing and correcting assessments, saving safety-plan versions and a
//! printable copy through the native save dialog, recording capacity decisions and wishes, and
//! the reviews due for the Today view. Thin wrappers over `casenotes::domain::{risk,
//! safety_plan, capacity, after_death}`: a signed assessment refuses edits in the core, and
//! nothing here bypasses that. No clinical text is logged or put into an error.

use std::path::Path;

use casenotes::domain::after_death::{self, AfterDeathWishes, WishesDetails};
use casenotes::domain::capacity::{self, CapacityDecision, CapacityDetails, CapacityReviewDue};
use casenotes::domain::clients;
use casenotes::domain::risk::{
    self, ReviewDue, RiskAddendum, RiskAssessment, RiskContent, RiskSummary,
};
use casenotes::domain::safety_plan::{self, SafetyPlanContent, SafetyPlanVersion};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;

use crate::commands::attachments::{file_dialog, show};
use crate::commands::clients::ClientIdArgs;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Everything about risk on one client's file.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ClientRisk {
    pub summary: RiskSummary,
    /// A new assessment's starting content (every domain "not assessed").
    pub blank_assessment: RiskContent,
    /// Newest first; the first is the current plan.
    pub safety_plan: Vec<SafetyPlanVersion>,
    /// A new plan's starting content (the UK crisis lines filled in).
    pub blank_safety_plan: SafetyPlanContent,
    /// Newest first.
    pub capacity: Vec<CapacityDecision>,
    /// Newest first; the first is in force.
    pub wishes: Vec<AfterDeathWishes>,
    /// The computer's today, which "overdue" was worked out against ("YYYY-MM-DD").
    pub today: NaiveDate,
}

/// Risk and capacity reviews falling due, for the Today view.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReviewsDue {
    pub risk: Vec<ReviewDue>,
    pub capacity: Vec<CapacityReviewDue>,
}

#[derive(Deserialize, TS)]
pub struct CreateRiskArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub content: RiskContent,
}

#[derive(Deserialize, TS)]
pub struct SaveRiskDraftArgs {
    #[ts(type = "number")]
    pub id: i64,
    pub content: RiskContent,
}

#[derive(Deserialize, TS)]
pub struct RiskIdArgs {
    #[ts(type = "number")]
    pub id: i64,
}

#[derive(Deserialize, TS)]
pub struct RiskAddendumArgs {
    #[ts(type = "number")]
    pub assessment_id: i64,
    pub reason: String,
    pub body: String,
}

#[derive(Deserialize, TS)]
pub struct SaveSafetyPlanArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub content: SafetyPlanContent,
}

#[derive(Deserialize, TS)]
pub struct SafetyPlanCopyArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    #[ts(type = "number")]
    pub version: i64,
}

#[derive(Deserialize, TS)]
pub struct AddCapacityArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub details: CapacityDetails,
}

#[derive(Deserialize, TS)]
pub struct SetWishesArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    pub details: WishesDetails,
}

#[derive(Deserialize, TS)]
pub struct ReviewsDueArgs {
    pub within_days: u32,
}

/// The practitioner's calendar day.
fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

#[tauri::command]
pub async fn client_risk(state: State<'_, AppState>, args: ClientIdArgs) -> IpcResult<ClientRisk> {
    state.with_session(|s| {
        let today = today();
        Ok(ClientRisk {
            summary: risk::summary(s, args.client_id, today)?,
            blank_assessment: RiskContent::default(),
            safety_plan: safety_plan::versions(s, args.client_id)?,
            blank_safety_plan: SafetyPlanContent::default(),
            capacity: capacity::for_client(s, args.client_id)?,
            wishes: after_death::history(s, args.client_id)?,
            today,
        })
    })
}

#[tauri::command]
pub async fn create_risk_assessment(
    state: State<'_, AppState>,
    args: CreateRiskArgs,
) -> IpcResult<RiskAssessment> {
    state.with_session(|s| risk::create(s, args.client_id, args.content))
}

/// Autosave: the UI calls this a moment after each change and before the vault locks.
#[tauri::command]
pub async fn save_risk_draft(
    state: State<'_, AppState>,
    args: SaveRiskDraftArgs,
) -> IpcResult<RiskAssessment> {
    state.with_session(|s| risk::save_draft(s, args.id, args.content))
}

#[tauri::command]
pub async fn sign_risk_assessment(
    state: State<'_, AppState>,
    args: RiskIdArgs,
) -> IpcResult<RiskAssessment> {
    state.with_session(|s| risk::sign(s, args.id, today()))
}

#[tauri::command]
pub async fn add_risk_addendum(
    state: State<'_, AppState>,
    args: RiskAddendumArgs,
) -> IpcResult<RiskAddendum> {
    state.with_session(|s| risk::add_addendum(s, args.assessment_id, &args.reason, &args.body))
}

#[tauri::command]
pub async fn save_safety_plan(
    state: State<'_, AppState>,
    args: SaveSafetyPlanArgs,
) -> IpcResult<SafetyPlanVersion> {
    state.with_session(|s| safety_plan::save(s, args.client_id, args.content))
}

/// Shows the native save dialog, then writes that version of the plan there as a printable page
/// for the client. Answers where it went, or `null` when cancelled.
#[tauri::command]
pub async fn save_safety_plan_copy(
    app: AppHandle,
    state: State<'_, AppState>,
    args: SafetyPlanCopyArgs,
) -> IpcResult<Option<String>> {
    if !state.is_unlocked() {
        return Err(IpcError::locked());
    }
    let dialog = file_dialog(&app)
        .set_title("Save a printable copy of the safety plan")
        .set_file_name("safety-plan.html")
        .add_filter("Web page", &["html"]);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    save_safety_plan_copy_to(&state, args.client_id, args.version, &path)
        .map(|()| Some(path.display().to_string()))
}

/// The part of `save_safety_plan_copy` after the dialog.
pub fn save_safety_plan_copy_to(
    state: &AppState,
    client_id: i64,
    version: i64,
    path: &Path,
) -> IpcResult<()> {
    state.with_session(|s| {
        let client = clients::get(s, client_id)?;
        let plan = safety_plan::get(s, client_id, version)?;
        let d = &client.details;
        let name = d
            .preferred_name
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or(&d.given_name);
        let page = safety_plan::printable_html(&plan, name);
        casenotes::fsutil::write_atomic(path, page.as_bytes())?;
        safety_plan::record_printed(s, &plan)?;
        Ok(())
    })
}

#[tauri::command]
pub async fn add_capacity_decision(
    state: State<'_, AppState>,
    args: AddCapacityArgs,
) -> IpcResult<CapacityDecision> {
    state.with_session(|s| capacity::add(s, args.client_id, args.details, today()))
}

#[tauri::command]
pub async fn set_after_death_wishes(
    state: State<'_, AppState>,
    args: SetWishesArgs,
) -> IpcResult<AfterDeathWishes> {
    state.with_session(|s| after_death::set(s, args.client_id, args.details, today()))
}

/// Risk and capacity reviews due within `within_days` days, overdue ones included.
#[tauri::command]
pub async fn risk_reviews_due(
    state: State<'_, AppState>,
    args: ReviewsDueArgs,
) -> IpcResult<ReviewsDue> {
    state.with_session(|s| {
        Ok(ReviewsDue {
            risk: risk::reviews_due(s, today(), args.within_days)?,
            capacity: capacity::reviews_due(s, today(), args.within_days)?,
        })
    })
}
