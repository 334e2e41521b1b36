//! Subject-access commands: the review list for a client, and making the encrypted bundle after
//! the practitioner has chosen what to withhold, protected by a passphrase (typed twice, checked
//! for strength as the vault's is) or a recipient key. Thin wrappers over
//! `casenotes::export::sar`, which gathers, withholds, writes and logs.
//!
//! The page never sends a path: the bundle's file is chosen in the native "save" dialog, shown
//! from here. The bundle is written on a blocking thread, with progress sent to the page as the
//! [`PROGRESS_EVENT`]. The passphrase arrives in a zeroizing buffer and goes straight to the core;
//! no error or event carries it, nor anything clinical.

use std::path::Path;
use std::time::{Duration, Instant};

use casenotes::domain::clients;
use casenotes::domain::disclosures::Disclosure;
use casenotes::domain::requests::Request;
use casenotes::export::sar::{
    self, Exported, LoggedExport, Protection, ReviewCandidate, SarProgress, SarStage, Withhold,
};
use casenotes::secret::Passphrase;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::attachments::{file_dialog, show};
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Progress of an export, as the core's `SarProgress`.
pub const PROGRESS_EVENT: &str = "sar-progress";
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

#[derive(Deserialize, TS)]
pub struct SarClientArgs {
    #[ts(type = "number")]
    pub client_id: i64,
}

/// What the review screen shows: the items to look at, and earlier copies made for this client.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SarReview {
    pub case_ref: String,
    pub candidates: Vec<ReviewCandidate>,
    /// Every disclosure recorded for the client: each names someone else, so each is offered
    /// for review and may be withheld whole.
    pub disclosures: Vec<Disclosure>,
    /// The client's access and portability requests not yet completed, to choose from.
    pub open_requests: Vec<Request>,
    pub past_exports: Vec<LoggedExport>,
}

/// How the bundle is protected.
#[derive(Debug, Clone, Copy, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum BundleProtection {
    Passphrase,
    Recipient,
}

#[derive(Deserialize, TS)]
pub struct ExportSarArgs {
    #[ts(type = "number")]
    pub client_id: i64,
    /// The requests register's number for the client's access (or portability) request; it is
    /// marked completed once the copy is made.
    #[ts(type = "number")]
    pub request_id: i64,
    pub withhold: Vec<Withhold>,
    pub protection: BundleProtection,
    /// With `passphrase`: the bundle passphrase, and the same again.
    #[ts(type = "string | null")]
    pub passphrase: Option<Zeroizing<String>>,
    #[ts(type = "string | null")]
    pub confirm: Option<Zeroizing<String>>,
    /// With `recipient`: the client's age public key, `age1…`.
    pub recipient: Option<String>,
}

/// The items to review before making a subject-access copy, and the copies made before.
#[tauri::command]
pub async fn sar_review(state: State<'_, AppState>, args: SarClientArgs) -> IpcResult<SarReview> {
    state.with_session(|s| {
        Ok(SarReview {
            case_ref: clients::get(s, args.client_id)?.case_ref,
            candidates: sar::review_candidates(s, args.client_id)?,
            disclosures: sar::disclosure_candidates(s, args.client_id)?,
            open_requests: sar::open_copy_requests(s, args.client_id)?,
            past_exports: sar::exports_for_client(s, args.client_id)?,
        })
    })
}

fn missing(message: &str) -> IpcError {
    casenotes::Error::rule(message, "Fill it in and try again.").into()
}

/// Checks the passphrase (or recipient key) first, then shows the native "save" dialog, then
/// writes the bundle with progress. Answers what was written, or `null` when the dialog is
/// cancelled.
#[tauri::command]
pub async fn export_sar(
    app: AppHandle,
    state: State<'_, AppState>,
    args: ExportSarArgs,
) -> IpcResult<Option<Exported>> {
    // Everything that can be refused is refused before the dialog opens.
    let passphrase = match args.protection {
        BundleProtection::Passphrase => {
            let (Some(p), Some(c)) = (args.passphrase, args.confirm) else {
                return Err(missing("The bundle needs a passphrase, typed twice."));
            };
            if *p != *c {
                return Err(casenotes::Error::PassphraseMismatch.into());
            }
            let p = Passphrase::new(p);
            p.check_strength()?;
            Some(p)
        }
        BundleProtection::Recipient => {
            let r = args.recipient.as_deref().unwrap_or("");
            sar::container::parse_recipient(r)?;
            None
        }
    };
    let case_ref = state.with_session(|s| Ok(clients::get(s, args.client_id)?.case_ref))?;
    let name = format!(
        "{case_ref}-subject-access-{}.age",
        chrono::Local::now().format("%Y-%m-%d")
    );
    let dialog = file_dialog(&app)
        .set_title("Save the encrypted subject access copy")
        .set_file_name(&name);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    let recipient = args.recipient.clone();
    let withhold = args.withhold;
    let (client_id, request_id, protection) = (args.client_id, args.request_id, args.protection);
    let made = tauri::async_runtime::spawn_blocking(move || {
        let state = app.state::<AppState>();
        let protection = match (protection, &passphrase) {
            (BundleProtection::Passphrase, Some(p)) => Protection::Passphrase(p),
            _ => Protection::Recipient(recipient.as_deref().unwrap_or("")),
        };
        export_to(
            &state,
            client_id,
            request_id,
            &withhold,
            protection,
            &path,
            &mut progress_to_page(&app),
        )
    })
    .await
    .map_err(|_| IpcError::internal("Making the copy stopped unexpectedly. Please try again."))??;
    Ok(Some(made))
}

/// The part of `export_sar` after the dialog (tested without a window).
pub fn export_to(
    state: &AppState,
    client_id: i64,
    request_id: i64,
    withhold: &[Withhold],
    protection: Protection<'_>,
    out: &Path,
    progress: &mut dyn FnMut(SarProgress),
) -> IpcResult<Exported> {
    state.with_session(|s| {
        sar::export(
            s,
            &sar::ExportRequest {
                client_id,
                request_id,
                withhold,
                protection,
                out,
            },
            progress,
        )
    })
}

fn progress_to_page(app: &AppHandle) -> impl FnMut(SarProgress) + '_ {
    let mut last: Option<(SarStage, Instant)> = None;
    move |p: SarProgress| {
        let now = Instant::now();
        let send = match last {
            None => true,
            Some((s, at)) => s != p.stage || p.done >= p.total || now - at >= PROGRESS_EVERY,
        };
        if send {
            last = Some((p.stage, now));
            let _ = app.emit(PROGRESS_EVENT, p);
        }
    }
}

#[cfg(test)]
mod tests {
    use casenotes::domain::clients::ClientDetails;
    use casenotes::domain::notes::{self, NoteKind, Template};
    use casenotes::export::sar::{WithholdReason, WithholdTarget};
    use casenotes::vault::Vault;

    use super::*;

    #[test]
    fn export_after_the_dialog_withholds_and_logs() {
        let dir = tempfile::tempdir().unwrap();
        let created = Vault::create(
            &dir.path().join("vault"),
            &Passphrase::from_str_for_tests("correct horse battery staple"),
        )
        .unwrap();
        let state = AppState::new(dir.path().join("vault"), None);
        state.open(created.session, true).unwrap();
        let (client_id, note_id, request_id) = state
            .with_session(|s| {
                let c = clients::add(s, ClientDetails::named("Ann", "Example"))?;
                let n = notes::create(
                    s,
                    c.id,
                    NoteKind::Session,
                    Template::Free,
                    "About her partner",
                    true,
                )?;
                let r = casenotes::domain::requests::add(
                    s,
                    c.id,
                    casenotes::domain::requests::NewRequest {
                        kind: casenotes::domain::requests::RequestKind::Access,
                        received_on: chrono::Local::now().date_naive(),
                        identity_checked_on: Some(chrono::Local::now().date_naive()),
                        details: None,
                    },
                )?;
                Ok((c.id, n.id, r.id))
            })
            .unwrap();
        let review = state
            .with_session(|s| sar::review_candidates(s, client_id))
            .unwrap();
        assert_eq!(review.len(), 1);
        let out = dir.path().join("copy.age");
        let pass = Passphrase::from_str_for_tests("tangerine lighthouse quietly");
        let mut stages = Vec::new();
        let made = export_to(
            &state,
            client_id,
            request_id,
            &[Withhold {
                target: WithholdTarget::Note { note_id },
                reason: WithholdReason::ThirdParty,
                comment: None,
            }],
            Protection::Passphrase(&pass),
            &out,
            &mut |p| stages.push(p.stage),
        )
        .unwrap();
        assert_eq!(made.withheld[0].notes, 1);
        assert!(made.request_completed);
        assert!(out.exists());
        assert_eq!(stages.last(), Some(&SarStage::Done));
    }
}
