//! Backups: a consistent, still-encrypted snapshot of the vault in one file, verified after every
//! write, rotated, and restorable by anyone with the passphrase of its day or the recovery key.
//!
//! Writing a backup: `VACUUM INTO` makes a consistent copy of the database (encrypted with the same
//! master key, and without the freed pages a live file may hold) in a private staging folder
//! beside the destination; the copy is opened and checked (`cipher_integrity_check`,
//! `integrity_check`, the audit chain, the counts); the container (see [`container`]) is written
//! under a temporary name, flushed, read back and checked byte for byte against its manifest, and
//! only then renamed to `casenotes-YYYY-MM-DD-HHMMSS.cnbak`. A crash at any point leaves the vault
//! and every earlier backup as they were, and never a file with the final name that is not whole.
//! Older backups of the same vault beyond the number to keep are removed only after the new one
//! has verified.
//!
//! Nothing clinical touches the disk in plaintext: only ciphertext is copied, staged or extracted.
//! Errors name files and what is wrong with them, never content.

mod container;
mod manifest;
mod schedule;

use std::path::Path;

use chrono::{DateTime, Local, SecondsFormat, Utc};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::build_info;
use crate::db;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::MasterKey;
use crate::vault::{self, Session, Unlock, Vault, VaultMeta};

pub use container::{MANIFEST, SUMS, VAULT_FILES};
pub use manifest::{Counts, FileEntry, Generator, Manifest};
pub use schedule::{
    back_up_configured, configure, due, due_at, status, status_at, BackupSettings, BackupStatus,
    DEFAULT_EVERY_HOURS, DEFAULT_KEEP, WARN_AFTER_DAYS,
};

/// The extension of a backup file.
pub const FILE_EXTENSION: &str = "cnbak";
const FILE_PREFIX: &str = "casenotes-";
/// Staging folders and partial files start with this, so a crashed run's leftovers are known.
const STAGING_PREFIX: &str = ".casenotes-backup-";
/// Leftovers untouched for this long belong to a run that has died.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Which part of the work is under way, for progress bars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Snapshot,
    Writing,
    Verifying,
    Restoring,
}

/// Progress of a backup, verify or restore: `done` of `total` (bytes, or 0 of 1 for a step).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Progress {
    pub stage: Stage,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub done: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

/// A backup just written and verified.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupMade {
    pub path: String,
    pub file_name: String,
    pub created_at: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub counts: Counts,
    /// Older backups of this vault removed to keep the number asked for (file names).
    pub removed: Vec<String>,
}

/// A backup file as its manifest describes it (read without any secret).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupInfo {
    pub path: String,
    pub file_name: String,
    pub created_at: String,
    pub vault_id: String,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    pub counts: Counts,
}

/// What `verify` found in a sound backup.
#[derive(Debug, Clone, Serialize)]
pub struct BackupVerified {
    pub info: BackupInfo,
    pub schema_version: i64,
    pub audit_head_hash: String,
    /// Whether the check was recorded in the audit log of the vault the backup belongs to.
    pub recorded_in_vault: bool,
}

/// A vault restored from a backup.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Restored {
    pub vault_dir: String,
    /// Where the vault that was in the way now is (with `replace`); it is never deleted.
    pub moved_aside: Option<String>,
    pub backup_created_at: String,
    pub counts: Counts,
    /// Records destroyed after the backup was made (recorded in the vault it replaced or in a
    /// newer backup beside it), destroyed again before the restored vault opened.
    pub destroyed_again: Vec<crate::retention::Certificate>,
    /// What could not be checked for later destructions, in plain words.
    pub warnings: Vec<String>,
}

fn now_rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn path_text(path: &Path) -> String {
    path.display().to_string()
}

impl Session {
    /// Writes a verified backup of this vault into `dir` and keeps the newest `keep` backups of
    /// this vault there. The result, good or bad, is recorded in the audit log and in the
    /// backup state that Home shows.
    pub fn back_up(
        &mut self,
        dir: &Path,
        keep: u32,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupMade> {
        let attempted_at = Utc::now();
        let result = self.write_backup(dir, keep, attempted_at, progress);
        match &result {
            Ok(made) => {
                schedule::record_success(self, made, attempted_at)?;
            }
            Err(e) => {
                // Best effort: the failure itself is what the practitioner must see.
                let _ = schedule::record_failure(self, e, attempted_at);
            }
        }
        result
    }

    fn write_backup(
        &mut self,
        dir: &Path,
        keep: u32,
        created: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupMade> {
        if !dir.is_dir() {
            return Err(Error::BackupFolderMissing {
                dir: dir.to_owned(),
            });
        }
        remove_stale_leftovers(dir);
        let stamp = format!(
            "{}-{}-{}",
            std::process::id(),
            created.timestamp_nanos_opt().unwrap_or_default(),
            created.timestamp_subsec_micros()
        );
        let staging = dir.join(format!("{STAGING_PREFIX}{stamp}"));
        fsutil::create_private_dir(&staging)?;
        let result = self.write_backup_staged(dir, &staging, keep, created, progress);
        let _ = std::fs::remove_dir_all(&staging);
        result
    }

    fn write_backup_staged(
        &mut self,
        dir: &Path,
        staging: &Path,
        keep: u32,
        created: DateTime<Utc>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<BackupMade> {
        progress(Progress {
            stage: Stage::Snapshot,
            done: 0,
            total: 1,
        });
        let snapshot = staging.join(db::DB_FILE);
        let snapshot_text = snapshot.to_str().ok_or_else(|| Error::Io {
            what: format!(
                "The backup folder {} has a name casenotes cannot use; choose another folder",
                dir.display()
            ),
            source: std::io::Error::from(std::io::ErrorKind::InvalidInput),
        })?;
        // A consistent copy, encrypted with the same key (SQLCipher attaches the target with the
        // main database's key), holding no freed pages.
        self.conn()?.execute("VACUUM INTO ?1", [snapshot_text])?;
        let key = self.master_key();
        let vault_id = self.vault().meta().vault_id.to_string();
        let (counts, schema_version) = check_database(&snapshot, key, &vault_id, dir)?;
        progress(Progress {
            stage: Stage::Snapshot,
            done: 1,
            total: 1,
        });

        let vault_dir = self.vault().dir().to_owned();
        let meta = self.vault().meta().clone();
        let mut sources = Vec::new();
        let mut files = Vec::new();
        for name in VAULT_FILES {
            let source = if name == db::DB_FILE {
                snapshot.clone()
            } else {
                // The small files are copied into staging first, so what is hashed is what is
                // stored even if a passphrase change lands meanwhile.
                let copy = staging.join(name.replace('/', "_"));
                let bytes = std::fs::read(vault_dir.join(name)).map_err(Error::io(format!(
                    "Could not read {}",
                    vault_dir.join(name).display()
                )))?;
                fsutil::write_atomic(&copy, &bytes)?;
                copy
            };
            let mut entry = container::hash_file(&source)?;
            entry.path = name.to_owned();
            files.push(entry);
            sources.push(source);
        }
        let mut manifest = Manifest {
            format: manifest::FORMAT_NAME.to_owned(),
            format_version: manifest::FORMAT_VERSION,
            vault_id: meta.vault_id.to_string(),
            vault_format_version: meta.format_version,
            schema_version,
            created_at: now_rfc3339(created),
            generator: Generator {
                name: "casenotes".to_owned(),
                version: build_info::VERSION.to_owned(),
                commit: build_info::GIT_COMMIT.to_owned(),
            },
            counts: counts.clone(),
            files,
            mac: String::new(),
        };
        manifest.sign(key)?;
        let manifest_json =
            serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Encryption(e.to_string()))?;
        let mut sum_entries = vec![FileEntry {
            path: MANIFEST.to_owned(),
            bytes: manifest_json.len() as u64,
            sha256: manifest::sha256_hex(&manifest_json),
        }];
        sum_entries.extend(manifest.files.iter().cloned());
        let sums = manifest::sums_text(&sum_entries);

        let file_name = unique_file_name(dir, created);
        let partial = dir.join(format!(
            "{STAGING_PREFIX}{}-{file_name}.partial",
            std::process::id()
        ));
        let written = (|| {
            container::write(
                &partial,
                &manifest_json,
                sums.as_bytes(),
                &sources,
                u64::try_from(created.timestamp()).unwrap_or(0),
                &mut |done, total| {
                    progress(Progress {
                        stage: Stage::Writing,
                        done,
                        total,
                    })
                },
            )?;
            // Read back from the disk and check every byte against the manifest. The database
            // inside was opened and checked above; equal hashes prove it is the same bytes.
            let read_back = container::read_all(&partial, None, &mut |done, total| {
                progress(Progress {
                    stage: Stage::Verifying,
                    done,
                    total,
                })
            })?;
            if read_back != manifest || !read_back.mac_matches(key)? {
                return Err(container::damaged(
                    &partial,
                    "it did not read back as it was written",
                ));
            }
            let final_path = dir.join(&file_name);
            // The name is fresh (see unique_file_name); rename never replaces an older backup
            // that someone else wrote meanwhile, because that name would differ by its suffix.
            std::fs::rename(&partial, &final_path).map_err(Error::io(format!(
                "Could not name the backup {}",
                final_path.display()
            )))?;
            fsutil::sync_dir(dir)?;
            Ok(final_path)
        })();
        let final_path = match written {
            Ok(p) => p,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        let bytes = std::fs::metadata(&final_path)
            .map(|m| m.len())
            .unwrap_or_default();
        let removed = rotate(dir, &manifest.vault_id, keep, &file_name);
        Ok(BackupMade {
            path: path_text(&final_path),
            file_name,
            created_at: manifest.created_at,
            bytes,
            counts,
            removed,
        })
    }
}

/// Opens a copy of the database read from a backup (or just snapshotted) and checks it all:
/// SQLCipher's page HMACs, SQLite's structure, and the audit chain. Returns its counts and schema.
fn check_database(
    path: &Path,
    key: &MasterKey,
    vault_id: &str,
    file_for_errors: &Path,
) -> Result<(Counts, i64)> {
    let conn = db::open_snapshot(path, key).map_err(|e| match e {
        Error::DamagedKeySlot { .. } => container::damaged(
            file_for_errors,
            "its database does not open with the key in its key files",
        ),
        other => other,
    })?;
    let problems: Vec<String> = conn
        .prepare("PRAGMA cipher_integrity_check")?
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<_>>()?;
    if !problems.is_empty() {
        return Err(container::damaged(
            file_for_errors,
            format!(
                "its database failed SQLCipher's integrity check ({} damaged page{})",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
        ));
    }
    db::integrity_check(&conn)?;
    audit::verify(&conn, vault_id)?;
    crate::retention::register::verify(&conn)?;
    let counts = Counts::of(&conn)?;
    let schema = db::schema_version(&conn)?;
    conn.close().map_err(|(_, e)| Error::Database(e))?;
    Ok((counts, schema))
}

/// `casenotes-2026-11-25-140501.cnbak` in local time, with `-2`, `-3`… if that name is taken.
fn unique_file_name(dir: &Path, created: DateTime<Utc>) -> String {
    let base = format!(
        "{FILE_PREFIX}{}",
        created.with_timezone(&Local).format("%Y-%m-%d-%H%M%S")
    );
    let mut name = format!("{base}.{FILE_EXTENSION}");
    let mut n = 2;
    while dir.join(&name).exists() {
        name = format!("{base}-{n}.{FILE_EXTENSION}");
        n += 1;
    }
    name
}

/// Removes staging folders and partial files left by runs that died (untouched for an hour).
fn remove_stale_leftovers(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().starts_with(STAGING_PREFIX) {
            continue;
        }
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let path = entry.path();
            let _ = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
        }
    }
}

/// Keeps the newest `keep` backups of this vault (by the time in their manifests), never
/// touching another vault's backups, a file it cannot read, or the one just written.
fn rotate(dir: &Path, vault_id: &str, keep: u32, just_written: &str) -> Vec<String> {
    let Ok(mut mine) = list(dir) else {
        return Vec::new();
    };
    mine.retain(|b| b.vault_id == vault_id);
    // `list` is newest first.
    let mut removed = Vec::new();
    for old in mine.iter().skip(keep.max(1) as usize) {
        if old.file_name == just_written {
            continue;
        }
        if std::fs::remove_file(&old.path).is_ok() {
            removed.push(old.file_name.clone());
        }
    }
    if !removed.is_empty() {
        let _ = fsutil::sync_dir(dir);
    }
    removed
}

/// Backups of this vault in the chosen backup folder that were made before the latest
/// destruction, and so still hold records that have since been destroyed.
pub fn holding_destroyed(session: &Session) -> Result<Vec<BackupInfo>> {
    let Some(folder) = status(session)?.settings.folder else {
        return Ok(Vec::new());
    };
    let latest = crate::retention::register::list(session.conn()?)?
        .into_iter()
        .filter(|c| c.reapplied_from.is_none())
        .map(|c| c.destroyed_at)
        .max();
    let Some(latest) = latest else {
        return Ok(Vec::new());
    };
    let vault_id = session.vault().meta().vault_id.to_string();
    Ok(list(Path::new(&folder))
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.vault_id == vault_id && b.created_at < latest)
        .collect())
}

/// Makes a fresh, verified backup to the chosen folder, then removes the backups of this vault
/// that still hold destroyed records. Nothing is removed unless the fresh one verified.
pub fn replace_holding_destroyed(
    session: &mut Session,
    progress: &mut dyn FnMut(Progress),
) -> Result<(BackupMade, Vec<String>)> {
    let stale = holding_destroyed(session)?;
    let made = back_up_configured(session, progress)?;
    let mut removed = Vec::new();
    for b in stale {
        if b.path != made.path && std::fs::remove_file(&b.path).is_ok() {
            removed.push(b.file_name);
        }
    }
    if let Some(folder) = status(session)?.settings.folder {
        let _ = fsutil::sync_dir(Path::new(&folder));
    }
    session.record(
        Action::BackupMade,
        Some(&made.file_name),
        json!({ "replaced_backups_holding_destroyed_records": removed.len() }),
    )?;
    Ok((made, removed))
}

/// The backups in a folder, newest first, read from their manifests (no secret needed). Files
/// that are not readable backups are left out.
pub fn list(dir: &Path) -> Result<Vec<BackupInfo>> {
    if !dir.is_dir() {
        return Err(Error::BackupFolderMissing {
            dir: dir.to_owned(),
        });
    }
    let entries = std::fs::read_dir(dir).map_err(Error::io(format!(
        "Could not read the folder {}",
        dir.display()
    )))?;
    let mut out = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || !name.ends_with(&format!(".{FILE_EXTENSION}")) {
            continue;
        }
        let path = entry.path();
        if let Ok(info) = info(&path) {
            out.push(info);
        }
    }
    out.sort_by(|a, b| {
        b.created_at
            .cmp(&a.created_at)
            .then(b.file_name.cmp(&a.file_name))
    });
    Ok(out)
}

/// What a backup file says it holds, from its manifest alone (no secret, no hashes checked).
pub fn info(file: &Path) -> Result<BackupInfo> {
    let manifest = container::read_manifest(file)?;
    Ok(info_from(file, &manifest))
}

/// For the fuzz target `backup_container` only, not for use: reads `file` as the container
/// reader does for `info` (the manifest alone) and for `verify` (everything, extracting nothing).
#[doc(hidden)]
pub fn fuzz_read_container(file: &Path) -> (Result<Manifest>, Result<Manifest>) {
    (
        container::read_manifest(file),
        container::read_all(file, None, &mut |_, _| {}),
    )
}

fn info_from(file: &Path, manifest: &Manifest) -> BackupInfo {
    BackupInfo {
        path: path_text(file),
        file_name: file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        created_at: manifest.created_at.clone(),
        vault_id: manifest.vault_id.clone(),
        bytes: std::fs::metadata(file).map(|m| m.len()).unwrap_or_default(),
        counts: manifest.counts.clone(),
    }
}

/// Reads a whole backup into `into` (a private folder), checks every byte, opens its key slot with
/// `how`, checks its manifest's MAC, its `vault.toml` and its database. Returns the manifest and
/// the key.
fn open_checked(
    file: &Path,
    how: &Unlock<'_>,
    into: &Path,
    stage: Stage,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Manifest, MasterKey)> {
    let manifest = container::read_all(file, Some(into), &mut |done, total| {
        progress(Progress { stage, done, total })
    })?;
    let key = vault::read_key_in(into, how).map_err(|e| match e {
        Error::DamagedKeySlot { detail } => {
            container::damaged(file, format!("its key file is damaged ({detail})"))
        }
        other => other,
    })?;
    if !manifest.mac_matches(&key)? {
        return Err(container::damaged(
            file,
            "its manifest has been changed since the backup was made",
        ));
    }
    let meta =
        VaultMeta::read(into).map_err(|_| container::damaged(file, "its vault.toml is damaged"))?;
    if meta.vault_id.to_string() != manifest.vault_id {
        return Err(container::damaged(
            file,
            "its vault.toml names another vault than its manifest",
        ));
    }
    let (counts, schema) = check_database(&into.join(db::DB_FILE), &key, &manifest.vault_id, file)?;
    if counts != manifest.counts || schema != manifest.schema_version {
        return Err(container::damaged(
            file,
            "its database does not hold what its manifest says",
        ));
    }
    Ok((manifest, key))
}

/// Opens a backup with the passphrase of its day or the recovery key and checks everything:
/// every file's hash, the container's structure, the manifest's MAC, `cipher_integrity_check`,
/// `integrity_check`, the audit chain and the counts. Only ciphertext is written, to a private
/// temporary folder removed afterwards. When `live` is the vault the backup was made from and the
/// same key opens it, the check is recorded in its audit log.
pub fn verify(
    file: &Path,
    how: Unlock<'_>,
    live: Option<&Vault>,
    progress: &mut dyn FnMut(Progress),
) -> Result<BackupVerified> {
    let temp = tempfile::Builder::new()
        .prefix("casenotes-verify-")
        .tempdir()
        .map_err(Error::io("Could not make a private temporary folder"))?;
    let (manifest, key) = open_checked(file, &how, temp.path(), Stage::Verifying, progress)?;
    let conn = db::open_snapshot(&temp.path().join(db::DB_FILE), &key)?;
    let head = audit::verify(&conn, &manifest.vault_id)?.head_hash;
    conn.close().map_err(|(_, e)| Error::Database(e))?;
    let info = info_from(file, &manifest);
    let mut recorded_in_vault = false;
    if let Some(live) = live.filter(|v| v.meta().vault_id.to_string() == manifest.vault_id) {
        // The same master key opens the live vault unless it has been changed since.
        if let Ok(session) = live.open_with_key(key, "backup_verify") {
            session.record(
                Action::BackupVerified,
                Some(&info.file_name),
                json!({ "created_at": manifest.created_at, "bytes": info.bytes }),
            )?;
            session.lock()?;
            recorded_in_vault = true;
        }
    }
    Ok(BackupVerified {
        info,
        schema_version: manifest.schema_version,
        audit_head_hash: head,
        recorded_in_vault,
    })
}

/// Restores a backup into `to`, which must be missing, an empty folder, or (with `replace`) a
/// vault, which is first moved aside to `<to>.replaced-YYYYMMDD-HHMMSS` and never deleted. The
/// backup is checked in full in a staging folder beside `to` before anything is moved, so a bad
/// file changes nothing. Returns the restored vault, unlocked, with the restore in its audit log.
pub fn restore(
    file: &Path,
    how: Unlock<'_>,
    to: &Path,
    replace: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Restored, Session)> {
    let existing_vault = to.join(vault::META_FILE).exists();
    if existing_vault && !replace {
        return Err(Error::VaultExists { dir: to.to_owned() });
    }
    if to.exists() && !existing_vault && !fsutil::is_empty_dir(to)? {
        return Err(Error::FolderNotEmpty { dir: to.to_owned() });
    }
    let parent = fsutil::parent_folder(to).to_owned();
    fsutil::create_private_dir(&parent)?;
    let name = to
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vault".to_owned());
    let staging = parent.join(format!(".{name}.restoring-{}", std::process::id()));
    if staging.exists() {
        // Our own process id: a leftover of an earlier run of this same process.
        let _ = std::fs::remove_dir_all(&staging);
    }
    fsutil::create_private_dir(&staging)?;
    let result = (|| {
        let (manifest, key) = open_checked(file, &how, &staging, Stage::Restoring, progress)?;
        let moved_aside = if existing_vault {
            let aside = parent.join(format!(
                "{name}.replaced-{}",
                Local::now().format("%Y%m%d-%H%M%S")
            ));
            std::fs::rename(to, &aside).map_err(Error::io(format!(
                "Could not move the vault in {} aside",
                to.display()
            )))?;
            Some(aside)
        } else {
            if to.exists() {
                std::fs::remove_dir(to)
                    .map_err(Error::io(format!("Could not use {}", to.display())))?;
            }
            None
        };
        std::fs::rename(&staging, to).map_err(Error::io(format!(
            "Could not move the restored vault into {}",
            to.display()
        )))?;
        fsutil::sync_dir(&parent)?;
        Ok((manifest, key, moved_aside))
    })();
    let (manifest, key, moved_aside) = match result {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let (registers, warnings) = later_registers(file, &manifest, moved_aside.as_deref(), &key);
    let vault = Vault::open(to)?;
    let mut session = vault.open_restored(key)?;
    // Nothing destroyed after the backup was made comes back.
    let mut destroyed_again = Vec::new();
    for (source, certs) in &registers {
        destroyed_again.extend(crate::retention::reapply(&mut session, source, certs)?);
    }
    schedule::record_restored_from(&mut session, &manifest.created_at, file)?;
    let file_name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    session.record(
        Action::BackupRestored,
        Some(&file_name),
        json!({
            "backup_created_at": manifest.created_at,
            "moved_aside": moved_aside.is_some(),
            "destroyed_again": destroyed_again.len(),
        }),
    )?;
    Ok((
        Restored {
            vault_dir: path_text(to),
            moved_aside: moved_aside.as_deref().map(path_text),
            backup_created_at: manifest.created_at,
            counts: manifest.counts,
            destroyed_again,
            warnings,
        },
        session,
    ))
}

/// The destruction registers that may know of destructions after this backup was made: the
/// vault the restore replaced, and newer backups of the same vault in the backup's folder. Each
/// is read with the backup's key; one that will not open is named in a warning.
fn later_registers(
    file: &Path,
    manifest: &Manifest,
    replaced: Option<&Path>,
    key: &MasterKey,
) -> (
    Vec<(String, Vec<crate::retention::Certificate>)>,
    Vec<String>,
) {
    let mut registers = Vec::new();
    let mut warnings = Vec::new();
    if let Some(old) = replaced {
        let read = db::open(&old.join(db::DB_FILE), key, false).and_then(|conn| {
            let certs = crate::retention::register::list(&conn);
            let _ = conn.close();
            certs
        });
        match read {
            Ok(certs) => registers.push(("the vault it replaced".to_owned(), certs)),
            Err(_) => warnings.push(format!(
                "The destruction register of the vault moved aside to {} could not be read with this backup's key, so records destroyed there after the backup was made may be back. Check the Retention screen.",
                old.display()
            )),
        }
    }
    let folder = fsutil::parent_folder(file);
    let newer = list(folder).unwrap_or_default().into_iter().filter(|b| {
        b.vault_id == manifest.vault_id
            && b.created_at > manifest.created_at
            && Path::new(&b.path) != file
    });
    for b in newer {
        let read = (|| -> Result<Vec<crate::retention::Certificate>> {
            let temp = tempfile::Builder::new()
                .prefix("casenotes-register-")
                .tempdir()
                .map_err(Error::io("Could not make a private temporary folder"))?;
            container::read_all(Path::new(&b.path), Some(temp.path()), &mut |_, _| {})?;
            let conn = db::open_snapshot(&temp.path().join(db::DB_FILE), key)?;
            let certs = crate::retention::register::list(&conn)?;
            let _ = conn.close();
            Ok(certs)
        })();
        match read {
            Ok(certs) => registers.push((format!("the newer backup {}", b.file_name), certs)),
            Err(_) => warnings.push(format!(
                "The newer backup {} could not be read, so records destroyed before it was made may be back. Check the Retention screen.",
                b.file_name
            )),
        }
    }
    (registers, warnings)
}
