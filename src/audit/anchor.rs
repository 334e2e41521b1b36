//! The audit log's anchor outside the database: the newest entry's number and hash, with the
//! time, MACed with a key derived from the master key. Kept in two places: beside the vault
//! (`audit-anchor.json`) and in this computer's per-user config folder (one file per vault id),
//! so that putting back an older copy of the vault folder, which brings its own older anchor
//! with it, is still caught by the other.
//!
//! Checked at unlock: the log must still hold the anchored entry with the anchored hash. A log
//! that is shorter, or whose entry differs, was rolled back or truncated; unlocking goes on (the
//! records are the practitioner's), but the finding is written into the log and reported.
//! Restoring a backup through casenotes is a rollback the practitioner asked for, and re-anchors.
//! Holds no secret and nothing clinical; a file that fails its MAC is treated as a finding too.

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::MasterKey;

/// The anchor's file name beside the vault.
pub const FILE_NAME: &str = "audit-anchor.json";
/// Overrides the per-user config folder (tests, portable installs).
pub const CONFIG_DIR_ENV: &str = "CASENOTES_CONFIG_DIR";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Anchor {
    vault_id: String,
    seq: i64,
    hash: String,
    at: String,
    mac: String,
}

/// What a check found wrong, in words for the practitioner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub anchored_seq: i64,
    pub anchored_at: String,
    pub found_seq: i64,
    pub message: String,
}

/// The two places an anchor is kept for a vault. The config folder's file is named for the vault
/// id and the folder the vault is in, so a restored copy elsewhere (same id) keeps its own.
pub fn locations(vault_dir: &Path, vault_id: &str) -> Vec<PathBuf> {
    use sha2::Digest;
    let place = std::fs::canonicalize(vault_dir).unwrap_or_else(|_| vault_dir.to_owned());
    let place = hex::encode(&Sha256::digest(place.to_string_lossy().as_bytes())[..8]);
    let mut out = vec![vault_dir.join(FILE_NAME)];
    let config = std::env::var_os(CONFIG_DIR_ENV)
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            directories::ProjectDirs::from("uk", "casenotes", "casenotes")
                .map(|d| d.config_dir().to_owned())
        });
    if let Some(config) = config {
        out.push(
            config
                .join("anchors")
                .join(format!("{vault_id}-{place}.json")),
        );
    }
    out
}

fn mac(key: &MasterKey, a: &Anchor) -> Result<String> {
    let mut k = zeroize::Zeroizing::new([0u8; 32]);
    key.derive(
        b"casenotes audit anchor",
        b"anchor mac v1",
        k.as_mut_slice(),
    )?;
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(k.as_slice())
        .map_err(|e| Error::Encryption(e.to_string()))?;
    for field in [a.vault_id.as_str(), &a.seq.to_string(), &a.hash, &a.at] {
        m.update(&(field.len() as u64).to_be_bytes());
        m.update(field.as_bytes());
    }
    Ok(hex::encode(m.finalize().into_bytes()))
}

fn head(conn: &Connection) -> Result<(i64, String)> {
    Ok(conn
        .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?
        .unwrap_or((0, crate::audit::GENESIS_HASH.to_owned())))
}

/// Writes the current head to every location (best effort for the config folder: a read-only
/// home must not stop the practitioner working; the anchor beside the vault must be written).
pub fn write(conn: &Connection, key: &MasterKey, vault_dir: &Path, vault_id: &str) -> Result<()> {
    let (seq, hash) = head(conn)?;
    let mut a = Anchor {
        vault_id: vault_id.to_owned(),
        seq,
        hash,
        at: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        mac: String::new(),
    };
    a.mac = mac(key, &a)?;
    let body = serde_json::to_vec_pretty(&a).map_err(|e| Error::Encryption(e.to_string()))?;
    for (i, path) in locations(vault_dir, vault_id).iter().enumerate() {
        let written = path
            .parent()
            .map_or(Ok(()), fsutil::create_private_dir)
            .and_then(|()| fsutil::write_atomic(path, &body));
        if i == 0 {
            written?;
        }
    }
    Ok(())
}

/// Compares the log with every anchor that exists. `None` when all agree (or none exists yet).
pub fn check(
    conn: &Connection,
    key: &MasterKey,
    vault_dir: &Path,
    vault_id: &str,
) -> Result<Option<Finding>> {
    let (found_seq, _) = head(conn)?;
    for path in locations(vault_dir, vault_id) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let finding = |anchored_seq: i64, anchored_at: String, why: String| Finding {
            anchored_seq,
            anchored_at,
            found_seq,
            message: why,
        };
        let Ok(a) = serde_json::from_slice::<Anchor>(&bytes) else {
            return Ok(Some(finding(
                0,
                String::new(),
                format!(
                    "The audit log's anchor in {} cannot be read; it may have been tampered with.",
                    path.display()
                ),
            )));
        };
        if a.vault_id != vault_id || mac(key, &a)? != a.mac {
            return Ok(Some(finding(
                a.seq,
                a.at,
                format!(
                "The audit log's anchor in {} does not belong to this vault or has been altered.",
                path.display()
            ),
            )));
        }
        let at_seq: Option<String> = conn
            .query_row("SELECT hash FROM audit_log WHERE seq = ?1", [a.seq], |r| {
                r.get(0)
            })
            .optional()?;
        let ok = a.seq == 0 || at_seq.as_deref() == Some(a.hash.as_str());
        if !ok {
            let why = if found_seq < a.seq {
                format!(
                    "The audit log ends at entry {found_seq}, but on {} it had reached entry {}: an older copy of the vault has been put back, or entries were removed.",
                    a.at, a.seq
                )
            } else {
                format!(
                    "Entry {} of the audit log is not the one recorded on {}: an older copy of the vault has been put back, or the log was rewritten.",
                    a.seq, a.at
                )
            };
            return Ok(Some(finding(a.seq, a.at, why)));
        }
    }
    Ok(None)
}
