//! `manifest.json`: the last file of a bundle, listing every other file with its size and
//! SHA-256, which casenotes made it (version and build commit), for which request and when, and
//! what was withheld and why, by count and reason. Never any withheld content.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::data::WithheldCount;

pub const FORMAT_NAME: &str = "casenotes-subject-access-bundle";
pub const FORMAT_VERSION: u32 = 1;
pub const MANIFEST: &str = "manifest.json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub generator_version: String,
    pub build_commit: String,
    pub request_reference: i64,
    pub case_reference: String,
    pub created_at: String,
    /// Every file of the bundle but this one, in the order they were written.
    pub files: Vec<ManifestFile>,
    pub withheld: Vec<WithheldCount>,
}

pub fn entry(path: &str, bytes: &[u8]) -> ManifestFile {
    ManifestFile {
        path: path.to_owned(),
        bytes: bytes.len() as u64,
        sha256: hex::encode(Sha256::digest(bytes)),
    }
}
