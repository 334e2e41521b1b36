//! Retention commands: the policy (Settings → Retention), the due list, appraised destruction
//! with the passphrase re-entered, the destruction register and its printable copy, and the
//! backups that still hold destroyed records. Thin wrappers over `casenotes::retention` and
//! `casenotes::export::backup`, which decide what is due, destroy, write the certificates and the
//! audit entries.
//!
//! Nothing is destroyed unless the page names the items, gives a reason and sends the current
//! passphrase, which the core checks (one scrypt) before anything is touched. The passphrase
//! arrives in a zeroizing buffer and goes straight to the core. Confirming and destroying run on
//! a blocking thread, never the main thread, and the core's progress goes to the page as
//! [`PROGRESS_EVENT`]. No error or event carries clinical text or a secret.

use std::path::Path;

use casenotes::domain::settings;
use casenotes::export::backup::{self, BackupInfo, BackupMade};
use casenotes::retention::{
    self, policy, register, Category, Certificate, DestroyProgress, DueItem, Policy, Preset, Target,
};
use casenotes::secret::Passphrase;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Emitter, Manager, State};
use tauri_plugin_dialog::FileDialogBuilder;
use ts_rs::TS;
use zeroize::Zeroizing;

use crate::commands::attachments::{file_dialog, show};
use crate::commands::backups::progress_to_page;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;

/// Progress of a destruction (a `DestroyProgress`: `done` of `total` steps).
pub const PROGRESS_EVENT: &str = "destroy-progress";

/// One category's rule, in words.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RuleInWords {
    pub category: Category,
    /// "client record", "enquiry", "appointments and fees".
    pub label: String,
    pub rule: String,
}

/// A preset the practitioner may choose, with its rules in words.
#[derive(Debug, Clone, Serialize, TS)]
pub struct PresetChoice {
    pub preset: Preset,
    pub label: String,
    pub policy: Policy,
    pub rules: Vec<RuleInWords>,
}

/// The policy in force, its rules in words, and the presets to choose from.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RetentionPolicy {
    pub policy: Policy,
    /// The preset it started from, in words.
    pub label: String,
    pub rules: Vec<RuleInWords>,
    pub presets: Vec<PresetChoice>,
}

/// Choose a preset as it ships, or save edited periods.
#[derive(Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SetRetentionPolicyArgs {
    Preset { preset: Preset },
    Edited { policy: Policy },
}

/// What is due (and what is held back) as of a day.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DueList {
    pub as_of: NaiveDate,
    /// The policy's preset, in words.
    pub policy_label: String,
    pub items: Vec<DueItem>,
}

/// One item chosen from the due list.
#[derive(Deserialize, TS)]
pub struct DestroyTarget {
    pub case_ref: String,
    /// `null`: the client's record or enquiry; `"appointments"`: their old appointments only.
    pub category: Option<Category>,
}

#[derive(Deserialize, TS)]
pub struct DestroyArgs {
    pub targets: Vec<DestroyTarget>,
    pub reason: String,
    /// The vault's current passphrase, typed again to confirm.
    #[ts(type = "string")]
    pub passphrase: Zeroizing<String>,
}

/// The register, and whether its chain (and its tie to the audit log) holds.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DestructionRegister {
    pub certificates: Vec<Certificate>,
    /// `null` when the chain verifies; otherwise what is wrong, in plain words.
    pub problem: Option<String>,
}

/// A fresh backup made, and the older ones that held destroyed records removed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ReplacedBackups {
    pub made: BackupMade,
    /// File names of the backups removed.
    pub removed: Vec<String>,
}

/// The retention policy in force, in numbers and in words, with the presets.
#[tauri::command]
pub async fn retention_policy(state: State<'_, AppState>) -> IpcResult<RetentionPolicy> {
    policy_in(&state)
}

/// Chooses a preset or saves edited periods (the core checks the ranges and audits the change).
#[tauri::command]
pub async fn set_retention_policy(
    state: State<'_, AppState>,
    args: SetRetentionPolicyArgs,
) -> IpcResult<RetentionPolicy> {
    set_policy_in(&state, args)
}

/// What is due for destruction today, and what is held back (legal hold, a return).
#[tauri::command]
pub async fn retention_due(state: State<'_, AppState>) -> IpcResult<DueList> {
    due_in(&state, today())
}

/// Confirms the passphrase, then destroys the chosen items with the practitioner's reason.
/// Answers the certificates made. Nothing is destroyed if any item is not due, or the
/// passphrase is wrong.
#[tauri::command]
pub async fn destroy_records(app: AppHandle, args: DestroyArgs) -> IpcResult<Vec<Certificate>> {
    on_a_blocking_thread(app, move |app| {
        let state = app.state::<AppState>();
        destroy_in(&state, args, today(), &mut |p| {
            let _ = app.emit(PROGRESS_EVENT, p);
        })
    })
    .await
}

/// Every certificate of destruction, oldest first, with the result of checking the chain.
#[tauri::command]
pub async fn destruction_register(state: State<'_, AppState>) -> IpcResult<DestructionRegister> {
    register_in(&state)
}

/// Shows the native save dialog, then writes the register there as a printable HTML page.
/// Answers where it went, or `null` when cancelled.
#[tauri::command]
pub async fn save_register_report(
    app: AppHandle,
    state: State<'_, AppState>,
) -> IpcResult<Option<String>> {
    if !state.is_unlocked() {
        return Err(IpcError::locked());
    }
    let dialog = file_dialog(&app)
        .set_title("Save a printable copy of the destruction register")
        .set_file_name(format!("destruction-register-{}.html", today()))
        .add_filter("Web page", &["html"]);
    let Some(path) = show(dialog, FileDialogBuilder::blocking_save_file).await? else {
        return Ok(None);
    };
    save_report_to(&state, &path).map(|()| Some(path.display().to_string()))
}

/// The backups in the backup folder made before the latest destruction, which still hold
/// destroyed records.
#[tauri::command]
pub async fn backups_holding_destroyed(state: State<'_, AppState>) -> IpcResult<Vec<BackupInfo>> {
    state.with_session(|s| backup::holding_destroyed(s))
}

/// Makes a fresh, verified backup, then removes the backups that still hold destroyed records
/// (only once the fresh one has verified). Progress goes to the page as `backup-progress`.
#[tauri::command]
pub async fn replace_backups_holding_destroyed(app: AppHandle) -> IpcResult<ReplacedBackups> {
    on_a_blocking_thread(app, |app| {
        let state = app.state::<AppState>();
        replace_in(&state, &mut progress_to_page(app))
    })
    .await
}

/// Today, as the core allows a destruction to be dated: the computer's local day, but never
/// after the UTC day (the core refuses a date in the future, and just after midnight in British
/// Summer Time the local day is a day ahead of UTC). Never early: at worst an item shows a
/// little later.
pub fn today() -> NaiveDate {
    chrono::Local::now()
        .date_naive()
        .min(chrono::Utc::now().date_naive())
}

fn rules(p: &Policy) -> Vec<RuleInWords> {
    [
        (Category::ClientRecord, Some(p.minor_until_birthday)),
        (Category::Enquiry, None),
        (Category::Appointments, None),
    ]
    .into_iter()
    .map(|(category, minor)| RuleInWords {
        category,
        label: category.label().to_owned(),
        rule: p.rule_text(category, minor),
    })
    .collect()
}

fn view(p: Policy) -> RetentionPolicy {
    RetentionPolicy {
        label: p.preset.label().to_owned(),
        rules: rules(&p),
        presets: [Preset::UkCounselling, Preset::NhsMentalHealth]
            .into_iter()
            .map(|preset| {
                let policy = Policy::preset(preset);
                PresetChoice {
                    preset,
                    label: preset.label().to_owned(),
                    rules: rules(&policy),
                    policy,
                }
            })
            .collect(),
        policy: p,
    }
}

/// The part of `retention_policy` that asks the core.
pub fn policy_in(state: &AppState) -> IpcResult<RetentionPolicy> {
    state.with_session(|s| policy::current(s)).map(view)
}

/// The part of `set_retention_policy` that asks the core.
pub fn set_policy_in(state: &AppState, args: SetRetentionPolicyArgs) -> IpcResult<RetentionPolicy> {
    let chosen = match args {
        SetRetentionPolicyArgs::Preset { preset } => Policy::preset(preset),
        SetRetentionPolicyArgs::Edited { policy } => policy,
    };
    state
        .with_session(|s| {
            policy::set(s, &chosen)?;
            policy::current(s)
        })
        .map(view)
}

/// The part of `retention_due` that asks the core.
pub fn due_in(state: &AppState, as_of: NaiveDate) -> IpcResult<DueList> {
    state.with_session(|s| {
        let p = policy::current(s)?;
        Ok(DueList {
            as_of,
            policy_label: p.preset.label().to_owned(),
            items: retention::due_list(s, &p, as_of)?,
        })
    })
}

/// The part of `destroy_records` that asks the core: the passphrase first (a wrong one changes
/// nothing), then the destruction, both under the session so no lock starts in between.
pub fn destroy_in(
    state: &AppState,
    args: DestroyArgs,
    as_of: NaiveDate,
    progress: &mut dyn FnMut(DestroyProgress),
) -> IpcResult<Vec<Certificate>> {
    let passphrase = Passphrase::new(args.passphrase);
    let targets: Vec<Target> = args
        .targets
        .into_iter()
        .map(|t| Target {
            case_ref: t.case_ref,
            category: t.category,
        })
        .collect();
    state.with_session(|s| {
        s.confirm_passphrase(&passphrase)?;
        let p = policy::current(s)?;
        retention::destroy(s, &p, &targets, &args.reason, as_of, progress)
    })
}

/// The part of `destruction_register` that asks the core.
pub fn register_in(state: &AppState) -> IpcResult<DestructionRegister> {
    state.with_session(|s| {
        let certificates = register::list(s.conn()?)?;
        let problem = register::verify(s.conn()?).err().map(|e| e.to_string());
        Ok(DestructionRegister {
            certificates,
            problem,
        })
    })
}

/// The part of `save_register_report` after the dialog.
pub fn save_report_to(state: &AppState, path: &Path) -> IpcResult<()> {
    let page = state.with_session(|s| {
        let certs = register::list(s.conn()?)?;
        let practice =
            settings::get(s, settings::PRACTICE_NAME)?.unwrap_or_else(|| "casenotes".to_owned());
        Ok(register::report_html(
            &certs,
            &practice,
            &chrono::Local::now()
                .format("%-d %B %Y at %H:%M")
                .to_string(),
        ))
    })?;
    Ok(casenotes::fsutil::write_atomic(path, page.as_bytes())?)
}

/// The part of `replace_backups_holding_destroyed` that asks the core.
pub fn replace_in(
    state: &AppState,
    progress: &mut dyn FnMut(backup::Progress),
) -> IpcResult<ReplacedBackups> {
    state.with_session(|s| {
        let (made, removed) = backup::replace_holding_destroyed(s, progress)?;
        Ok(ReplacedBackups { made, removed })
    })
}

/// Runs slow work (scrypt, destruction, a backup) off the main thread and off the async
/// runtime's workers.
async fn on_a_blocking_thread<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&AppHandle) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    tauri::async_runtime::spawn_blocking(move || work(&app))
        .await
        .map_err(|_| IpcError::internal("The work stopped unexpectedly. Please try again."))?
}

#[cfg(test)]
mod tests {
    use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
    use casenotes::domain::notes::{self, NoteKind, Template};
    use casenotes::export::backup::BackupSettings;
    use casenotes::vault::Vault;

    use super::*;

    const PASSPHRASE: &str = "twelve chars or more";
    const CANARY: &str = "pelican-saffron-quay";

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// An unlocked state holding a client whose therapy ended in 2012 (due, with a signed note),
    /// one on legal hold, and one who ended recently (not due).
    fn unlocked(dir: &Path) -> AppState {
        let created = Vault::create(
            &dir.join("vault"),
            &Passphrase::from_str_for_tests(PASSPHRASE),
        )
        .unwrap();
        let mut s = created.session;
        let mut due_id = 0;
        for (given, ended, hold) in [
            ("Due", d(2012, 5, 1), None),
            ("Held", d(2010, 1, 1), Some("solicitor's letter")),
            ("Recent", today(), None),
        ] {
            let mut details = ClientDetails::named(given, "Example");
            details.status = ClientStatus::Ended;
            details.therapy_started_on = Some(d(2008, 1, 1));
            details.therapy_ended_on = Some(ended);
            details.legal_hold_reason = hold.map(str::to_owned);
            let c = clients::add(&mut s, details).unwrap();
            if given == "Due" {
                due_id = c.id;
            }
        }
        let n =
            notes::create(&mut s, due_id, NoteKind::Session, Template::Free, "", false).unwrap();
        notes::save_draft(&mut s, n.id, &format!("Talked about {CANARY}.")).unwrap();
        notes::sign(&mut s, n.id).unwrap();
        let state = AppState::new(dir.join("vault"), None);
        state.open(s, true).unwrap();
        state
    }

    fn args(passphrase: &str, reason: &str, refs: &[&str]) -> DestroyArgs {
        DestroyArgs {
            targets: refs
                .iter()
                .map(|r| DestroyTarget {
                    case_ref: (*r).to_owned(),
                    category: None,
                })
                .collect(),
            reason: reason.to_owned(),
            passphrase: Zeroizing::new(passphrase.to_owned()),
        }
    }

    fn client_refs(state: &AppState) -> Vec<String> {
        state
            .with_session(|s| clients::list(s, None))
            .unwrap()
            .into_iter()
            .map(|c| c.case_ref)
            .collect()
    }

    #[test]
    fn the_due_list_shows_the_due_and_the_held_but_not_the_recent() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked(tmp.path());
        let due = due_in(&state, today()).unwrap();
        assert_eq!(due.policy_label, "UK counselling");
        let seen: Vec<(&str, bool)> = due
            .items
            .iter()
            .map(|i| (i.case_ref.as_str(), i.due))
            .collect();
        assert_eq!(seen, [("C-0002", false), ("C-0001", true)]);
        assert_eq!(due.items[1].counts.notes, 1);
        assert_eq!(due.items[1].name, "Due Example");
    }

    #[test]
    fn a_wrong_passphrase_a_held_item_or_no_reason_destroys_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked(tmp.path());
        let mut steps = 0;
        let wrong = destroy_in(
            &state,
            args("not the passphrase at all", "appraised", &["C-0001"]),
            today(),
            &mut |_| steps += 1,
        )
        .unwrap_err();
        assert_eq!(wrong.kind, "wrong_passphrase", "{wrong:?}");
        let held = destroy_in(
            &state,
            args(PASSPHRASE, "appraised", &["C-0001", "C-0002"]),
            today(),
            &mut |_| steps += 1,
        )
        .unwrap_err();
        assert!(held.message.contains("legal hold"), "{held:?}");
        let no_reason = destroy_in(
            &state,
            args(PASSPHRASE, " ", &["C-0001"]),
            today(),
            &mut |_| steps += 1,
        )
        .unwrap_err();
        assert!(no_reason.message.contains("reason"), "{no_reason:?}");
        assert_eq!(steps, 0, "nothing started");
        assert_eq!(client_refs(&state), ["C-0001", "C-0002", "C-0003"]);
        assert!(register_in(&state).unwrap().certificates.is_empty());
    }

    #[test]
    fn destroying_with_the_passphrase_leaves_a_certificate_and_no_text() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked(tmp.path());
        let mut last = None;
        let certs = destroy_in(
            &state,
            args(
                PASSPHRASE,
                "Retention period passed; appraised",
                &["C-0001"],
            ),
            today(),
            &mut |p| last = Some(p),
        )
        .unwrap();
        assert_eq!(certs.len(), 1);
        assert_eq!(
            (certs[0].case_ref.as_str(), certs[0].initials.as_str()),
            ("C-0001", "D.E.")
        );
        assert_eq!(last.map(|p| p.done == p.total), Some(true));
        assert_eq!(client_refs(&state), ["C-0002", "C-0003"]);
        let reg = register_in(&state).unwrap();
        assert_eq!(reg.certificates.len(), 1);
        assert_eq!(reg.problem, None);
        assert!(state
            .with_session(|s| casenotes::search::search(s, CANARY))
            .unwrap()
            .is_empty());

        let report = tmp.path().join("register.html");
        save_report_to(&state, &report).unwrap();
        let html = std::fs::read_to_string(&report).unwrap();
        assert!(html.contains("C-0001") && html.contains("Retention period passed"));
        assert!(!html.contains("Example") && !html.contains(CANARY));
    }

    #[test]
    fn older_backups_are_named_then_replaced_by_a_fresh_one() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked(tmp.path());
        let folder = tmp.path().join("backups");
        std::fs::create_dir(&folder).unwrap();
        state
            .with_session(|s| {
                backup::configure(
                    s,
                    &BackupSettings {
                        folder: Some(folder.display().to_string()),
                        every_hours: 24,
                        keep: 10,
                        on_lock: false,
                    },
                )?;
                backup::back_up_configured(s, &mut |_| {})
            })
            .unwrap();
        let holding = || {
            state
                .with_session(|s| backup::holding_destroyed(s))
                .unwrap()
        };
        assert!(holding().is_empty(), "nothing destroyed yet");
        // Backup names have one-second resolution: destroy in a later second than the backup.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        destroy_in(
            &state,
            args(PASSPHRASE, "appraised", &["C-0001"]),
            today(),
            &mut |_| {},
        )
        .unwrap();
        let stale = holding();
        assert_eq!(stale.len(), 1);
        std::thread::sleep(std::time::Duration::from_millis(1100));
        let replaced = replace_in(&state, &mut |_| {}).unwrap();
        assert_eq!(replaced.removed, [stale[0].file_name.clone()]);
        assert_eq!(replaced.made.counts.clients, 2);
        assert!(holding().is_empty());
    }

    #[test]
    fn presets_and_edited_periods_are_saved_and_silly_ones_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let state = unlocked(tmp.path());
        let current = policy_in(&state).unwrap();
        assert_eq!(current.policy, Policy::preset(Preset::UkCounselling));
        assert_eq!(current.presets.len(), 2);
        assert!(current.rules[0]
            .rule
            .starts_with("7 years after therapy ended"));

        let nhs = set_policy_in(
            &state,
            SetRetentionPolicyArgs::Preset {
                preset: Preset::NhsMentalHealth,
            },
        )
        .unwrap();
        assert_eq!(nhs.policy.client_record_years, 20);
        assert_eq!(nhs.label, "NHS Records Management Code (mental health)");
        // Under the NHS code, the 2012 client is no longer due.
        assert!(due_in(&state, today())
            .unwrap()
            .items
            .iter()
            .all(|i| i.case_ref != "C-0001"));

        let mut edited = Policy::preset(Preset::UkCounselling);
        edited.client_record_years = 8;
        let saved =
            set_policy_in(&state, SetRetentionPolicyArgs::Edited { policy: edited }).unwrap();
        assert_eq!(saved.policy.client_record_years, 8);
        edited = Policy::preset(Preset::UkCounselling);
        edited.client_record_years = 0;
        let refused =
            set_policy_in(&state, SetRetentionPolicyArgs::Edited { policy: edited }).unwrap_err();
        assert_eq!(refused.kind, "record_rule", "{refused:?}");
        assert_eq!(policy_in(&state).unwrap().policy.client_record_years, 8);
    }

    #[test]
    fn every_retention_command_body_answers_locked() {
        let tmp = tempfile::tempdir().unwrap();
        let state = AppState::new(tmp.path().join("vault"), None);
        assert_eq!(policy_in(&state).unwrap_err().kind, "locked");
        assert_eq!(due_in(&state, today()).unwrap_err().kind, "locked");
        assert_eq!(
            destroy_in(
                &state,
                args(PASSPHRASE, "appraised", &["C-0001"]),
                today(),
                &mut |_| {}
            )
            .unwrap_err()
            .kind,
            "locked"
        );
        assert_eq!(register_in(&state).unwrap_err().kind, "locked");
        assert_eq!(replace_in(&state, &mut |_| {}).unwrap_err().kind, "locked");
    }
}
