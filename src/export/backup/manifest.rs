//! `manifest.json` and `SHA256SUMS`: what a backup holds, readable without any secret.
//!
//! The manifest names the vault, the time, the program that wrote it, how many records of each
//! kind the snapshot holds, and the SHA-256 of every other file. `SHA256SUMS` lists the SHA-256 of
//! every file including the manifest, in the format `sha256sum -c` reads, so a flipped byte
//! anywhere is found with stock tools too. The manifest also carries a MAC under a key derived
//! from the master key, so casenotes can tell that nobody rewrote it (counts, dates) along with
//! its hashes. Holds counts and hashes only: never a name, a case reference or any clinical text.

use hmac::{Hmac, Mac};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::Result;
use crate::secret::MasterKey;

/// The `format` field: what kind of file this is.
pub const FORMAT_NAME: &str = "casenotes-backup";
/// The container layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

/// How many records of each kind a backup holds; compared with the database on verify.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Counts {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub clients: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub notes: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub addenda: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub appointments: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub attachments: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub audit_entries: i64,
}

impl Counts {
    /// Counts the records in a database.
    pub fn of(conn: &Connection) -> Result<Counts> {
        let count = |table: &str| -> Result<i64> {
            // Table names come from the fixed list below, never from input.
            Ok(conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?)
        };
        Ok(Counts {
            clients: count("clients")?,
            notes: count("notes")?,
            addenda: count("note_addenda")?,
            appointments: count("appointments")?,
            attachments: count("attachments")?,
            audit_entries: count("audit_log")?,
        })
    }
}

/// Which program wrote the backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
    pub commit: String,
}

/// One file in the backup and its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub vault_id: String,
    pub vault_format_version: u32,
    pub schema_version: i64,
    /// UTC, RFC 3339 with milliseconds.
    pub created_at: String,
    pub generator: Generator,
    pub counts: Counts,
    pub files: Vec<FileEntry>,
    /// HMAC-SHA256 of the manifest with this field empty, under [`mac_key`]; lowercase hex.
    #[serde(default)]
    pub mac: String,
}

type HmacSha256 = Hmac<Sha256>;

/// A key for authenticating manifests, derived from the master key with HKDF-SHA256, so the
/// master key itself is never used for two purposes.
fn mac_key(key: &MasterKey) -> Result<zeroize::Zeroizing<[u8; 32]>> {
    let mut out = zeroize::Zeroizing::new([0u8; 32]);
    key.derive(b"casenotes backup", b"manifest mac v1", out.as_mut_slice())?;
    Ok(out)
}

impl Manifest {
    fn mac_input(&self) -> Result<Vec<u8>> {
        let mut unsigned = self.clone();
        unsigned.mac.clear();
        serde_json::to_vec(&unsigned).map_err(|e| crate::Error::Encryption(e.to_string()))
    }

    fn hmac(&self, key: &MasterKey) -> Result<HmacSha256> {
        let mut mac = <HmacSha256 as Mac>::new_from_slice(mac_key(key)?.as_slice())
            .map_err(|e| crate::Error::Encryption(e.to_string()))?;
        mac.update(&self.mac_input()?);
        Ok(mac)
    }

    pub fn sign(&mut self, key: &MasterKey) -> Result<()> {
        self.mac = hex::encode(self.hmac(key)?.finalize().into_bytes());
        Ok(())
    }

    /// Whether the MAC was made with this key over exactly these fields (constant time).
    pub fn mac_matches(&self, key: &MasterKey) -> Result<bool> {
        let Ok(tag) = hex::decode(&self.mac) else {
            return Ok(false);
        };
        Ok(self.hmac(key)?.verify_slice(&tag).is_ok())
    }

    pub fn file(&self, path: &str) -> Option<&FileEntry> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `SHA256SUMS` in the format `sha256sum -c` reads: `<hex>  <path>\n` per file.
pub fn sums_text(files: &[FileEntry]) -> String {
    files
        .iter()
        .map(|f| format!("{}  {}\n", f.sha256, f.path))
        .collect()
}

/// Parses `SHA256SUMS` strictly: exactly the lines [`sums_text`] writes, nothing else.
pub fn parse_sums(text: &str) -> Option<Vec<(String, String)>> {
    let mut out = Vec::new();
    if !text.ends_with('\n') {
        return None;
    }
    for line in text.lines() {
        let (hash, path) = line.split_once("  ")?;
        if hash.len() != 64
            || !hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        if path.is_empty() || path.contains(char::is_whitespace) {
            return None;
        }
        out.push((hash.to_owned(), path.to_owned()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            format: FORMAT_NAME.into(),
            format_version: FORMAT_VERSION,
            vault_id: "v".into(),
            vault_format_version: 1,
            schema_version: 3,
            created_at: "2026-11-25T10:00:00.000Z".into(),
            generator: Generator {
                name: "casenotes".into(),
                version: "0.1.0".into(),
                commit: "abc".into(),
            },
            counts: Counts::default(),
            files: vec![FileEntry {
                path: "casenotes.db".into(),
                bytes: 4,
                sha256: sha256_hex(b"abcd"),
            }],
            mac: String::new(),
        }
    }

    #[test]
    fn the_mac_covers_every_field_and_needs_the_key() {
        let key = MasterKey::generate().unwrap();
        let mut m = manifest();
        m.sign(&key).unwrap();
        assert!(m.mac_matches(&key).unwrap());
        assert!(!m.mac_matches(&MasterKey::generate().unwrap()).unwrap());
        let mut changed = m.clone();
        changed.created_at = "2026-11-26T10:00:00.000Z".into();
        assert!(!changed.mac_matches(&key).unwrap());
        let mut changed = m.clone();
        changed.counts.notes = 1;
        assert!(!changed.mac_matches(&key).unwrap());
    }

    #[test]
    fn sums_round_trip_and_reject_anything_else() {
        let m = manifest();
        let text = sums_text(&m.files);
        assert_eq!(
            parse_sums(&text).unwrap(),
            vec![(m.files[0].sha256.clone(), "casenotes.db".to_owned())]
        );
        assert!(parse_sums(&text.replace("  ", " ")).is_none());
        assert!(parse_sums(text.trim_end()).is_none());
        assert!(parse_sums(&text.replace('a', "A")).is_none() || !text.contains('a'));
    }
}
