//! Where and how often backups are made, and how the last one went: kept in the vault's
//! settings (the folder's name is nobody else's business), read by Home and Settings.
//!
//! The last-backup state is written without a `setting_changed` audit entry of its own: the
//! `backup_made` or `backup_failed` entry written with it already says what happened.

use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rusqlite::params;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{BackupMade, Progress};
use crate::audit::{self, Action};
use crate::domain::settings;
use crate::error::{Error, Result};
use crate::vault::Session;

/// Back up automatically when the last good backup is older than this (hours).
pub const DEFAULT_EVERY_HOURS: u32 = 24;
/// Keep this many backups of the vault in the folder.
pub const DEFAULT_KEEP: u32 = 10;
/// Warn on Home when there has been no good backup for this long.
pub const WARN_AFTER_DAYS: i64 = 7;

const FOLDER: &str = "backup_folder";
const EVERY_HOURS: &str = "backup_every_hours";
const KEEP: &str = "backup_keep";
const ON_LOCK: &str = "backup_on_lock";
const LAST_GOOD_AT: &str = "backup_last_good_at";
const LAST_GOOD_FILE: &str = "backup_last_good_file";
const LAST_ATTEMPT_AT: &str = "backup_last_attempt_at";
const LAST_ERROR: &str = "backup_last_error";

/// What the practitioner chose in Settings → Backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupSettings {
    /// The folder backups go to (a removable drive is fine); none until chosen.
    pub folder: Option<String>,
    /// Back up automatically when the last good backup is older than this many hours (1-720).
    pub every_hours: u32,
    /// How many backups of this vault to keep in the folder (1-100).
    pub keep: u32,
    /// Back up automatically when casenotes locks or quits, if one is due.
    pub on_lock: bool,
}

/// How backups stand, for Home and Settings.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupStatus {
    pub settings: BackupSettings,
    /// UTC, RFC 3339.
    pub last_good_at: Option<String>,
    pub last_good_file: Option<String>,
    pub last_attempt_at: Option<String>,
    /// Why the last attempt failed, when it did (plain English, no clinical content).
    pub last_error: Option<String>,
    /// The folder is set but cannot be found (a drive unplugged).
    pub folder_missing: bool,
    /// A sentence for Home when something needs the practitioner's attention.
    pub warning: Option<String>,
}

fn get_u32(session: &Session, key: &str, default: u32) -> Result<u32> {
    Ok(settings::get(session, key)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(default))
}

fn settings_of(session: &Session) -> Result<BackupSettings> {
    Ok(BackupSettings {
        folder: settings::get(session, FOLDER)?.filter(|f| !f.is_empty()),
        every_hours: get_u32(session, EVERY_HOURS, DEFAULT_EVERY_HOURS)?,
        keep: get_u32(session, KEEP, DEFAULT_KEEP)?,
        on_lock: settings::get(session, ON_LOCK)?.as_deref() != Some("false"),
    })
}

/// Saves the practitioner's choices (each change audited by key name).
pub fn configure(session: &mut Session, new: &BackupSettings) -> Result<()> {
    if !(1..=720).contains(&new.every_hours) {
        return Err(Error::rule(
            "Automatic backups can be made every 1 to 720 hours (30 days).",
            "Choose a number of hours in that range.",
        ));
    }
    if !(1..=100).contains(&new.keep) {
        return Err(Error::rule(
            "casenotes can keep between 1 and 100 backups.",
            "Choose a number in that range.",
        ));
    }
    if let Some(folder) = &new.folder {
        if !Path::new(folder).is_absolute() {
            return Err(Error::rule(
                "The backup folder must be a full path, such as /media/you/backup-drive.",
                "Choose the folder again.",
            ));
        }
    }
    let old = settings_of(session)?;
    if old.folder != new.folder {
        settings::set(session, FOLDER, new.folder.as_deref().unwrap_or(""))?;
    }
    if old.every_hours != new.every_hours {
        settings::set(session, EVERY_HOURS, &new.every_hours.to_string())?;
    }
    if old.keep != new.keep {
        settings::set(session, KEEP, &new.keep.to_string())?;
    }
    if old.on_lock != new.on_lock {
        settings::set(session, ON_LOCK, if new.on_lock { "true" } else { "false" })?;
    }
    Ok(())
}

fn parse_time(text: Option<String>) -> Option<DateTime<Utc>> {
    text.and_then(|t| DateTime::parse_from_rfc3339(&t).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// How backups stand at `now`.
pub fn status_at(session: &Session, now: DateTime<Utc>) -> Result<BackupStatus> {
    let settings = settings_of(session)?;
    let last_good_at = settings::get(session, LAST_GOOD_AT)?;
    let last_attempt_at = settings::get(session, LAST_ATTEMPT_AT)?;
    let last_error = settings::get(session, LAST_ERROR)?.filter(|e| !e.is_empty());
    let folder_missing = settings
        .folder
        .as_deref()
        .is_some_and(|f| !Path::new(f).is_dir());
    let good = parse_time(last_good_at.clone());
    let warning = if settings.folder.is_none() {
        Some(
            "Backups are not set up yet. Choose a backup folder in Settings, under Backups."
                .to_owned(),
        )
    } else if folder_missing {
        Some(format!(
            "The backup folder {} cannot be found. If it is on a removable drive, plug the drive in.",
            settings.folder.as_deref().unwrap_or_default()
        ))
    } else if good.is_none_or(|g| now - g > Duration::days(WARN_AFTER_DAYS)) {
        let since = match good {
            Some(g) => format!("for {} days", (now - g).num_days()),
            None => "yet".to_owned(),
        };
        Some(match &last_error {
            Some(e) => {
                format!("There has been no good backup {since}. The last attempt failed: {e}")
            }
            None => format!(
                "There has been no good backup {since}. Back up now in Settings, under Backups."
            ),
        })
    } else {
        last_error
            .as_ref()
            .map(|e| format!("The last backup failed: {e}"))
    };
    Ok(BackupStatus {
        settings,
        last_good_at,
        last_good_file: settings::get(session, LAST_GOOD_FILE)?,
        last_attempt_at,
        last_error,
        folder_missing,
        warning,
    })
}

pub fn status(session: &Session) -> Result<BackupStatus> {
    status_at(session, Utc::now())
}

/// Whether an automatic backup is due at `now`: a folder is set, automatic backups are on, and
/// the last good backup is older than the chosen interval (or there is none).
pub fn due_at(session: &Session, now: DateTime<Utc>) -> Result<bool> {
    let settings = settings_of(session)?;
    if settings.folder.is_none() || !settings.on_lock {
        return Ok(false);
    }
    let good = parse_time(settings::get(session, LAST_GOOD_AT)?);
    Ok(good.is_none_or(|g| now - g >= Duration::hours(i64::from(settings.every_hours))))
}

pub fn due(session: &Session) -> Result<bool> {
    due_at(session, Utc::now())
}

/// Backs up to the folder chosen in Settings, keeping the chosen number.
pub fn back_up_configured(
    session: &mut Session,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupMade> {
    let settings = settings_of(session)?;
    let Some(folder) = settings.folder else {
        return Err(Error::rule(
            "No backup folder has been chosen.",
            "Choose one in Settings, under Backups.",
        ));
    };
    session.back_up(Path::new(&folder), settings.keep, progress)
}

fn put(tx: &rusqlite::Transaction<'_>, key: &str, value: &str, at: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        params![key, value, at],
    )?;
    Ok(())
}

pub(super) fn record_success(
    session: &mut Session,
    made: &BackupMade,
    attempted_at: DateTime<Utc>,
) -> Result<()> {
    let at = attempted_at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    put(&tx, LAST_GOOD_AT, &made.created_at, &at)?;
    put(&tx, LAST_GOOD_FILE, &made.path, &at)?;
    put(&tx, LAST_ATTEMPT_AT, &at, &at)?;
    put(&tx, LAST_ERROR, "", &at)?;
    audit::append(
        &tx,
        Action::BackupMade,
        Some(&made.file_name),
        json!({
            "bytes": made.bytes,
            "verified": true,
            "counts": made.counts,
            "removed_old": made.removed.len(),
        }),
    )?;
    tx.commit()?;
    Ok(())
}

/// A vault restored from a backup knows that backup is good (it was just checked in full): its
/// snapshot was taken before the backup recorded itself, so it would otherwise say "no backup".
pub(super) fn record_restored_from(
    session: &mut Session,
    created_at: &str,
    file: &Path,
) -> Result<()> {
    let known = parse_time(settings::get(session, LAST_GOOD_AT)?);
    let this = parse_time(Some(created_at.to_owned()));
    if known >= this {
        return Ok(());
    }
    let at = Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    put(&tx, LAST_GOOD_AT, created_at, &at)?;
    put(&tx, LAST_GOOD_FILE, &file.display().to_string(), &at)?;
    tx.commit()?;
    Ok(())
}

pub(super) fn record_failure(
    session: &mut Session,
    error: &Error,
    attempted_at: DateTime<Utc>,
) -> Result<()> {
    let at = attempted_at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let tx = session.conn_mut()?.transaction()?;
    put(&tx, LAST_ATTEMPT_AT, &at, &at)?;
    put(&tx, LAST_ERROR, &error.to_string(), &at)?;
    audit::append(
        &tx,
        Action::BackupFailed,
        None,
        json!({ "kind": error.kind() }),
    )?;
    tx.commit()?;
    Ok(())
}
