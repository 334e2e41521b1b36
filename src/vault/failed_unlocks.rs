//! Failed unlock attempts, counted outside the vault.
//!
//! A locked vault cannot be written to, so a failed attempt is counted in `unlock-failures.json`
//! beside the database (a count and two times, nothing secret). The next successful unlock folds
//! the count into the audit log and clears the file, so the practitioner learns of attempts made
//! while they were away. Anyone with access to the folder can delete this file; the count is a
//! warning, not a proof.

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fsutil;

pub const FILE_NAME: &str = "unlock-failures.json";

/// Failed attempts since the last successful unlock.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedUnlocks {
    pub count: u32,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
}

fn path(dir: &Path) -> PathBuf {
    dir.join(FILE_NAME)
}

impl FailedUnlocks {
    /// Parses the file's bytes (untrusted: the fuzz target `unlock_failures` drives it); `dir`
    /// only names the vault in an error.
    pub fn parse(dir: &Path, bytes: &[u8]) -> Result<Self> {
        serde_json::from_slice(bytes).map_err(|e| Error::NotAVault {
            dir: dir.to_owned(),
            reason: format!("{FILE_NAME} is damaged ({e}); delete it to reset the count"),
        })
    }
}

/// Reads the count; a missing file means none, and an unreadable one is reported, not ignored.
pub fn read(dir: &Path) -> Result<FailedUnlocks> {
    match std::fs::read(path(dir)) {
        Ok(bytes) => FailedUnlocks::parse(dir, &bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FailedUnlocks::default()),
        Err(e) => Err(Error::io(format!("Could not read {}", path(dir).display()))(e)),
    }
}

/// Adds one failed attempt.
pub fn record(dir: &Path, at: DateTime<Utc>) -> Result<FailedUnlocks> {
    let mut current = read(dir).unwrap_or_default();
    current.count = current.count.saturating_add(1);
    current.first_at.get_or_insert(at);
    current.last_at = Some(at);
    let bytes =
        serde_json::to_vec_pretty(&current).map_err(|e| Error::Encryption(e.to_string()))?;
    fsutil::write_atomic(&path(dir), &bytes)?;
    Ok(current)
}

/// Clears the count after it has been written into the audit log.
pub fn clear(dir: &Path) -> Result<()> {
    match std::fs::remove_file(path(dir)) {
        Ok(()) => fsutil::sync_dir(dir),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::io(format!(
            "Could not clear {}",
            path(dir).display()
        ))(e)),
    }
}
