// Generated from the Rust types in src-tauri by `cargo test -p casenotes-desktop` (src/bindings.rs).
// Do not edit by hand: scripts/test-desktop.sh fails when this file is out of date.

export type IpcError = { 
/**
 * A stable name: the core's kinds (`wrong_passphrase`, `locked`, …) plus the shell's own
 * `invalid_setting`, `passphrase_required` and `internal`.
 */
kind: string, message: string, };

export type LockReason = "requested" | "idle" | "minimised" | "closing";

export type LockedEvent = { reason: LockReason, };

export type LockingEvent = { reason: LockReason, request: number, };

export type DraftsSavedArgs = { 
/**
 * The `request` of the `vault-locking` event being answered.
 */
request: number, };

export type FailedAttempts = { count: number, 
/**
 * RFC 3339 UTC; the UI shows it in local time as "3 March 2026 at 14:05".
 */
first_at: string | null, last_at: string | null, };

export type VaultState = { 
/**
 * False on first run: the UI offers to create a vault.
 */
exists: boolean, unlocked: boolean, vault_dir: string, failed_unlocks: FailedAttempts, 
/**
 * True only when the keychain slot is on, the passphrase was used in this run, *and* the
 * vault last locked because the person locked it (never after an idle, minimise or closing
 * lock).
 */
keychain_unlock_available: boolean, };

export type NewPassphraseArgs = { passphrase: string, confirmation: string, };

export type CreatedVault = { recovery_key: string, };

export type UnlockArgs = { passphrase: string, };

export type RecoverArgs = { recovery_key: string, new_passphrase: string, confirmation: string, };

export type ChangePassphraseArgs = { current: string, new_passphrase: string, confirmation: string, };

export type ChangeMasterKeyArgs = { current: string, new_passphrase: string, confirmation: string, };

export type Unlocked = { 
/**
 * Attempts that failed between the previous unlock and this one.
 */
failed_before_this_unlock: FailedAttempts, 
/**
 * When the vault was unlocked before this time (RFC 3339 UTC), if ever.
 */
last_unlocked_at: string | null, 
/**
 * Set when this unlock found that an older copy of the vault had been put back (the audit
 * log is behind its anchor): the core's words, for an alert. Also written into the log.
 */
audit_rollback: string | null, 
/**
 * Set when this unlock finished a change of master key that a crash had interrupted: the new
 * recovery key was never shown, so the master key should be changed again.
 */
interrupted_rekey: string | null, };

export type VaultStatus = { vault_dir: string, vault_id: string, created_at: string, audit_entries: number, 
/**
 * When the vault was unlocked before this session (RFC 3339 UTC), if ever.
 */
last_unlocked_at: string | null, 
/**
 * Set when this session's unlock found an older copy of the vault put back.
 */
audit_rollback: string | null, 
/**
 * Set when this session's unlock finished an interrupted change of master key.
 */
interrupted_rekey: string | null, };

export type UnsignedNote = { note_id: number, case_ref: string, 
/**
 * When the session started, or when the draft was started if it records no appointment.
 */
since: string, hours_unsigned: number, };

export type Today = { 
/**
 * The practitioner's local date.
 */
date: string, 
/**
 * Today's appointments, in time order.
 */
appointments: Array<Appointment>, 
/**
 * Oldest first.
 */
unsigned_notes: Array<UnsignedNote>, 
/**
 * The latest signed risk assessment's review, due within a week or overdue.
 */
risk_reviews: Array<ReviewDue>, 
/**
 * Capacity decisions whose review is due within a week or overdue.
 */
capacity_reviews: Array<CapacityReviewDue>, 
/**
 * Alert items (PHQ-9 item 9, CORE-10 item 6 above 0) from the last four weeks, newest first.
 */
measure_alerts: Array<MeasureAlert>, 
/**
 * How many records are due for destruction under the current retention policy.
 */
retention_due: number, };

export type About = { version: string, commit: string, };

export type Settings = { 
/**
 * 1 to 60; default 5.
 */
idle_lock_minutes: number, lock_on_minimise: boolean, keychain_unlock: boolean, };

export type IdleMinutesArgs = { minutes: number, };

export type SwitchArgs = { on: boolean, };

export type ClientStatus = "enquiry" | "active" | "ended";

export type ClientDetails = { 
/**
 * Left empty when adding a client, the next free C-NNNN is used.
 */
case_ref: string | null, given_name: string, family_name: string, preferred_name: string | null, pronouns: string | null, date_of_birth: string | null, email: string | null, phone: string | null, address: string | null, emergency_name: string | null, emergency_relationship: string | null, emergency_phone: string | null, gp_name: string | null, gp_practice: string | null, gp_contact: string | null, referral_source: string | null, status: ClientStatus, first_contact_on: string | null, therapy_started_on: string | null, therapy_ended_on: string | null, legal_hold_reason: string | null, restricted_reason: string | null, };

export type Client = { id: number, case_ref: string, details: ClientDetails, created_at: string, updated_at: string, };

export type ListClientsArgs = { 
/**
 * `null` for every status.
 */
status: ClientStatus | null, };

export type AddClientArgs = { details: ClientDetails, };

export type UpdateClientArgs = { id: number, details: ClientDetails, };

export type CaseRefArgs = { case_ref: string, };

export type NoteKind = "session" | "process" | "contact" | "supervision" | "letter";

export type Template = "free" | "soap" | "dap" | "birp";

export type Addendum = { id: number, note_id: number, reason: string, body: string, created_at: string, content_sha256: string, };

export type Note = { id: number, client_id: number, 
/**
 * The appointment the note records, when there was one.
 */
appointment_id: number | null, kind: NoteKind, template: Template, body: string, 
/**
 * Holds information about someone other than the client (for access-request review).
 */
third_party: boolean, created_at: string, updated_at: string, signed_at: string | null, content_sha256: string | null, addenda: Array<Addendum>, };

export type RenderedNote = { note: Note, html: string, 
/**
 * One entry per addendum, in the note's order.
 */
addenda_html: Array<string>, 
/**
 * The stored content still matches the hash taken at signing (always false for drafts).
 */
signature_holds: boolean, };

export type Mode = "in_person" | "video" | "phone";

export type Attendance = "booked" | "attended" | "cancelled" | "did_not_attend";

export type Appointment = { id: number, case_ref: string, client_id: number, starts_at: string, minutes: number, mode: Mode, attendance: Attendance, fee_pence: number | null, paid: boolean, };

export type TimelineEntry = { "type": "note" } & RenderedNote | { "type": "appointment" } & Appointment;

export type AttachmentInfo = { id: number, client_id: number, note_id: number | null, file_name: string, media_type: string, size_bytes: number, sha256: string, added_at: string, };

export type ClientFile = { client: Client, 
/**
 * Newest first.
 */
timeline: Array<TimelineEntry>, attachments: Array<AttachmentInfo>, };

export type CreateNoteArgs = { client_id: number, kind: NoteKind, template: Template, body: string, third_party: boolean, };

export type SaveDraftArgs = { id: number, body: string, };

export type NoteIdArgs = { id: number, };

export type AddendumArgs = { note_id: number, reason: string, body: string, };

export type ThirdPartyArgs = { id: number, third_party: boolean, };

export type LinkAppointmentArgs = { id: number, 
/**
 * `null` unlinks the draft.
 */
appointment_id: number | null, };

export type HitKind = "note" | "addendum" | "client";

export type Hit = { kind: HitKind, 
/**
 * The note id, addendum id or client id.
 */
record_id: number, client_id: number, case_ref: string, 
/**
 * The extract, with each match between `[` and `]`.
 */
snippet: string, 
/**
 * Lower is a better match (FTS5's bm25).
 */
rank: number, };

export type SearchArgs = { text: string, };

export type AppointmentDetails = { client_id: number, starts_at: string, minutes: number, mode: Mode, attendance: Attendance, fee_pence: number | null, paid: boolean, };

export type DayArgs = { 
/**
 * "YYYY-MM-DD".
 */
date: string, };

export type AddAppointmentArgs = { details: AppointmentDetails, };

export type UpdateAppointmentArgs = { id: number, details: AppointmentDetails, };

export type AddAttachmentArgs = { client_id: number, 
/**
 * `null` attaches the file to the client rather than to one of their notes.
 */
note_id: number | null, };

export type AttachmentIdArgs = { id: number, };

export type Counts = { clients: number, notes: number, addenda: number, appointments: number, attachments: number, audit_entries: number, };

export type Stage = "snapshot" | "writing" | "verifying" | "restoring";

export type Progress = { stage: Stage, done: number, total: number, };

export type Category = "client_record" | "enquiry" | "appointments";

export type Preset = "uk_counselling" | "nhs_mental_health";

export type Policy = { preset: Preset, 
/**
 * Client records: years after therapy ended.
 */
client_record_years: number, 
/**
 * For a client under 18 when therapy ended: kept at least until this birthday…
 */
minor_until_birthday: number, 
/**
 * …or this one if they were 17 when it ended.
 */
minor_at_17_until_birthday: number, 
/**
 * Enquiries that never became therapy: months after first contact.
 */
enquiry_months: number, 
/**
 * Appointments and fees: years after the appointment.
 */
appointment_years: number, };

export type ItemCounts = { notes: number, addenda: number, appointments: number, attachments: number, };

export type Certificate = { seq: number, 
/**
 * UTC, RFC 3339.
 */
destroyed_at: string, case_ref: string, initials: string, 
/**
 * When the client's record was first made: with the case reference, it names the record
 * in older backups, so a restore can destroy it again.
 */
client_created_at: string, category: Category, counts: ItemCounts, appointments_before: string | null, rule: string, trigger_on: string, due_on: string, reason: string, 
/**
 * Set when the destruction was carried over into a vault restored from a backup.
 */
reapplied_from: string | null, prev_hash: string, hash: string, };

export type BackupSettings = { 
/**
 * The folder backups go to (a removable drive is fine); none until chosen.
 */
folder: string | null, 
/**
 * Back up automatically when the last good backup is older than this many hours (1-720).
 */
every_hours: number, 
/**
 * How many backups of this vault to keep in the folder (1-100).
 */
keep: number, 
/**
 * Back up automatically when casenotes locks or quits, if one is due.
 */
on_lock: boolean, };

export type BackupStatus = { settings: BackupSettings, 
/**
 * UTC, RFC 3339.
 */
last_good_at: string | null, last_good_file: string | null, last_attempt_at: string | null, 
/**
 * Why the last attempt failed, when it did (plain English, no clinical content).
 */
last_error: string | null, 
/**
 * The folder is set but cannot be found (a drive unplugged).
 */
folder_missing: boolean, 
/**
 * A sentence for Home when something needs the practitioner's attention.
 */
warning: string | null, };

export type BackupMade = { path: string, file_name: string, created_at: string, bytes: number, counts: Counts, 
/**
 * Older backups of this vault removed to keep the number asked for (file names).
 */
removed: Array<string>, };

export type BackupInfo = { path: string, file_name: string, created_at: string, vault_id: string, bytes: number, counts: Counts, };

export type Restored = { vault_dir: string, 
/**
 * Where the vault that was in the way now is (with `replace`); it is never deleted.
 */
moved_aside: string | null, backup_created_at: string, counts: Counts, 
/**
 * Records destroyed after the backup was made (recorded in the vault it replaced or in a
 * newer backup beside it), destroyed again before the restored vault opened.
 */
destroyed_again: Array<Certificate>, 
/**
 * What could not be checked for later destructions, in plain words.
 */
warnings: Array<string>, };

export type BackupSettingsArgs = { 
/**
 * Back up on lock or quit when the last good backup is older than this (1 to 720 hours).
 */
every_hours: number, 
/**
 * How many backups to keep in the folder (1 to 100).
 */
keep: number, 
/**
 * Back up automatically when casenotes locks or quits.
 */
on_lock: boolean, };

export type RestoreTarget = "this_apps_folder" | "another_folder";

export type RestoreArgs = { 
/**
 * The passphrase in use when the backup was made, or the recovery key.
 */
secret: string, target: RestoreTarget, };

export type BackupFinished = { ok: boolean, message: string, };

export type Hold = { "kind": "legal_hold", reason: string, } | { "kind": "returned", on: string, due_on: string, };

export type DueItem = { client_id: number, case_ref: string, 
/**
 * For the practitioner's screen only; never written on a certificate.
 */
name: string, category: Category, 
/**
 * The rule, in words.
 */
rule: string, 
/**
 * The day the clock started (therapy ended, first contact, the newest appointment).
 */
trigger_on: string, 
/**
 * Due since this day.
 */
due_on: string, 
/**
 * True when it may be destroyed now; false when something holds it back.
 */
due: boolean, held_by: Hold | null, counts: ItemCounts, 
/**
 * Appointments only: those that started before this day are covered.
 */
appointments_before: string | null, };

export type DestroyProgress = { done: number, total: number, };

export type RuleInWords = { category: Category, 
/**
 * "client record", "enquiry", "appointments and fees".
 */
label: string, rule: string, };

export type PresetChoice = { preset: Preset, label: string, policy: Policy, rules: Array<RuleInWords>, };

export type RetentionPolicy = { policy: Policy, 
/**
 * The preset it started from, in words.
 */
label: string, rules: Array<RuleInWords>, presets: Array<PresetChoice>, };

export type SetRetentionPolicyArgs = { "kind": "preset", preset: Preset, } | { "kind": "edited", policy: Policy, };

export type DueList = { as_of: string, 
/**
 * The policy's preset, in words.
 */
policy_label: string, items: Array<DueItem>, };

export type DestroyTarget = { case_ref: string, 
/**
 * `null`: the client's record or enquiry; `"appointments"`: their old appointments only.
 */
category: Category | null, };

export type DestroyArgs = { targets: Array<DestroyTarget>, reason: string, 
/**
 * The vault's current passphrase, typed again to confirm.
 */
passphrase: string, };

export type DestructionRegister = { certificates: Array<Certificate>, 
/**
 * `null` when the chain verifies; otherwise what is wrong, in plain words.
 */
problem: string | null, };

export type ReplacedBackups = { made: BackupMade, 
/**
 * File names of the backups removed.
 */
removed: Array<string>, };

export type RiskDomain = "suicide" | "self_harm" | "harm_to_others" | "harm_from_others" | "substance_use" | "self_neglect";

export type DomainStatus = "not_assessed" | "no_concerns" | "concerns";

export type DomainFormulation = { domain: RiskDomain, status: DomainStatus, 
/**
 * Current thoughts, intentions and plans.
 */
current: string, history: string, protective_factors: string, actions: string, };

export type RiskContent = { 
/**
 * One per domain, in `RiskDomain::ALL` order once saved (missing domains are "not assessed").
 */
domains: Array<DomainFormulation>, protective_factors: string, actions: string, 
/**
 * The practitioner's overall concern, in their own words. Never a score.
 */
overall_concern: string, review_on: string | null, };

export type RiskAddendum = { id: number, assessment_id: number, reason: string, body: string, created_at: string, content_sha256: string, };

export type RiskAssessment = { id: number, client_id: number, content: RiskContent, created_at: string, updated_at: string, signed_at: string | null, content_sha256: string | null, addenda: Array<RiskAddendum>, 
/**
 * The stored content still matches the hash taken at signing (always false for drafts).
 */
signature_holds: boolean, };

export type RiskSummary = { latest_signed: RiskAssessment | null, 
/**
 * The review date has passed (false when there is no signed assessment).
 */
review_overdue: boolean, 
/**
 * Days from today to the review date; negative when overdue.
 */
review_in_days: number | null, 
/**
 * Every assessment, newest first, drafts included.
 */
assessments: Array<RiskAssessment>, };

export type ReviewDue = { client_id: number, case_ref: string, assessment_id: number, review_on: string, 
/**
 * The review date has passed.
 */
overdue: boolean, };

export type SafetyPlanContent = { warning_signs: string, things_i_can_do: string, people_and_places: string, people_to_ask: string, 
/**
 * Prefilled with [`UK_CRISIS_LINES`].
 */
crisis_contacts: string, environment_safer: string, reasons_for_living: string, };

export type SafetyPlanVersion = { id: number, client_id: number, 
/**
 * 1 for the first plan, then 2, 3…
 */
version: number, saved_at: string, content: SafetyPlanContent, };

export type CapacityOutcome = "has_capacity" | "lacks_capacity";

export type FunctionalPoint = { able: boolean, evidence: string, };

export type CapacityDetails = { decision: string, assessed_on: string, 
/**
 * The impairment of, or disturbance in the functioning of, the mind or brain; empty if none.
 */
impairment: string, understand: FunctionalPoint, retain: FunctionalPoint, use_or_weigh: FunctionalPoint, communicate: FunctionalPoint, outcome: CapacityOutcome, 
/**
 * Who was consulted (carers, family, an attorney or deputy, an IMCA, other professionals).
 */
consulted: string, 
/**
 * Why the decision made is in the client's best interests (required when capacity is lacking).
 */
best_interest: string, 
/**
 * Left out: 12 months after the assessment.
 */
review_on: string | null, };

export type CapacityDecision = { id: number, client_id: number, 
/**
 * `review_on` is always set on a stored decision.
 */
details: CapacityDetails, created_at: string, };

export type CapacityReviewDue = { client_id: number, case_ref: string, decision_id: number, review_on: string, overdue: boolean, };

export type WishesDetails = { 
/**
 * What the client wants to happen to their records, in their words.
 */
wishes: string, who_may_see: string, who_may_not_see: string, recorded_on: string, };

export type AfterDeathWishes = { id: number, client_id: number, version: number, details: WishesDetails, created_at: string, };

export type ClientRisk = { summary: RiskSummary, 
/**
 * A new assessment's starting content (every domain "not assessed").
 */
blank_assessment: RiskContent, 
/**
 * Newest first; the first is the current plan.
 */
safety_plan: Array<SafetyPlanVersion>, 
/**
 * A new plan's starting content (the UK crisis lines filled in).
 */
blank_safety_plan: SafetyPlanContent, 
/**
 * Newest first.
 */
capacity: Array<CapacityDecision>, 
/**
 * Newest first; the first is in force.
 */
wishes: Array<AfterDeathWishes>, 
/**
 * The computer's today, which "overdue" was worked out against ("YYYY-MM-DD").
 */
today: string, };

export type ReviewsDue = { risk: Array<ReviewDue>, capacity: Array<CapacityReviewDue>, };

export type ClientIdArgs = { client_id: number, };

export type CreateRiskArgs = { client_id: number, content: RiskContent, };

export type SaveRiskDraftArgs = { id: number, content: RiskContent, };

export type RiskIdArgs = { id: number, };

export type RiskAddendumArgs = { assessment_id: number, reason: string, body: string, };

export type SaveSafetyPlanArgs = { client_id: number, content: SafetyPlanContent, };

export type SafetyPlanCopyArgs = { client_id: number, version: number, };

export type AddCapacityArgs = { client_id: number, details: CapacityDetails, };

export type SetWishesArgs = { client_id: number, details: WishesDetails, };

export type ReviewsDueArgs = { within_days: number, };

export type ConsentKind = "treatment_contract" | "contact_email" | "contact_phone" | "contact_text" | "share_with_gp" | "session_recording" | "research" | "joint_notes_release";

export type Consent = { id: number, client_id: number, kind: ConsentKind, given_on: string, withdrawn_on: string | null, scope: string | null, 
/**
 * One of the client's attachments (the signed form, an email kept as PDF).
 */
evidence_attachment_id: number | null, 
/**
 * Session recording only: the day by which the recording must be destroyed.
 */
destroy_recording_by: string | null, recorded_at: string, withdrawal_recorded_at: string | null, };

export type NewConsent = { kind: ConsentKind, given_on: string, scope: string | null, evidence_attachment_id: number | null, destroy_recording_by: string | null, };

export type LegalBasis = "client_consent" | "safeguarding_child" | "safeguarding_adult" | "court_order" | "serious_harm" | "terrorism_serious_crime" | "statutory_duty";

export type Recipient = { name: string, role: string | null, organisation: string | null, };

export type ClientTold = { "told": "yes", on: string, } | { "told": "no", reason: string, };

export type NewDisclosure = { disclosed_on: string, recipient: Recipient, what_shared: string, legal_basis: LegalBasis, client_told: ClientTold, rationale: string, 
/**
 * A later entry correcting (or completing) an earlier one of the same client.
 */
corrects_id: number | null, correction_note: string | null, };

export type Disclosure = { id: number, client_id: number, disclosed_on: string, recipient: Recipient, what_shared: string, legal_basis: LegalBasis, client_told: ClientTold, rationale: string, corrects_id: number | null, correction_note: string | null, 
/**
 * Later entries that correct this one.
 */
corrected_by: Array<number>, recorded_at: string, };

export type RequestKind = "access" | "rectification" | "erasure" | "restriction" | "portability" | "objection";

export type Outcome = "granted" | "refused" | "partly";

export type Extension = { months: number, told_on: string, reason: string, };

export type Decision = { outcome: Outcome, reason: string, decided_on: string, };

export type Request = { id: number, client_id: number, case_ref: string, kind: RequestKind, received_on: string, identity_checked_on: string | null, 
/**
 * What was asked, in the practitioner's words.
 */
details: string | null, 
/**
 * The later of received and identity checked; `None` until the identity is checked.
 */
clock_starts_on: string | null, 
/**
 * One calendar month from the clock's start (ICO rule); `None` until identity is checked.
 */
original_due_on: string | null, 
/**
 * The due date in force: the original, or the extended one.
 */
due_on: string | null, extension: Extension | null, decision: Decision | null, completed_on: string | null, 
/**
 * Rectification: the addenda made for this request.
 */
addendum_ids: Array<number>, recorded_at: string, updated_at: string, };

export type NewRequest = { kind: RequestKind, received_on: string, identity_checked_on: string | null, details: string | null, };

export type Restriction = { 
/**
 * The restriction request that was granted, if the restriction came from one (it may also
 * have been set by hand on the client's details).
 */
request_id: number | null, };

export type DueRequest = { request: Request, 
/**
 * For the practitioner's screen only.
 */
client_name: string, due_on: string, 
/**
 * Days from `as_of` to the due date: 0 due today, negative overdue.
 */
days_left: number, };

export type NewBreach = { what_happened: string, 
/**
 * When it happened, if known (UTC).
 */
happened_at: string | null, 
/**
 * When it was found (UTC): the 72-hour clock starts here.
 */
discovered_at: string, 
/**
 * Who was affected: case references or counts, never names.
 */
who_affected: string, records_affected: string, risk: string, };

export type Breach = { id: number, what_happened: string, happened_at: string | null, discovered_at: string, 
/**
 * Discovery plus 72 hours.
 */
ico_deadline: string, who_affected: string, records_affected: string, risk: string, 
/**
 * `None` until decided.
 */
reportable: boolean | null, decision_reason: string | null, decided_at: string | null, ico_told_at: string | null, ico_reference: string | null, clients_told_at: string | null, clients_not_told_reason: string | null, recorded_at: string, updated_at: string, };

export type OpenClock = { breach: Breach, 
/**
 * Whole hours until the ICO deadline; negative once it has passed.
 */
hours_left: number, };

export type BreachDecision = { reportable: boolean, reason: string, ico_told_at: string | null, ico_reference: string | null, clients_told_at: string | null, clients_not_told_reason: string | null, };

export type BreachTold = { ico_told_at: string | null, ico_reference: string | null, clients_told_at: string | null, clients_not_told_reason: string | null, };

export type ClientRights = { 
/**
 * Every consent, withdrawn ones included, newest first.
 */
consents: Array<Consent>, 
/**
 * Newest first, each with the entries that correct it.
 */
disclosures: Array<Disclosure>, 
/**
 * Newest first.
 */
requests: Array<Request>, 
/**
 * Set when processing of the record is restricted.
 */
restriction: Restriction | null, 
/**
 * The wording offered when refusing an erasure of health records.
 */
erasure_exempt_wording: string, };

export type RightsDue = { requests: Array<DueRequest>, breaches: Array<OpenClock>, };

export type AddConsentArgs = { client_id: number, consent: NewConsent, };

export type DatedIdArgs = { id: number, 
/**
 * YYYY-MM-DD
 */
on: string, };

export type AddDisclosureArgs = { client_id: number, disclosure: NewDisclosure, };

export type AddRequestArgs = { client_id: number, request: NewRequest, };

export type ExtendRequestArgs = { id: number, 
/**
 * 1 or 2.
 */
months: number, told_on: string, reason: string, };

export type DecideRequestArgs = { id: number, outcome: Outcome, reason: string, on: string, };

export type EraseArgs = { id: number, 
/**
 * The current passphrase, confirmed before anything is destroyed.
 */
passphrase: string, };

export type BreachEntry = { breach: Breach, 
/**
 * Whole hours to the ICO deadline while undecided (negative once past); `null` once decided.
 */
hours_left: number | null, };

export type AddBreachArgs = { breach: NewBreach, };

export type DecideBreachArgs = { id: number, decision: BreachDecision, };

export type BreachToldArgs = { id: number, told: BreachTold, };

export type MeasureKind = "phq9" | "gad7" | "core10";

export type Change = "first_score" | "reliable_improvement" | "reliable_deterioration" | "no_reliable_change";

export type AlertItem = { 
/**
 * Numbered from 1, as on the form.
 */
item: number, score: number, };

export type EnteredInError = { at: string, reason: string, };

export type Measure = { id: number, client_id: number, kind: MeasureKind, 
/**
 * "YYYY-MM-DD".
 */
taken_on: string, 
/**
 * In the order of the form, as scored on it.
 */
items: Array<number>, total: number, 
/**
 * The severity band in words.
 */
band: string, 
/**
 * At or above the clinical cut-off.
 */
above_cut_off: boolean, 
/**
 * Against the client's first score of this measure; `null` for an entry in error.
 */
change: Change | null, 
/**
 * This total less the first score's total; `null` for the first score and entries in error.
 */
change_points: number | null, alert: AlertItem | null, recorded_at: string, entered_in_error: EnteredInError | null, };

export type MeasureAlert = { client_id: number, case_ref: string, measure_id: number, kind: MeasureKind, 
/**
 * Numbered from 1, as on the form.
 */
item: number, score: number, taken_on: string, };

export type MeasureSummary = { kind: MeasureKind, 
/**
 * Scores that count (entries in error left out).
 */
count: number, first: Measure, latest: Measure, };

export type ClientMeasures = { 
/**
 * Every measure, entries in error included, grouped by kind (PHQ-9, GAD-7, CORE-10) and
 * oldest first within each.
 */
measures: Array<Measure>, 
/**
 * One per kind the client has a score for.
 */
summaries: Array<MeasureSummary>, 
/**
 * Every alert item of the client's measures that count, newest first.
 */
alerts: Array<MeasureAlert>, };

export type FormItem = { number: number, 
/**
 * The published wording, where its licence lets casenotes show it (PHQ-9, GAD-7).
 */
wording: string | null, 
/**
 * Scored above 0, this item raises an alert.
 */
alert_item: boolean, 
/**
 * Positively worded: on the form its boxes run from the highest score down to 0.
 */
positively_worded: boolean, };

export type MeasureForm = { kind: MeasureKind, name: string, 
/**
 * The question the items answer, where it may be shown.
 */
stem: string | null, items: Array<FormItem>, max_item_score: number, max_total: number, 
/**
 * The label of each score from 0 up, where it may be shown (PHQ-9, GAD-7); empty otherwise.
 */
responses: Array<string>, cut_off: number, reliable_change: number, copyright: string, 
/**
 * A note for the practitioner on how to enter the scores.
 */
guidance: string, };

export type CalendarExport = { path: string, appointments: number, days: number, };

export type ClientMeasuresArgs = { client_id: number, };

export type RecordMeasureArgs = { client_id: number, kind: MeasureKind, 
/**
 * "YYYY-MM-DD".
 */
taken_on: string, 
/**
 * In the order of the form, as scored on it.
 */
items: Array<number>, };

export type MeasureInErrorArgs = { id: number, reason: string, };

export type MeasureAlertsArgs = { 
/**
 * "YYYY-MM-DD": alerts from measures taken on or after this day.
 */
since: string, };

export type CalendarExportArgs = { 
/**
 * Days ahead from today, 1 to 366.
 */
days: number, };

export type WithholdReason = "third_party" | "serious_harm" | "legal_privilege";

export type WithholdTarget = { "type": "note", note_id: number, } | { "type": "addendum", addendum_id: number, } | { "type": "range", note_id: number, start: number, end: number, } | { "type": "passage", note_id: number, text: string, } | { "type": "disclosure", disclosure_id: number, } | { "type": "joint_note", joint_note_id: number, };

export type Withhold = { target: WithholdTarget, reason: WithholdReason, 
/**
 * The practitioner's own words on why (kept in the vault, never put in the bundle).
 */
comment: string | null, };

export type CandidateWhy = "flagged_third_party";

export type ReviewCandidate = { why: CandidateWhy, note: Note, };

export type LoggedWithholding = { item: string, note_id: number, addendum_id: number | null, range: [number, number] | null, reason: WithholdReason, comment: string | null, };

export type LoggedDisclosureWithholding = { disclosure_id: number, reason: WithholdReason, comment: string | null, };

export type LoggedExport = { id: number, request_id: number, created_at: string, protection: string, files: number, manifest_sha256: string, withheld: Array<LoggedWithholding>, 
/**
 * Disclosures withheld whole.
 */
withheld_disclosures: Array<LoggedDisclosureWithholding>, 
/**
 * Joint notes withheld whole.
 */
withheld_joint_notes: Array<LoggedJointNoteWithholding>, };

export type WithheldCount = { 
/**
 * third_party, serious_harm or legal_privilege.
 */
reason: string, 
/**
 * The reason in words.
 */
reason_in_words: string, 
/**
 * Whole notes withheld.
 */
notes: number, 
/**
 * Addenda withheld.
 */
addenda: number, 
/**
 * Passages withheld from notes or addenda that are otherwise given.
 */
passages: number, 
/**
 * Attachments withheld with the notes they belong to.
 */
attachments: number, 
/**
 * Entries of the disclosures record withheld whole.
 */
disclosures: number, 
/**
 * Joint notes (couple or family work) withheld whole.
 */
joint_notes: number, };

export type SarStage = "gathering" | "writing" | "done";

export type SarProgress = { stage: SarStage, done: number, total: number, };

export type Exported = { export_id: number, path: string, 
/**
 * passphrase, recipient or plaintext_folder.
 */
protection: string, files: number, bytes: number, manifest_sha256: string, case_reference: string, request_reference: number, withheld: Array<WithheldCount>, 
/**
 * Whether the request was marked completed in the requests register.
 */
request_completed: boolean, 
/**
 * Why it was not, in the register's words (no clinical text), if it was not.
 */
request_not_completed: string | null, };

export type SarClientArgs = { client_id: number, };

export type SarReview = { case_ref: string, candidates: Array<ReviewCandidate>, 
/**
 * Every disclosure recorded for the client: each names someone else, so each is offered
 * for review and may be withheld whole.
 */
disclosures: Array<Disclosure>, 
/**
 * The client's access and portability requests not yet completed, to choose from.
 */
open_requests: Array<Request>, past_exports: Array<LoggedExport>, };

export type BundleProtection = "passphrase" | "recipient";

export type ExportSarArgs = { client_id: number, 
/**
 * The requests register's number for the client's access (or portability) request; it is
 * marked completed once the copy is made.
 */
request_id: number, withhold: Array<Withhold>, protection: BundleProtection, 
/**
 * With `passphrase`: the bundle passphrase, and the same again.
 */
passphrase: string | null, confirm: string | null, 
/**
 * With `recipient`: the client's age public key, `age1…`.
 */
recipient: string | null, };

export type RectifyArgs = { request_id: number, note_id: number, reason: string, body: string, };

export type CaseMember = { 
/**
 * None once the member's record was destroyed.
 */
client_id: number | null, 
/**
 * The client's case reference (C-0042), while their record is kept.
 */
client_case_ref: string | null, joined_at: string, 
/**
 * When the member's record was destroyed under the retention policy, if it was.
 */
record_destroyed_at: string | null, };

export type Case = { id: number, 
/**
 * The case's own reference, such as J-0003.
 */
case_ref: string, 
/**
 * The practitioner's label, such as "couple work".
 */
name: string | null, created_at: string, updated_at: string, 
/**
 * In the order they were added.
 */
members: Array<CaseMember>, };

export type JointNote = { id: number, case_id: number, case_ref: string, kind: NoteKind, template: Template, body: string, created_at: string, updated_at: string, signed_at: string | null, content_sha256: string | null, 
/**
 * Each addendum's `note_id` is this joint note's id.
 */
addenda: Array<Addendum>, };

export type ReleaseConsent = { 
/**
 * Members other than the client (former members included).
 */
others: number, 
/**
 * Of those, how many have no current consent of the kind `joint_notes_release` (a former
 * member whose record was destroyed can show none).
 */
without_consent: number, };

export type JointNoteCandidate = { note: JointNote, consent: ReleaseConsent, 
/**
 * Withheld whatever the practitioner chooses, because some other member has not consented.
 */
withheld_automatically: boolean, };

export type LoggedJointNoteWithholding = { joint_note_id: number, reason: WithholdReason, 
/**
 * Withheld because not every other member of the case had consented.
 */
automatic: boolean, comment: string | null, };

export type CreateCaseArgs = { 
/**
 * The members' client ids: two or more.
 */
members: number[], name: string | null, };

export type CaseIdArgs = { case_id: number, };

export type ClientCasesArgs = { client_id: number, };

export type CreateJointNoteArgs = { case_id: number, kind: NoteKind, template: Template, body: string, };

export type SaveJointDraftArgs = { id: number, body: string, };

export type JointNoteIdArgs = { id: number, };

export type JointAddendumArgs = { id: number, reason: string, body: string, };

export type RenderedJointNote = { note: JointNote, html: string, addenda_html: Array<string>, signature_holds: boolean, };

export type ExtractMade = { path: string, case_reference: string, notes: number, 
/**
 * How many names, contacts, dates and places were replaced in all.
 */
replaced: number, };

export type SupervisionExtractArgs = { client_id: number, 
/**
 * The notes to include, by id (from this client's file).
 */
note_ids: number[], 
/**
 * Places to replace as well, such as a town the notes mention.
 */
also_remove: Array<string>, };

/** Every command: its one argument (sent as `args`) and its result. */
export type Commands = {
  vault_state: { args: null; result: VaultState };
  create_vault: { args: NewPassphraseArgs; result: CreatedVault };
  recovery_key_stored: { args: null; result: null };
  unlock: { args: UnlockArgs; result: Unlocked };
  recover: { args: RecoverArgs; result: Unlocked };
  unlock_with_keychain: { args: null; result: Unlocked };
  lock: { args: null; result: null };
  drafts_saved: { args: DraftsSavedArgs; result: null };
  change_passphrase: { args: ChangePassphraseArgs; result: null };
  change_master_key: { args: ChangeMasterKeyArgs; result: CreatedVault };
  note_activity: { args: null; result: null };
  vault_status: { args: null; result: VaultStatus };
  today: { args: null; result: Today };
  about: { args: null; result: About };
  get_settings: { args: null; result: Settings };
  set_idle_lock_minutes: { args: IdleMinutesArgs; result: null };
  set_lock_on_minimise: { args: SwitchArgs; result: null };
  set_keychain_unlock: { args: SwitchArgs; result: null };
  list_clients: { args: ListClientsArgs; result: Array<Client> };
  add_client: { args: AddClientArgs; result: Client };
  update_client: { args: UpdateClientArgs; result: Client };
  open_client_file: { args: CaseRefArgs; result: ClientFile };
  create_note: { args: CreateNoteArgs; result: RenderedNote };
  save_draft: { args: SaveDraftArgs; result: RenderedNote };
  sign_note: { args: NoteIdArgs; result: RenderedNote };
  add_addendum: { args: AddendumArgs; result: Addendum };
  set_note_third_party: { args: ThirdPartyArgs; result: RenderedNote };
  link_note_appointment: { args: LinkAppointmentArgs; result: RenderedNote };
  search: { args: SearchArgs; result: Array<Hit> };
  day_appointments: { args: DayArgs; result: Array<Appointment> };
  add_appointment: { args: AddAppointmentArgs; result: Appointment };
  update_appointment: { args: UpdateAppointmentArgs; result: Appointment };
  add_attachment: { args: AddAttachmentArgs; result: AttachmentInfo | null };
  open_attachment: { args: AttachmentIdArgs; result: ArrayBuffer };
  save_attachment_copy: { args: AttachmentIdArgs; result: string | null };
  backup_status: { args: null; result: BackupStatus };
  set_backup_settings: { args: BackupSettingsArgs; result: BackupStatus };
  choose_backup_folder: { args: null; result: BackupStatus | null };
  back_up_now: { args: null; result: BackupMade };
  list_backups: { args: null; result: Array<BackupInfo> };
  backup_running: { args: null; result: boolean };
  choose_backup_file: { args: null; result: BackupInfo | null };
  restore_backup: { args: RestoreArgs; result: Restored | null };
  retention_policy: { args: null; result: RetentionPolicy };
  set_retention_policy: { args: SetRetentionPolicyArgs; result: RetentionPolicy };
  retention_due: { args: null; result: DueList };
  destroy_records: { args: DestroyArgs; result: Array<Certificate> };
  destruction_register: { args: null; result: DestructionRegister };
  save_register_report: { args: null; result: string | null };
  backups_holding_destroyed: { args: null; result: Array<BackupInfo> };
  replace_backups_holding_destroyed: { args: null; result: ReplacedBackups };
  client_risk: { args: ClientIdArgs; result: ClientRisk };
  create_risk_assessment: { args: CreateRiskArgs; result: RiskAssessment };
  save_risk_draft: { args: SaveRiskDraftArgs; result: RiskAssessment };
  sign_risk_assessment: { args: RiskIdArgs; result: RiskAssessment };
  add_risk_addendum: { args: RiskAddendumArgs; result: RiskAddendum };
  save_safety_plan: { args: SaveSafetyPlanArgs; result: SafetyPlanVersion };
  save_safety_plan_copy: { args: SafetyPlanCopyArgs; result: string | null };
  add_capacity_decision: { args: AddCapacityArgs; result: CapacityDecision };
  set_after_death_wishes: { args: SetWishesArgs; result: AfterDeathWishes };
  risk_reviews_due: { args: ReviewsDueArgs; result: ReviewsDue };
  client_rights: { args: ClientIdArgs; result: ClientRights };
  add_consent: { args: AddConsentArgs; result: Consent };
  withdraw_consent: { args: DatedIdArgs; result: Consent };
  add_disclosure: { args: AddDisclosureArgs; result: Disclosure };
  add_request: { args: AddRequestArgs; result: Request };
  request_identity_checked: { args: DatedIdArgs; result: Request };
  extend_request: { args: ExtendRequestArgs; result: Request };
  decide_request: { args: DecideRequestArgs; result: Request };
  complete_request: { args: DatedIdArgs; result: Request };
  carry_out_erasure: { args: EraseArgs; result: Certificate };
  rights_due: { args: null; result: RightsDue };
  list_breaches: { args: null; result: Array<BreachEntry> };
  add_breach: { args: AddBreachArgs; result: Breach };
  decide_breach: { args: DecideBreachArgs; result: Breach };
  breach_told: { args: BreachToldArgs; result: Breach };
  measure_forms: { args: null; result: Array<MeasureForm> };
  client_measures: { args: ClientMeasuresArgs; result: ClientMeasures };
  record_measure: { args: RecordMeasureArgs; result: Measure };
  mark_measure_entered_in_error: { args: MeasureInErrorArgs; result: Measure };
  recent_measure_alerts: { args: MeasureAlertsArgs; result: Array<MeasureAlert> };
  save_calendar_export: { args: CalendarExportArgs; result: CalendarExport | null };
  sar_review: { args: SarClientArgs; result: SarReview };
  export_sar: { args: ExportSarArgs; result: Exported | null };
  rectify_request: { args: RectifyArgs; result: Addendum };
  create_case: { args: CreateCaseArgs; result: Case };
  list_cases: { args: null; result: Array<Case> };
  client_cases: { args: ClientCasesArgs; result: Array<Case> };
  case_joint_notes: { args: CaseIdArgs; result: Array<RenderedJointNote> };
  client_joint_notes: { args: ClientCasesArgs; result: Array<RenderedJointNote> };
  create_joint_note: { args: CreateJointNoteArgs; result: RenderedJointNote };
  save_joint_draft: { args: SaveJointDraftArgs; result: RenderedJointNote };
  sign_joint_note: { args: JointNoteIdArgs; result: RenderedJointNote };
  add_joint_addendum: { args: JointAddendumArgs; result: Addendum };
  sar_joint_note_candidates: { args: ClientCasesArgs; result: Array<JointNoteCandidate> };
  save_supervision_extract: { args: SupervisionExtractArgs; result: ExtractMade | null };
};
