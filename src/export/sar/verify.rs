//! `casenotes bundle verify`: decrypts a bundle in memory, reads every file of its tar stream,
//! and checks each against the manifest (present, the stated size, the stated SHA-256), that
//! nothing unlisted is there, and that the age stream is whole to its last byte. Nothing is
//! written anywhere. Failures name the file and what is wrong, never its content.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use age::DecryptError;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::data::WithheldCount;
use super::manifest::{Manifest, FORMAT_NAME, FORMAT_VERSION, MANIFEST};
use crate::error::{Error, Result};
use crate::secret::{Passphrase, RecoveryKey};
use crate::vault::slots::MAX_WORK_FACTOR;

/// What opens a bundle.
pub enum BundleKey<'a> {
    Passphrase(&'a Passphrase),
    /// An age identity (`AGE-SECRET-KEY-1…`), such as one made by `age-keygen`.
    Identity(&'a RecoveryKey),
}

/// What a sound bundle holds.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Serialize)]
pub struct Verified {
    pub files: u32,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub bytes: u64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub request_reference: i64,
    pub case_reference: String,
    pub created_at: String,
    pub generator_version: String,
    pub build_commit: String,
    pub withheld: Vec<WithheldCount>,
}

fn damaged(file: &Path, detail: impl Into<String>) -> Error {
    Error::BundleDamaged {
        file: file.to_owned(),
        detail: detail.into(),
    }
}

/// Largest single file read into memory when checking (attachments are at most 25 MB).
const FILE_LIMIT: u64 = 64 << 20;

fn read_error(file: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        damaged(
            file,
            "it ends early (the file is truncated, perhaps copied only in part)",
        )
    } else {
        damaged(
            file,
            "part of it does not decrypt: it was changed or damaged after it was made",
        )
    }
}

/// Reads the identity in an age identity file (comments and blank lines ignored).
pub fn parse_identity_file(text: &str) -> Result<RecoveryKey> {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| l.to_ascii_uppercase().starts_with("AGE-SECRET-KEY-1"))
        .ok_or(Error::MalformedRecoveryKey)?;
    RecoveryKey::parse(line)
}

/// Opens and checks the whole bundle.
pub fn verify(file: &Path, key: &BundleKey<'_>) -> Result<Verified> {
    let f = File::open(file).map_err(Error::io(format!("Could not open {}", file.display())))?;
    let decryptor = age::Decryptor::new_buffered(BufReader::with_capacity(1 << 20, f))
        .map_err(|e| match e {
            DecryptError::Io(ref io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
                damaged(file, "it is empty or ends in its first bytes")
            }
            _ => damaged(
                file,
                "it is not an encrypted subject-access bundle (not an age file, or its header is damaged)",
            ),
        })?;
    let by_passphrase = decryptor.is_scrypt();
    let wrong = |secret: &'static str| Error::WrongBundleSecret {
        file: file.to_owned(),
        secret,
    };
    let reader = match key {
        BundleKey::Passphrase(p) => {
            if !by_passphrase {
                return Err(Error::rule(
                    "This bundle was encrypted to a recipient key, not to a passphrase.",
                    "Open it with the matching identity file (--identity-file).",
                ));
            }
            let mut identity = age::scrypt::Identity::new(p.secret().clone());
            identity.set_max_work_factor(MAX_WORK_FACTOR);
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
        BundleKey::Identity(k) => {
            if by_passphrase {
                return Err(Error::rule(
                    "This bundle was encrypted to a passphrase, not to a key.",
                    "Open it with its passphrase (--bundle-passphrase-file).",
                ));
            }
            let identity = k.identity()?;
            decryptor.decrypt(std::iter::once(&identity as &dyn age::Identity))
        }
    }
    .map_err(|e| match e {
        DecryptError::DecryptionFailed | DecryptError::KeyDecryptionFailed => {
            wrong(if by_passphrase { "passphrase" } else { "key" })
        }
        DecryptError::NoMatchingKeys => wrong("key"),
        DecryptError::ExcessiveWork { required, .. } => damaged(
            file,
            format!(
                "it demands a work factor of 2^{required}, above the limit of 2^{MAX_WORK_FACTOR}"
            ),
        ),
        DecryptError::InvalidMac => {
            damaged(file, "its header is damaged (it does not match its MAC)")
        }
        _ => damaged(file, "its header is damaged"),
    })?;
    check_stream(file, reader)
}

/// For the fuzz target `sar_bundle` only, not for use: checks `plain` as the decrypted stream of
/// a bundle (tar entries, manifest, sizes and hashes), so the fuzzer reaches the reader behind
/// age's MACs, which random bytes never pass.
#[doc(hidden)]
pub fn fuzz_check_stream(plain: &[u8]) -> Result<Verified> {
    check_stream(Path::new("fuzz.age"), plain)
}

/// Reads the decrypted tar stream to its end and checks it against its manifest.
fn check_stream(file: &Path, reader: impl Read) -> Result<Verified> {
    let mut archive = tar::Archive::new(reader);
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut manifest_raw: Option<Vec<u8>> = None;
    {
        let entries = archive
            .entries()
            .map_err(|e| read_error(file, &e))?
            .raw(true);
        for entry in entries {
            let mut entry = entry.map_err(|e| {
                if e.kind() == std::io::ErrorKind::UnexpectedEof {
                    read_error(file, &e)
                } else if e.kind() == std::io::ErrorKind::Other
                    || e.kind() == std::io::ErrorKind::InvalidData
                {
                    // A tar header that fails its checksum, or an age chunk that fails its MAC.
                    damaged(
                        file,
                        "part of it does not decrypt: it was changed or damaged after it was made",
                    )
                } else {
                    read_error(file, &e)
                }
            })?;
            let path = entry
                .path()
                .ok()
                .and_then(|p| p.to_str().map(str::to_owned))
                .ok_or_else(|| damaged(file, "it holds a file with an unreadable name"))?;
            if entry.header().entry_type() != tar::EntryType::Regular
                || path.starts_with('/')
                || path.split('/').any(|part| part == ".." || part.is_empty())
            {
                return Err(damaged(
                    file,
                    format!("it holds something casenotes never writes ({path:?})"),
                ));
            }
            if entry.size() > FILE_LIMIT {
                return Err(damaged(file, format!("{path} is implausibly large")));
            }
            if seen.contains_key(&path) || manifest_raw.is_some() {
                return Err(damaged(
                    file,
                    format!("{path} appears where casenotes never puts a file (twice, or after the manifest)"),
                ));
            }
            // The header's size is the bundle's word, not a fact: reserve at most 1 MiB ahead.
            let mut raw = Vec::with_capacity(entry.size().min(1 << 20) as usize);
            entry
                .read_to_end(&mut raw)
                .map_err(|e| read_error(file, &e))?;
            if path == MANIFEST {
                manifest_raw = Some(raw);
            } else {
                let digest = hex::encode(Sha256::digest(&raw));
                seen.insert(path.clone(), (raw.len() as u64, digest));
                order.push(path);
            }
        }
    }
    // The tar reader stops at the end-of-archive blocks; the rest of the age stream must still
    // decrypt and end properly, or the file was cut or altered after the archive.
    let mut rest = archive.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| read_error(file, &e))?;

    let raw = manifest_raw.ok_or_else(|| {
        damaged(
            file,
            "its manifest.json is missing (the bundle is incomplete)",
        )
    })?;
    let manifest: Manifest = serde_json::from_slice(&raw).map_err(|_| {
        damaged(
            file,
            "its manifest.json is damaged (it is not the JSON casenotes writes)",
        )
    })?;
    if manifest.format != FORMAT_NAME {
        return Err(damaged(
            file,
            "it is not a casenotes subject-access bundle (its manifest says otherwise)",
        ));
    }
    if manifest.format_version > FORMAT_VERSION {
        return Err(damaged(
            file,
            format!(
                "it was made by a newer version of casenotes (bundle format {}; this version reads format {FORMAT_VERSION}). Please update casenotes",
                manifest.format_version
            ),
        ));
    }
    let mut problems = Vec::new();
    for listed in &manifest.files {
        match seen.remove(&listed.path) {
            None => problems.push(format!("{} is missing", listed.path)),
            Some((bytes, _)) if bytes != listed.bytes => problems.push(format!(
                "{} has the wrong size (the manifest says {} bytes, the file holds {bytes})",
                listed.path, listed.bytes
            )),
            Some((_, sha)) if sha != listed.sha256 => problems.push(format!(
                "{} is damaged (its SHA-256 does not match the manifest)",
                listed.path
            )),
            Some(_) => {}
        }
    }
    for extra in seen.keys() {
        problems.push(format!("{extra} is not listed in the manifest"));
    }
    if !problems.is_empty() {
        return Err(damaged(file, problems.join("; ")));
    }
    Ok(Verified {
        files: order.len() as u32 + 1,
        bytes: manifest.files.iter().map(|f| f.bytes).sum::<u64>() + raw.len() as u64,
        request_reference: manifest.request_reference,
        case_reference: manifest.case_reference,
        created_at: manifest.created_at,
        generator_version: manifest.generator_version,
        build_commit: manifest.build_commit,
        withheld: manifest.withheld,
    })
}
