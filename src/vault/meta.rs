//! `vault.toml`: what a vault is, readable without any secret. Holds nothing secret or clinical.

use std::path::Path;

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{Error, Result};
use crate::fsutil;

pub const FILE_NAME: &str = "vault.toml";
/// The on-disk layout this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VaultMeta {
    pub format_version: u32,
    pub vault_id: Uuid,
    /// UTC, RFC 3339.
    pub created_at: String,
}

impl VaultMeta {
    pub fn new() -> Self {
        Self {
            format_version: FORMAT_VERSION,
            vault_id: Uuid::new_v4(),
            created_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
        }
    }

    pub fn read(dir: &Path) -> Result<Self> {
        let path = dir.join(FILE_NAME);
        let text = std::fs::read_to_string(&path)
            .map_err(Error::io(format!("Could not read {}", path.display())))?;
        Self::parse(dir, &text)
    }

    /// Parses the text of a `vault.toml` (untrusted: the fuzz target `vault_toml` drives it);
    /// `dir` only names the vault in an error.
    pub fn parse(dir: &Path, text: &str) -> Result<Self> {
        let meta: VaultMeta = toml::from_str(text).map_err(|e| Error::NotAVault {
            dir: dir.to_owned(),
            reason: format!("{FILE_NAME} could not be read ({})", e.message()),
        })?;
        if meta.format_version > FORMAT_VERSION {
            return Err(Error::UnsupportedFormat {
                found: meta.format_version,
                supported: FORMAT_VERSION,
            });
        }
        Ok(meta)
    }

    pub fn write(&self, dir: &Path) -> Result<()> {
        let body = toml::to_string(self).map_err(|e| Error::Encryption(e.to_string()))?;
        let text = format!("# casenotes vault: nothing secret is kept in this file.\n{body}");
        fsutil::write_atomic(&dir.join(FILE_NAME), text.as_bytes())
    }
}

impl Default for VaultMeta {
    fn default() -> Self {
        Self::new()
    }
}
