//! The hash-chained audit log.
//!
//! Each entry holds the SHA-256 of the entry before it, so editing, deleting or reordering
//! entries breaks the chain, and `verify` names the first entry that no longer fits. The newest
//! entry's number and hash are also kept in `audit_head`, so entries cut from the end are noticed
//! too. Entries are appended in the same transaction as the change they record, and each append
//! (entry and head) is one atomic step of its own even when no transaction is open. The first
//! entry is the vault's creation and names the vault id of `vault.toml`; `verify` requires it.
//!
//! An entry holds a time, an action name, the id of the record acted on and a small JSON detail
//! of ids and counts. It must never hold clinical text: callers pass ids, not content.
//! (Anyone holding the master key could rewrite the whole chain; the chain makes tampering
//! evident to a reader who keeps an earlier head hash, and catches casual edits outright.)

pub mod anchor;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{params, Connection, OptionalExtension};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// The hash that the first entry follows.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. The string form is stored and must never change once released.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    VaultCreated,
    VaultUnlocked,
    VaultLocked,
    UnlockFailed,
    PassphraseChanged,
    VaultRecovered,
    SettingChanged,
    KeychainEnabled,
    KeychainDisabled,
    ClientCreated,
    ClientUpdated,
    ClientViewed,
    NoteCreated,
    NoteDraftSaved,
    NoteSigned,
    NoteFlagged,
    AddendumAdded,
    AppointmentAdded,
    AppointmentUpdated,
    AttachmentAdded,
    AttachmentOpened,
    AttachmentSavedOut,
    DemoDataAdded,
    BackupMade,
    BackupFailed,
    BackupVerified,
    BackupRestored,
    RecordDestroyed,
    DestructionReapplied,
    AuditRollbackDetected,
    VaultRekeyed,
    MeasureRecorded,
    MeasureMarkedInError,
    CalendarExported,
    RiskAssessmentCreated,
    RiskDraftSaved,
    RiskAssessmentSigned,
    RiskAddendumAdded,
    SafetyPlanSaved,
    SafetyPlanPrinted,
    CapacityDecisionRecorded,
    AfterDeathWishesRecorded,
    ConsentRecorded,
    ConsentWithdrawn,
    DisclosureRecorded,
    RequestRecorded,
    RequestIdentityChecked,
    RequestExtended,
    RequestDecided,
    RequestCompleted,
    RequestRectified,
    RequestErasureCarriedOut,
    BreachRecorded,
    BreachDecided,
    BreachUpdated,
    SarExported,
    SupervisionExtractMade,
    CaseCreated,
    JointNoteCreated,
    JointNoteDraftSaved,
    JointNoteSigned,
    JointNoteAddendumAdded,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::VaultCreated => "vault_created",
            Action::VaultUnlocked => "vault_unlocked",
            Action::VaultLocked => "vault_locked",
            Action::UnlockFailed => "unlock_failed",
            Action::PassphraseChanged => "passphrase_changed",
            Action::VaultRecovered => "vault_recovered",
            Action::SettingChanged => "setting_changed",
            Action::KeychainEnabled => "keychain_enabled",
            Action::KeychainDisabled => "keychain_disabled",
            Action::ClientCreated => "client_created",
            Action::ClientUpdated => "client_updated",
            Action::ClientViewed => "client_viewed",
            Action::NoteCreated => "note_created",
            Action::NoteDraftSaved => "note_draft_saved",
            Action::NoteSigned => "note_signed",
            Action::NoteFlagged => "note_flagged",
            Action::AddendumAdded => "addendum_added",
            Action::AppointmentAdded => "appointment_added",
            Action::AppointmentUpdated => "appointment_updated",
            Action::AttachmentAdded => "attachment_added",
            Action::AttachmentOpened => "attachment_opened",
            Action::AttachmentSavedOut => "attachment_saved_out",
            Action::DemoDataAdded => "demo_data_added",
            Action::BackupMade => "backup_made",
            Action::BackupFailed => "backup_failed",
            Action::BackupVerified => "backup_verified",
            Action::BackupRestored => "backup_restored",
            Action::RecordDestroyed => "record_destroyed",
            Action::DestructionReapplied => "destruction_reapplied",
            Action::AuditRollbackDetected => "audit_rollback_detected",
            Action::VaultRekeyed => "vault_rekeyed",
            Action::MeasureRecorded => "measure_recorded",
            Action::MeasureMarkedInError => "measure_marked_in_error",
            Action::CalendarExported => "calendar_exported",
            Action::RiskAssessmentCreated => "risk_assessment_created",
            Action::RiskDraftSaved => "risk_draft_saved",
            Action::RiskAssessmentSigned => "risk_assessment_signed",
            Action::RiskAddendumAdded => "risk_addendum_added",
            Action::SafetyPlanSaved => "safety_plan_saved",
            Action::SafetyPlanPrinted => "safety_plan_printed",
            Action::CapacityDecisionRecorded => "capacity_decision_recorded",
            Action::AfterDeathWishesRecorded => "after_death_wishes_recorded",
            Action::ConsentRecorded => "consent_recorded",
            Action::ConsentWithdrawn => "consent_withdrawn",
            Action::DisclosureRecorded => "disclosure_recorded",
            Action::RequestRecorded => "request_recorded",
            Action::RequestIdentityChecked => "request_identity_checked",
            Action::RequestExtended => "request_extended",
            Action::RequestDecided => "request_decided",
            Action::RequestCompleted => "request_completed",
            Action::RequestRectified => "request_rectified",
            Action::RequestErasureCarriedOut => "request_erasure_carried_out",
            Action::BreachRecorded => "breach_recorded",
            Action::BreachDecided => "breach_decided",
            Action::BreachUpdated => "breach_updated",
            Action::SarExported => "sar_exported",
            Action::SupervisionExtractMade => "supervision_extract_made",
            Action::CaseCreated => "case_created",
            Action::JointNoteCreated => "joint_note_created",
            Action::JointNoteDraftSaved => "joint_note_draft_saved",
            Action::JointNoteSigned => "joint_note_signed",
            Action::JointNoteAddendumAdded => "joint_note_addendum_added",
        }
    }
}

/// One entry as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub seq: i64,
    pub at: String,
    pub action: String,
    pub subject: Option<String>,
    pub detail: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// What `verify` found in an intact log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verified {
    pub entries: i64,
    pub head_hash: String,
}

/// Appends an entry. Call inside the transaction that makes the change being recorded.
pub fn append(
    conn: &Connection,
    action: Action,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<Entry> {
    append_at(conn, Utc::now(), action, subject, detail)
}

pub(crate) fn append_at(
    conn: &Connection,
    at: DateTime<Utc>,
    action: Action,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<Entry> {
    // The entry and the head move together or not at all. A savepoint nests inside a caller's
    // transaction, and on a bare connection (`Session::record`, `Session::lock`) it is a
    // transaction of its own, so a crash or a failure between the two statements can never leave
    // `audit_head` behind the log.
    // On a bare connection the append takes the write lock at once (BEGIN IMMEDIATE): a
    // transaction that reads the head and only then writes cannot wait for another process's
    // write to finish (SQLite answers "database is locked" at once), but one that asks for the
    // lock first waits through the busy timeout.
    let own = conn.is_autocommit();
    conn.execute_batch(if own {
        "BEGIN IMMEDIATE"
    } else {
        "SAVEPOINT audit_append"
    })?;
    let undo = |conn: &Connection| {
        if own {
            let _ = conn.execute_batch("ROLLBACK");
        } else {
            undo_savepoint(conn);
        }
    };
    match write_entry(conn, at, action, subject, detail) {
        Ok(entry) => match conn.execute_batch(if own {
            "COMMIT"
        } else {
            "RELEASE audit_append"
        }) {
            Ok(()) => Ok(entry),
            Err(e) => {
                undo(conn);
                Err(e.into())
            }
        },
        Err(e) => {
            undo(conn);
            Err(e)
        }
    }
}

/// Rolls back and closes the append's savepoint. Best effort: if SQLite has already rolled back
/// the whole transaction (a full disk, say), there is no savepoint left and nothing to undo.
fn undo_savepoint(conn: &Connection) {
    let _ = conn.execute_batch("ROLLBACK TO audit_append; RELEASE audit_append");
}

fn write_entry(
    conn: &Connection,
    at: DateTime<Utc>,
    action: Action,
    subject: Option<&str>,
    detail: serde_json::Value,
) -> Result<Entry> {
    let (prev_seq, prev_hash) = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })
        .optional()?
        .unwrap_or((0, GENESIS_HASH.to_owned()));
    let mut entry = Entry {
        seq: prev_seq + 1,
        at: at.to_rfc3339_opts(SecondsFormat::Millis, true),
        action: action.as_str().to_owned(),
        subject: subject.map(str::to_owned),
        detail,
        prev_hash,
        hash: String::new(),
    };
    entry.hash = hash_of(&entry);
    conn.execute(
        "INSERT INTO audit_log (seq, at, action, subject, detail, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            entry.seq,
            entry.at,
            entry.action,
            entry.subject,
            entry.detail.to_string(),
            entry.prev_hash,
            entry.hash
        ],
    )?;
    conn.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        params![entry.seq, entry.hash],
    )?;
    Ok(entry)
}

/// The SHA-256 of an entry's fields and the previous hash, as lowercase hex.
fn hash_of(entry: &Entry) -> String {
    let mut hasher = Sha256::new();
    // Length-prefixed fields, so no two different entries can serialise to the same bytes.
    for field in [
        entry.seq.to_string().as_str(),
        entry.at.as_str(),
        entry.action.as_str(),
        entry.subject.as_deref().unwrap_or("\u{0}"),
        entry.detail.to_string().as_str(),
        entry.prev_hash.as_str(),
    ] {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}

/// Entries in order, oldest first; `limit` keeps the newest N.
pub fn list(conn: &Connection, limit: Option<u32>) -> Result<Vec<Entry>> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, action, subject, detail, prev_hash, hash FROM (
             SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?1
         ) ORDER BY seq",
    )?;
    let limit = limit.map_or(-1, i64::from);
    let rows = stmt.query_map([limit], row_to_entry)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn row_to_entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<Entry> {
    let detail: String = r.get(4)?;
    Ok(Entry {
        seq: r.get(0)?,
        at: r.get(1)?,
        action: r.get(2)?,
        subject: r.get(3)?,
        // A detail that is not JSON is kept as a string so that verify can report the entry.
        detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::String(detail)),
        prev_hash: r.get(5)?,
        hash: r.get(6)?,
    })
}

/// Walks the whole chain; the first entry that does not fit is reported as `AuditChainBroken`.
///
/// `vault_id` is the id in the vault's `vault.toml`: the first entry must be that vault's own
/// `vault_created`, so a log carried over from another vault, or one rebuilt from nothing, is
/// reported even when its chain is self-consistent. `Session::verify_audit` passes it for you.
pub fn verify(conn: &Connection, vault_id: &str) -> Result<Verified> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, action, subject, detail, prev_hash, hash FROM audit_log ORDER BY rowid",
    )?;
    let mut rows = stmt.query([])?;
    let mut expected_seq = 1i64;
    let mut prev_hash = GENESIS_HASH.to_owned();
    let broken = |seq: i64, reason: String| Error::AuditChainBroken { seq, reason };
    while let Some(row) = rows.next()? {
        let entry = row_to_entry(row)?;
        if entry.seq != expected_seq {
            return Err(if entry.seq > expected_seq {
                broken(
                    expected_seq,
                    format!(
                        "is missing (the log jumps from entry {} to entry {})",
                        expected_seq - 1,
                        entry.seq
                    ),
                )
            } else {
                broken(
                    entry.seq,
                    format!("is out of order (found where entry {expected_seq} should be)"),
                )
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(broken(
                entry.seq,
                "does not follow the entry before it (entries were removed or reordered)"
                    .to_owned(),
            ));
        }
        if hash_of(&entry) != entry.hash {
            return Err(broken(
                entry.seq,
                "has been altered since it was written".to_owned(),
            ));
        }
        if entry.seq == 1
            && (entry.action != Action::VaultCreated.as_str()
                || entry.subject.as_deref() != Some(vault_id))
        {
            return Err(broken(
                1,
                "is not the creation of this vault (the log was replaced or belongs to another vault)"
                    .to_owned(),
            ));
        }
        prev_hash = entry.hash;
        expected_seq += 1;
    }
    let entries = expected_seq - 1;
    if entries == 0 {
        // Every vault's log starts with its creation, so an empty log has been emptied.
        return Err(broken(1, "is missing (the log is empty)".to_owned()));
    }
    let head: Option<(i64, String)> = conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    match head {
        Some((seq, hash)) if seq == entries && hash == prev_hash => Ok(Verified {
            entries,
            head_hash: prev_hash,
        }),
        Some((seq, _)) if seq > entries => Err(broken(
            entries + 1,
            format!("is missing (the log should run to entry {seq} but ends at entry {entries})"),
        )),
        _ => Err(broken(
            entries,
            "does not match the recorded end of the log".to_owned(),
        )),
    }
}

/// How many entries the log holds.
pub fn count(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))?)
}
