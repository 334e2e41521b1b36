//! Writes `ui/src/lib/bindings.ts`: the TypeScript types of every command's argument, result
//! and error, generated from the Rust types with ts-rs, plus a `Commands` map from command name to
//! its argument and result types, which `ui/src/lib/ipc.ts` uses to type every call.
//!
//! `cargo test -p casenotes-desktop` regenerates the file; `scripts/test-desktop.sh` then fails if
//! git sees it changed, so the committed file always matches the Rust side.

use std::path::PathBuf;

use ts_rs::TS;

use crate::commands::risk::{
    AddCapacityArgs, ClientRisk, CreateRiskArgs, ReviewsDue, ReviewsDueArgs, RiskAddendumArgs,
    RiskIdArgs, SafetyPlanCopyArgs, SaveRiskDraftArgs, SaveSafetyPlanArgs, SetWishesArgs,
};
use casenotes::domain::after_death::{AfterDeathWishes, WishesDetails};
use casenotes::domain::appointments::{Appointment, AppointmentDetails, Attendance, Mode};
use casenotes::domain::attachments::AttachmentInfo;
use casenotes::domain::capacity::{
    CapacityDecision, CapacityDetails, CapacityOutcome, CapacityReviewDue, FunctionalPoint,
};
use casenotes::domain::client_file::{ClientFile, RenderedNote, TimelineEntry};
use casenotes::domain::clients::{Client, ClientDetails, ClientStatus};
use casenotes::domain::notes::{Addendum, Note, NoteKind, Template};
use casenotes::domain::risk::{
    DomainFormulation, DomainStatus, ReviewDue, RiskAddendum, RiskAssessment, RiskContent,
    RiskDomain, RiskSummary,
};
use casenotes::domain::safety_plan::{SafetyPlanContent, SafetyPlanVersion};
use casenotes::domain::today::{Today, UnsignedNote};
use casenotes::export::backup::{
    BackupInfo, BackupMade, BackupSettings, BackupStatus, Counts, Progress, Restored, Stage,
};
use casenotes::export::sar::{
    CandidateWhy, Exported, LoggedDisclosureWithholding, LoggedExport, LoggedWithholding,
    ReviewCandidate, SarProgress, SarStage, WithheldCount, Withhold, WithholdReason,
    WithholdTarget,
};
use casenotes::retention::{
    Category, Certificate, DestroyProgress, DueItem, Hold, ItemCounts, Policy, Preset,
};
use casenotes::search::{Hit, HitKind};

use crate::commands::appointments::{AddAppointmentArgs, DayArgs, UpdateAppointmentArgs};
use crate::commands::attachments::{AddAttachmentArgs, AttachmentIdArgs};
use crate::commands::backups::{BackupFinished, BackupSettingsArgs, RestoreArgs, RestoreTarget};
use crate::commands::breaches::{AddBreachArgs, BreachEntry, BreachToldArgs, DecideBreachArgs};
use crate::commands::cases::{
    CaseIdArgs, ClientCasesArgs, CreateCaseArgs, CreateJointNoteArgs, JointAddendumArgs,
    JointNoteIdArgs, RenderedJointNote, SaveJointDraftArgs,
};
use crate::commands::clients::{
    AddClientArgs, CaseRefArgs, ClientIdArgs, ListClientsArgs, UpdateClientArgs,
};
use crate::commands::measures::{
    CalendarExportArgs, ClientMeasuresArgs, MeasureAlertsArgs, MeasureInErrorArgs,
    RecordMeasureArgs,
};
use crate::commands::notes::{
    AddendumArgs, CreateNoteArgs, LinkAppointmentArgs, NoteIdArgs, SaveDraftArgs, ThirdPartyArgs,
};
use crate::commands::retention::{
    DestroyArgs, DestroyTarget, DestructionRegister, DueList, PresetChoice, ReplacedBackups,
    RetentionPolicy, RuleInWords, SetRetentionPolicyArgs,
};
use crate::commands::rights::{
    AddConsentArgs, AddDisclosureArgs, AddRequestArgs, ClientRights, DatedIdArgs,
    DecideRequestArgs, EraseArgs, ExtendRequestArgs, RectifyArgs, RightsDue,
};
use crate::commands::sar::{BundleProtection, ExportSarArgs, SarClientArgs, SarReview};
use crate::commands::search::SearchArgs;
use crate::commands::settings::{IdleMinutesArgs, Settings, SwitchArgs};
use crate::commands::supervision::SupervisionExtractArgs;
use crate::commands::vault::{
    About, ChangeMasterKeyArgs, ChangePassphraseArgs, CreatedVault, DraftsSavedArgs,
    FailedAttempts, NewPassphraseArgs, RecoverArgs, UnlockArgs, Unlocked, VaultState, VaultStatus,
};
use crate::error::IpcError;
use crate::lock::{LockedEvent, LockingEvent};
use crate::state::LockReason;
use crate::COMMAND_NAMES;
use casenotes::domain::breaches::{Breach, BreachDecision, BreachTold, NewBreach, OpenClock};
use casenotes::domain::cases::{Case, CaseMember, JointNote, ReleaseConsent};
use casenotes::domain::consents::{Consent, ConsentKind, NewConsent};
use casenotes::domain::disclosures::{
    ClientTold, Disclosure, LegalBasis, NewDisclosure, Recipient,
};
use casenotes::domain::measures::{
    AlertItem, Change, ClientMeasures, EnteredInError, FormItem, Measure, MeasureAlert,
    MeasureForm, MeasureKind, MeasureSummary,
};
use casenotes::domain::requests::{
    Decision, DueRequest, Extension, NewRequest, Outcome, Request, RequestKind, Restriction,
};
use casenotes::export::calendar::CalendarExport;
use casenotes::export::sar::{JointNoteCandidate, LoggedJointNoteWithholding};
use casenotes::export::supervision::ExtractMade;

/// (command, argument type or `null`, result type)
fn commands() -> Vec<(&'static str, String, String)> {
    let none = || "null".to_owned();
    let list = |t: String| format!("Array<{t}>");
    vec![
        ("vault_state", none(), VaultState::name()),
        (
            "create_vault",
            NewPassphraseArgs::name(),
            CreatedVault::name(),
        ),
        ("recovery_key_stored", none(), none()),
        ("unlock", UnlockArgs::name(), Unlocked::name()),
        ("recover", RecoverArgs::name(), Unlocked::name()),
        ("unlock_with_keychain", none(), Unlocked::name()),
        ("lock", none(), none()),
        ("drafts_saved", DraftsSavedArgs::name(), none()),
        ("change_passphrase", ChangePassphraseArgs::name(), none()),
        (
            "change_master_key",
            ChangeMasterKeyArgs::name(),
            CreatedVault::name(),
        ),
        ("note_activity", none(), none()),
        ("vault_status", none(), VaultStatus::name()),
        ("today", none(), Today::name()),
        ("about", none(), About::name()),
        ("get_settings", none(), Settings::name()),
        ("set_idle_lock_minutes", IdleMinutesArgs::name(), none()),
        ("set_lock_on_minimise", SwitchArgs::name(), none()),
        ("set_keychain_unlock", SwitchArgs::name(), none()),
        (
            "list_clients",
            ListClientsArgs::name(),
            list(Client::name()),
        ),
        ("add_client", AddClientArgs::name(), Client::name()),
        ("update_client", UpdateClientArgs::name(), Client::name()),
        ("open_client_file", CaseRefArgs::name(), ClientFile::name()),
        ("create_note", CreateNoteArgs::name(), RenderedNote::name()),
        ("save_draft", SaveDraftArgs::name(), RenderedNote::name()),
        ("sign_note", NoteIdArgs::name(), RenderedNote::name()),
        ("add_addendum", AddendumArgs::name(), Addendum::name()),
        (
            "set_note_third_party",
            ThirdPartyArgs::name(),
            RenderedNote::name(),
        ),
        (
            "link_note_appointment",
            LinkAppointmentArgs::name(),
            RenderedNote::name(),
        ),
        ("search", SearchArgs::name(), list(Hit::name())),
        (
            "day_appointments",
            DayArgs::name(),
            list(Appointment::name()),
        ),
        (
            "add_appointment",
            AddAppointmentArgs::name(),
            Appointment::name(),
        ),
        (
            "update_appointment",
            UpdateAppointmentArgs::name(),
            Appointment::name(),
        ),
        (
            "add_attachment",
            AddAttachmentArgs::name(),
            format!("{} | null", AttachmentInfo::name()),
        ),
        // A raw binary answer (`tauri::ipc::Response`): the image's bytes, never JSON.
        (
            "open_attachment",
            AttachmentIdArgs::name(),
            "ArrayBuffer".to_owned(),
        ),
        (
            "save_attachment_copy",
            AttachmentIdArgs::name(),
            "string | null".to_owned(),
        ),
        ("backup_status", none(), BackupStatus::name()),
        (
            "set_backup_settings",
            BackupSettingsArgs::name(),
            BackupStatus::name(),
        ),
        (
            "choose_backup_folder",
            none(),
            format!("{} | null", BackupStatus::name()),
        ),
        ("back_up_now", none(), BackupMade::name()),
        ("list_backups", none(), list(BackupInfo::name())),
        ("backup_running", none(), "boolean".to_owned()),
        (
            "choose_backup_file",
            none(),
            format!("{} | null", BackupInfo::name()),
        ),
        (
            "restore_backup",
            RestoreArgs::name(),
            format!("{} | null", Restored::name()),
        ),
        ("retention_policy", none(), RetentionPolicy::name()),
        (
            "set_retention_policy",
            SetRetentionPolicyArgs::name(),
            RetentionPolicy::name(),
        ),
        ("retention_due", none(), DueList::name()),
        (
            "destroy_records",
            DestroyArgs::name(),
            list(Certificate::name()),
        ),
        ("destruction_register", none(), DestructionRegister::name()),
        ("save_register_report", none(), "string | null".to_owned()),
        (
            "backups_holding_destroyed",
            none(),
            list(BackupInfo::name()),
        ),
        (
            "replace_backups_holding_destroyed",
            none(),
            ReplacedBackups::name(),
        ),
        ("client_risk", ClientIdArgs::name(), ClientRisk::name()),
        (
            "create_risk_assessment",
            CreateRiskArgs::name(),
            RiskAssessment::name(),
        ),
        (
            "save_risk_draft",
            SaveRiskDraftArgs::name(),
            RiskAssessment::name(),
        ),
        (
            "sign_risk_assessment",
            RiskIdArgs::name(),
            RiskAssessment::name(),
        ),
        (
            "add_risk_addendum",
            RiskAddendumArgs::name(),
            RiskAddendum::name(),
        ),
        (
            "save_safety_plan",
            SaveSafetyPlanArgs::name(),
            SafetyPlanVersion::name(),
        ),
        (
            "save_safety_plan_copy",
            SafetyPlanCopyArgs::name(),
            "string | null".to_owned(),
        ),
        (
            "add_capacity_decision",
            AddCapacityArgs::name(),
            CapacityDecision::name(),
        ),
        (
            "set_after_death_wishes",
            SetWishesArgs::name(),
            AfterDeathWishes::name(),
        ),
        (
            "risk_reviews_due",
            ReviewsDueArgs::name(),
            ReviewsDue::name(),
        ),
        // Clients' rights and the breach register.
        ("client_rights", ClientIdArgs::name(), ClientRights::name()),
        ("add_consent", AddConsentArgs::name(), Consent::name()),
        ("withdraw_consent", DatedIdArgs::name(), Consent::name()),
        (
            "add_disclosure",
            AddDisclosureArgs::name(),
            Disclosure::name(),
        ),
        ("add_request", AddRequestArgs::name(), Request::name()),
        (
            "request_identity_checked",
            DatedIdArgs::name(),
            Request::name(),
        ),
        ("extend_request", ExtendRequestArgs::name(), Request::name()),
        ("decide_request", DecideRequestArgs::name(), Request::name()),
        ("complete_request", DatedIdArgs::name(), Request::name()),
        ("carry_out_erasure", EraseArgs::name(), Certificate::name()),
        ("rights_due", none(), RightsDue::name()),
        ("list_breaches", none(), list(BreachEntry::name())),
        ("add_breach", AddBreachArgs::name(), Breach::name()),
        ("decide_breach", DecideBreachArgs::name(), Breach::name()),
        ("breach_told", BreachToldArgs::name(), Breach::name()),
        ("measure_forms", none(), list(MeasureForm::name())),
        (
            "client_measures",
            ClientMeasuresArgs::name(),
            ClientMeasures::name(),
        ),
        ("record_measure", RecordMeasureArgs::name(), Measure::name()),
        (
            "mark_measure_entered_in_error",
            MeasureInErrorArgs::name(),
            Measure::name(),
        ),
        (
            "recent_measure_alerts",
            MeasureAlertsArgs::name(),
            list(MeasureAlert::name()),
        ),
        (
            "save_calendar_export",
            CalendarExportArgs::name(),
            format!("{} | null", CalendarExport::name()),
        ),
        ("sar_review", SarClientArgs::name(), SarReview::name()),
        (
            "export_sar",
            ExportSarArgs::name(),
            format!("{} | null", Exported::name()),
        ),
        ("rectify_request", RectifyArgs::name(), Addendum::name()),
        ("create_case", CreateCaseArgs::name(), Case::name()),
        ("list_cases", none(), list(Case::name())),
        ("client_cases", ClientCasesArgs::name(), list(Case::name())),
        (
            "case_joint_notes",
            CaseIdArgs::name(),
            list(RenderedJointNote::name()),
        ),
        (
            "client_joint_notes",
            ClientCasesArgs::name(),
            list(RenderedJointNote::name()),
        ),
        (
            "create_joint_note",
            CreateJointNoteArgs::name(),
            RenderedJointNote::name(),
        ),
        (
            "save_joint_draft",
            SaveJointDraftArgs::name(),
            RenderedJointNote::name(),
        ),
        (
            "sign_joint_note",
            JointNoteIdArgs::name(),
            RenderedJointNote::name(),
        ),
        (
            "add_joint_addendum",
            JointAddendumArgs::name(),
            Addendum::name(),
        ),
        (
            "sar_joint_note_candidates",
            ClientCasesArgs::name(),
            list(JointNoteCandidate::name()),
        ),
        (
            "save_supervision_extract",
            SupervisionExtractArgs::name(),
            format!("{} | null", ExtractMade::name()),
        ),
    ]
}

fn declarations() -> Vec<String> {
    vec![
        IpcError::decl(),
        LockReason::decl(),
        LockedEvent::decl(),
        LockingEvent::decl(),
        DraftsSavedArgs::decl(),
        FailedAttempts::decl(),
        VaultState::decl(),
        NewPassphraseArgs::decl(),
        CreatedVault::decl(),
        UnlockArgs::decl(),
        RecoverArgs::decl(),
        ChangePassphraseArgs::decl(),
        ChangeMasterKeyArgs::decl(),
        Unlocked::decl(),
        VaultStatus::decl(),
        UnsignedNote::decl(),
        Today::decl(),
        About::decl(),
        Settings::decl(),
        IdleMinutesArgs::decl(),
        SwitchArgs::decl(),
        ClientStatus::decl(),
        ClientDetails::decl(),
        Client::decl(),
        ListClientsArgs::decl(),
        AddClientArgs::decl(),
        UpdateClientArgs::decl(),
        CaseRefArgs::decl(),
        NoteKind::decl(),
        Template::decl(),
        Addendum::decl(),
        Note::decl(),
        RenderedNote::decl(),
        Mode::decl(),
        Attendance::decl(),
        Appointment::decl(),
        TimelineEntry::decl(),
        AttachmentInfo::decl(),
        ClientFile::decl(),
        CreateNoteArgs::decl(),
        SaveDraftArgs::decl(),
        NoteIdArgs::decl(),
        AddendumArgs::decl(),
        ThirdPartyArgs::decl(),
        LinkAppointmentArgs::decl(),
        HitKind::decl(),
        Hit::decl(),
        SearchArgs::decl(),
        AppointmentDetails::decl(),
        DayArgs::decl(),
        AddAppointmentArgs::decl(),
        UpdateAppointmentArgs::decl(),
        AddAttachmentArgs::decl(),
        AttachmentIdArgs::decl(),
        Counts::decl(),
        Stage::decl(),
        Progress::decl(),
        Category::decl(),
        Preset::decl(),
        Policy::decl(),
        ItemCounts::decl(),
        Certificate::decl(),
        BackupSettings::decl(),
        BackupStatus::decl(),
        BackupMade::decl(),
        BackupInfo::decl(),
        Restored::decl(),
        BackupSettingsArgs::decl(),
        RestoreTarget::decl(),
        RestoreArgs::decl(),
        BackupFinished::decl(),
        Hold::decl(),
        DueItem::decl(),
        DestroyProgress::decl(),
        RuleInWords::decl(),
        PresetChoice::decl(),
        RetentionPolicy::decl(),
        SetRetentionPolicyArgs::decl(),
        DueList::decl(),
        DestroyTarget::decl(),
        DestroyArgs::decl(),
        DestructionRegister::decl(),
        ReplacedBackups::decl(),
        RiskDomain::decl(),
        DomainStatus::decl(),
        DomainFormulation::decl(),
        RiskContent::decl(),
        RiskAddendum::decl(),
        RiskAssessment::decl(),
        RiskSummary::decl(),
        ReviewDue::decl(),
        SafetyPlanContent::decl(),
        SafetyPlanVersion::decl(),
        CapacityOutcome::decl(),
        FunctionalPoint::decl(),
        CapacityDetails::decl(),
        CapacityDecision::decl(),
        CapacityReviewDue::decl(),
        WishesDetails::decl(),
        AfterDeathWishes::decl(),
        ClientRisk::decl(),
        ReviewsDue::decl(),
        ClientIdArgs::decl(),
        CreateRiskArgs::decl(),
        SaveRiskDraftArgs::decl(),
        RiskIdArgs::decl(),
        RiskAddendumArgs::decl(),
        SaveSafetyPlanArgs::decl(),
        SafetyPlanCopyArgs::decl(),
        AddCapacityArgs::decl(),
        SetWishesArgs::decl(),
        ReviewsDueArgs::decl(),
        // Clients' rights and the breach register.
        ConsentKind::decl(),
        Consent::decl(),
        NewConsent::decl(),
        LegalBasis::decl(),
        Recipient::decl(),
        ClientTold::decl(),
        NewDisclosure::decl(),
        Disclosure::decl(),
        RequestKind::decl(),
        Outcome::decl(),
        Extension::decl(),
        Decision::decl(),
        Request::decl(),
        NewRequest::decl(),
        Restriction::decl(),
        DueRequest::decl(),
        NewBreach::decl(),
        Breach::decl(),
        OpenClock::decl(),
        BreachDecision::decl(),
        BreachTold::decl(),
        ClientRights::decl(),
        RightsDue::decl(),
        AddConsentArgs::decl(),
        DatedIdArgs::decl(),
        AddDisclosureArgs::decl(),
        AddRequestArgs::decl(),
        ExtendRequestArgs::decl(),
        DecideRequestArgs::decl(),
        EraseArgs::decl(),
        BreachEntry::decl(),
        AddBreachArgs::decl(),
        DecideBreachArgs::decl(),
        BreachToldArgs::decl(),
        MeasureKind::decl(),
        Change::decl(),
        AlertItem::decl(),
        EnteredInError::decl(),
        Measure::decl(),
        MeasureAlert::decl(),
        MeasureSummary::decl(),
        ClientMeasures::decl(),
        FormItem::decl(),
        MeasureForm::decl(),
        CalendarExport::decl(),
        ClientMeasuresArgs::decl(),
        RecordMeasureArgs::decl(),
        MeasureInErrorArgs::decl(),
        MeasureAlertsArgs::decl(),
        CalendarExportArgs::decl(),
        WithholdReason::decl(),
        WithholdTarget::decl(),
        Withhold::decl(),
        CandidateWhy::decl(),
        ReviewCandidate::decl(),
        LoggedWithholding::decl(),
        LoggedDisclosureWithholding::decl(),
        LoggedExport::decl(),
        WithheldCount::decl(),
        SarStage::decl(),
        SarProgress::decl(),
        Exported::decl(),
        SarClientArgs::decl(),
        SarReview::decl(),
        BundleProtection::decl(),
        ExportSarArgs::decl(),
        RectifyArgs::decl(),
        CaseMember::decl(),
        Case::decl(),
        JointNote::decl(),
        ReleaseConsent::decl(),
        JointNoteCandidate::decl(),
        LoggedJointNoteWithholding::decl(),
        CreateCaseArgs::decl(),
        CaseIdArgs::decl(),
        ClientCasesArgs::decl(),
        CreateJointNoteArgs::decl(),
        SaveJointDraftArgs::decl(),
        JointNoteIdArgs::decl(),
        JointAddendumArgs::decl(),
        RenderedJointNote::decl(),
        ExtractMade::decl(),
        SupervisionExtractArgs::decl(),
    ]
}

fn render() -> String {
    let mut out = String::from(
        "// Generated from the Rust types in src-tauri by `cargo test -p casenotes-desktop` (src/bindings.rs).\n\
         // Do not edit by hand: scripts/test-desktop.sh fails when this file is out of date.\n\n",
    );
    for decl in declarations() {
        out.push_str("export ");
        out.push_str(&decl);
        out.push_str("\n\n");
    }
    out.push_str("/** Every command: its one argument (sent as `args`) and its result. */\nexport type Commands = {\n");
    for (name, args, result) in commands() {
        out.push_str(&format!(
            "  {name}: {{ args: {args}; result: {result} }};\n"
        ));
    }
    out.push_str("};\n");
    out
}

fn bindings_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts")
}

#[test]
fn every_command_is_typed() {
    let typed: Vec<&str> = commands().iter().map(|(n, _, _)| *n).collect();
    assert_eq!(
        typed, COMMAND_NAMES,
        "bindings.rs and command_names.rs disagree"
    );
}

#[test]
fn every_command_and_nothing_else_is_granted_to_the_window() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("capabilities/main.json");
    let text = std::fs::read_to_string(path).expect("capabilities/main.json is readable");
    let json: serde_json::Value =
        serde_json::from_str(&text).expect("capabilities/main.json is JSON");
    let granted: Vec<&str> = json["permissions"]
        .as_array()
        .expect("a permissions list")
        .iter()
        .map(|p| p.as_str().expect("permissions are plain identifiers"))
        .collect();
    let mut expected: Vec<String> = COMMAND_NAMES
        .iter()
        .map(|c| format!("allow-{}", c.replace('_', "-")))
        .collect();
    // The only non-command grants: listening for events (`vault-locked`, `vault-locking`,
    // `backup-progress`, `backup-finished`, `destroy-progress`).
    expected.push("core:event:allow-listen".to_owned());
    expected.push("core:event:allow-unlisten".to_owned());
    assert_eq!(granted, expected);
    assert_eq!(json["windows"], serde_json::json!(["main"]));
}

#[test]
fn write_typescript_bindings() {
    std::fs::write(bindings_path(), render()).expect("ui/src/lib/bindings.ts is writable");
}
