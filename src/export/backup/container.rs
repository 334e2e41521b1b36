//! The `.cnbak` container: a POSIX (ustar) tar file, so the stock `tar` tool can open it.
//!
//! ```text
//! manifest.json          what the backup holds (see manifest.rs), first so it is quick to list
//! SHA256SUMS             SHA-256 of every file, manifest included (`sha256sum -c SHA256SUMS`)
//! vault.toml             the vault's metadata, as in the vault folder
//! keys/passphrase.age    the key slots of the day: the passphrase then current opens the backup,
//! keys/recovery.age      and so does the recovery key
//! casenotes.db           a consistent snapshot of the database, still encrypted with the master key
//! ```
//!
//! Reading is strict, because a backup is only worth what it restores: exactly these files in
//! this order, each a regular file of the stated size and hash, every tar header's checksum in
//! the exact form we write, zero padding, and nothing after the end-of-archive blocks. So a
//! truncated file, a flipped byte anywhere, or a file that is not ours is reported by name.
//! Nothing here ever sees plaintext: the database is copied as ciphertext.

use std::fs::{File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::manifest::{self, FileEntry, Manifest};
use crate::error::{Error, Result};

pub const MANIFEST: &str = "manifest.json";
pub const SUMS: &str = "SHA256SUMS";
/// The vault's files in the order they are stored, after the manifest and the sums.
pub const VAULT_FILES: [&str; 4] = [
    "vault.toml",
    "keys/passphrase.age",
    "keys/recovery.age",
    "casenotes.db",
];
/// Small files are read into memory; bound them so a hostile file cannot exhaust it.
const SMALL_FILE_LIMIT: u64 = 1 << 20;
const BLOCK: u64 = 512;

/// What a failure to read a backup is called, with the file named.
pub fn damaged(file: &Path, detail: impl Into<String>) -> Error {
    Error::BackupDamaged {
        file: file.to_owned(),
        detail: detail.into(),
    }
}

fn io_damaged(file: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        damaged(
            file,
            "it ends early: the file is truncated (perhaps copied or written only in part)",
        )
    } else {
        damaged(
            file,
            format!("it could not be read as a casenotes backup ({e})"),
        )
    }
}

/// Hashes a file on disk.
pub fn hash_file(path: &Path) -> Result<FileEntry> {
    let mut file =
        File::open(path).map_err(Error::io(format!("Could not read {}", path.display())))?;
    let mut hasher = Sha256::new();
    let bytes = std::io::copy(&mut file, &mut hasher)
        .map_err(Error::io(format!("Could not read {}", path.display())))?;
    Ok(FileEntry {
        path: String::new(),
        bytes,
        sha256: hex::encode(hasher.finalize()),
    })
}

/// Writes the container to `out`, which must not exist (it is created, never followed if it is a
/// symbolic link), and flushes it to disk. `sources` are the vault files in [`VAULT_FILES`] order.
pub fn write(
    out: &Path,
    manifest_json: &[u8],
    sums: &[u8],
    sources: &[PathBuf],
    mtime: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let what = || format!("Could not write the backup {}", out.display());
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(out).map_err(Error::io(what()))?;
    let total: u64 = sources
        .iter()
        .map(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0))
        .sum::<u64>()
        + manifest_json.len() as u64
        + sums.len() as u64;
    let mut done = 0u64;
    let mut builder = tar::Builder::new(BufWriter::with_capacity(1 << 20, file));
    let mut append = |builder: &mut tar::Builder<BufWriter<File>>,
                      path: &str,
                      size: u64,
                      data: &mut dyn Read|
     -> Result<()> {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(size);
        header.set_mode(0o600);
        header.set_mtime(mtime);
        header.set_uid(0);
        header.set_gid(0);
        header
            .set_path(path)
            .map_err(|e| Error::Encryption(format!("tar path {path}: {e}")))?;
        header.set_cksum();
        builder.append(&header, data).map_err(Error::io(what()))?;
        done += size;
        progress(done, total);
        Ok(())
    };
    append(
        &mut builder,
        MANIFEST,
        manifest_json.len() as u64,
        &mut &manifest_json[..],
    )?;
    append(&mut builder, SUMS, sums.len() as u64, &mut &sums[..])?;
    for (name, source) in VAULT_FILES.iter().zip(sources) {
        let mut f = File::open(source)
            .map_err(Error::io(format!("Could not read {}", source.display())))?;
        let size = f
            .metadata()
            .map_err(Error::io(format!("Could not read {}", source.display())))?
            .len();
        // `take` guards against the file growing while it is copied: the header states `size`.
        append(&mut builder, name, size, &mut (&mut f).take(size))?;
    }
    let writer = builder.into_inner().map_err(Error::io(what()))?;
    let file = writer
        .into_inner()
        .map_err(|e| Error::io(what())(e.into_error()))?;
    file.sync_all().map_err(Error::io(what()))?;
    Ok(file.metadata().map_err(Error::io(what()))?.len())
}

/// Reads only the manifest (the first entry): quick, needs no secret, checks no hashes.
pub fn read_manifest(file: &Path) -> Result<Manifest> {
    let f = File::open(file).map_err(Error::io(format!("Could not open {}", file.display())))?;
    let mut archive = tar::Archive::new(BufReader::new(f));
    let mut entries = raw_entries(file, &mut archive)?;
    let mut first = entries
        .next()
        .ok_or_else(|| damaged(file, "it is empty or is not a casenotes backup"))?
        .map_err(|e| not_ours_or(file, &e))?;
    read_manifest_entry(file, &mut first)
}

/// The entries exactly as their headers say. casenotes writes only plain ustar headers; the tar
/// crate would otherwise read a GNU long-name, long-link or pax entry whole into memory before
/// the entry it describes, however large the file says it is.
fn raw_entries<'a, R: Read>(
    file: &Path,
    archive: &'a mut tar::Archive<R>,
) -> Result<tar::Entries<'a, R>> {
    Ok(archive
        .entries()
        .map_err(|e| io_damaged(file, &e))?
        .raw(true))
}

fn not_ours_or(file: &Path, e: &std::io::Error) -> Error {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        io_damaged(file, e)
    } else {
        damaged(
            file,
            "it is not a casenotes backup (it is not a tar file, or its first header is damaged)",
        )
    }
}

fn entry_path<R: Read>(file: &Path, entry: &tar::Entry<'_, R>) -> Result<String> {
    entry
        .path()
        .ok()
        .and_then(|p| p.to_str().map(str::to_owned))
        .ok_or_else(|| damaged(file, "it holds a file with an unreadable name"))
}

fn read_manifest_entry<R: Read>(file: &Path, entry: &mut tar::Entry<'_, R>) -> Result<Manifest> {
    let raw = read_small(file, entry, MANIFEST)?;
    parse_manifest(file, &raw)
}

fn parse_manifest(file: &Path, raw: &[u8]) -> Result<Manifest> {
    let manifest: Manifest = serde_json::from_slice(raw).map_err(|_| {
        damaged(
            file,
            "its manifest.json is damaged (it is not the JSON casenotes writes)",
        )
    })?;
    if manifest.format != manifest::FORMAT_NAME {
        return Err(damaged(
            file,
            "it is not a casenotes backup (its manifest says otherwise)",
        ));
    }
    if manifest.format_version > manifest::FORMAT_VERSION {
        return Err(damaged(
            file,
            format!(
                "it was made by a newer version of casenotes (backup format {}; this version reads format {}). Please update casenotes",
                manifest.format_version,
                manifest::FORMAT_VERSION
            ),
        ));
    }
    Ok(manifest)
}

fn read_small<R: Read>(
    file: &Path,
    entry: &mut tar::Entry<'_, R>,
    expected: &str,
) -> Result<Vec<u8>> {
    let path = entry_path(file, entry)?;
    if path != expected || entry.header().entry_type() != tar::EntryType::Regular {
        return Err(damaged(
            file,
            format!("it is not a casenotes backup (found {path:?} where {expected} should be)"),
        ));
    }
    let size = entry.size();
    if size > SMALL_FILE_LIMIT {
        return Err(damaged(
            file,
            format!("its {expected} is implausibly large"),
        ));
    }
    let mut raw = Vec::with_capacity(size as usize);
    entry
        .read_to_end(&mut raw)
        .map_err(|e| io_damaged(file, &e))?;
    if raw.len() as u64 != size {
        return Err(damaged(file, "it ends early: the file is truncated"));
    }
    Ok(raw)
}

/// Reads the whole container, checking everything, and writes the vault files into `extract_to`
/// (a private folder the caller made) when given. Returns the manifest.
pub fn read_all(
    file: &Path,
    extract_to: Option<&Path>,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<Manifest> {
    let total = std::fs::metadata(file)
        .map_err(Error::io(format!("Could not open {}", file.display())))?
        .len();
    if total == 0 {
        return Err(damaged(
            file,
            "it is empty (0 bytes), so it is not a casenotes backup",
        ));
    }
    let f = File::open(file).map_err(Error::io(format!("Could not open {}", file.display())))?;
    let mut archive = tar::Archive::new(BufReader::with_capacity(1 << 20, f));
    let mut entries = raw_entries(file, &mut archive)?;
    let mut next = |want: &str| -> Result<tar::Entry<'_, _>> {
        match entries.next() {
            Some(Ok(e)) => Ok(e),
            Some(Err(e)) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(io_damaged(file, &e))
            }
            Some(Err(_)) => Err(damaged(
                file,
                format!("a part of it is damaged (the header before {want} does not match its checksum)"),
            )),
            None => Err(damaged(
                file,
                format!("it ends early: {want} is missing (the file is truncated or incomplete)"),
            )),
        }
    };
    let mut layout: Vec<(u64, u64, u64)> = Vec::new(); // (header, data, size)
    let mut first = next(MANIFEST).map_err(|e| match e {
        Error::BackupDamaged { detail, .. } if detail.contains("checksum") => damaged(
            file,
            "it is not a casenotes backup (it is not a tar file, or its first header is damaged)",
        ),
        other => other,
    })?;
    layout.push((
        first.raw_header_position(),
        first.raw_file_position(),
        first.size(),
    ));
    let manifest_raw = read_small(file, &mut first, MANIFEST)?;
    drop(first);
    let manifest = parse_manifest(file, &manifest_raw)?;

    let mut sums_entry = next(SUMS)?;
    layout.push((
        sums_entry.raw_header_position(),
        sums_entry.raw_file_position(),
        sums_entry.size(),
    ));
    let sums_raw = read_small(file, &mut sums_entry, SUMS)?;
    drop(sums_entry);
    let sums = std::str::from_utf8(&sums_raw)
        .ok()
        .and_then(manifest::parse_sums)
        .ok_or_else(|| damaged(file, "its SHA256SUMS is damaged"))?;
    // SHA256SUMS must list the manifest and then exactly the manifest's files, with the same hashes.
    let expected: Vec<(String, String)> =
        std::iter::once((manifest::sha256_hex(&manifest_raw), MANIFEST.to_owned()))
            .chain(
                manifest
                    .files
                    .iter()
                    .map(|f| (f.sha256.clone(), f.path.clone())),
            )
            .collect();
    if sums.first() != expected.first() {
        return Err(damaged(
            file,
            "its manifest.json is damaged (its SHA-256 does not match SHA256SUMS)",
        ));
    }
    if sums != expected {
        return Err(damaged(
            file,
            "its SHA256SUMS does not match its manifest (one of the two is damaged)",
        ));
    }
    let names: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    if names != VAULT_FILES {
        return Err(damaged(
            file,
            "its manifest does not list the files a casenotes backup holds",
        ));
    }

    let mut done = (manifest_raw.len() + sums_raw.len()) as u64;
    for listed in &manifest.files {
        let mut entry = next(&listed.path)?;
        let path = entry_path(file, &entry)?;
        if path != listed.path || entry.header().entry_type() != tar::EntryType::Regular {
            return Err(damaged(
                file,
                format!("found {path:?} where {} should be", listed.path),
            ));
        }
        if entry.size() != listed.bytes {
            return Err(damaged(
                file,
                format!(
                    "{} has the wrong size (the manifest says {} bytes, the file holds {})",
                    listed.path,
                    listed.bytes,
                    entry.size()
                ),
            ));
        }
        layout.push((
            entry.raw_header_position(),
            entry.raw_file_position(),
            entry.size(),
        ));
        let mut out = match extract_to {
            Some(dir) => Some(create_extracted(&dir.join(&listed.path))?),
            None => None,
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        let mut read = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| io_damaged(file, &e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            if let Some(out) = out.as_mut() {
                out.write_all(&buf[..n])
                    .map_err(Error::io(format!("Could not write {}", listed.path)))?;
            }
            read += n as u64;
            done += n as u64;
            progress(done.min(total), total);
        }
        if read != listed.bytes {
            return Err(damaged(file, "it ends early: the file is truncated"));
        }
        if hex::encode(hasher.finalize()) != listed.sha256 {
            return Err(damaged(
                file,
                format!(
                    "{} is damaged (its SHA-256 does not match the manifest)",
                    listed.path
                ),
            ));
        }
        if let Some(out) = out {
            out.sync_all()
                .map_err(Error::io(format!("Could not write {}", listed.path)))?;
        }
    }
    check_raw_layout(file, &layout, total)?;
    progress(total, total);
    Ok(manifest)
}

fn create_extracted(path: &Path) -> Result<File> {
    if let Some(parent) = path.parent() {
        crate::fsutil::create_private_dir(parent)?;
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(Error::io(format!("Could not write {}", path.display())))
}

/// The bytes a tar parser may skip over: each header's checksum field, the padding after each
/// file, and the end-of-archive blocks. Each must be exactly what we write, so that no byte of the
/// file can change unnoticed.
fn check_raw_layout(file: &Path, layout: &[(u64, u64, u64)], total: u64) -> Result<()> {
    let mut f =
        File::open(file).map_err(Error::io(format!("Could not open {}", file.display())))?;
    let mut expected_header = 0u64;
    let mut header = [0u8; BLOCK as usize];
    for &(header_at, data_at, size) in layout {
        if header_at != expected_header || data_at != header_at + BLOCK {
            return Err(damaged(file, "it holds parts casenotes did not write"));
        }
        f.seek(SeekFrom::Start(header_at))
            .and_then(|_| f.read_exact(&mut header))
            .map_err(|e| io_damaged(file, &e))?;
        let sum: u32 = header
            .iter()
            .enumerate()
            .map(|(i, b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(*b)
                }
            })
            .sum();
        let mut field = [0u8; 8];
        field[..7].copy_from_slice(format!("{sum:07o}").as_bytes());
        if header[148..156] != field {
            return Err(damaged(
                file,
                "a part of it is damaged (a header does not match its checksum)",
            ));
        }
        let end = data_at + size;
        let padded = end.div_ceil(BLOCK) * BLOCK;
        if !zeros(&mut f, end, padded - end).map_err(|e| io_damaged(file, &e))? {
            return Err(damaged(
                file,
                "a part of it is damaged (the padding after a file is not empty)",
            ));
        }
        expected_header = padded;
    }
    let trailer = total.saturating_sub(expected_header);
    if total < expected_header + 2 * BLOCK || trailer % BLOCK != 0 {
        return Err(damaged(
            file,
            "it ends early: the file is truncated (the end-of-archive marker is missing)",
        ));
    }
    if !zeros(&mut f, expected_header, trailer).map_err(|e| io_damaged(file, &e))? {
        return Err(damaged(
            file,
            "a part of it is damaged (there is data after the end of the backup)",
        ));
    }
    Ok(())
}

fn zeros(f: &mut File, from: u64, len: u64) -> std::io::Result<bool> {
    f.seek(SeekFrom::Start(from))?;
    let mut buf = vec![0u8; len.min(1 << 16) as usize];
    let mut left = len;
    while left > 0 {
        let n = left.min(buf.len() as u64) as usize;
        f.read_exact(&mut buf[..n])?;
        if buf[..n].iter().any(|b| *b != 0) {
            return Ok(false);
        }
        left -= n as u64;
    }
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A GNU long-name entry as big as the file before the manifest: reported by what it is,
    /// never read into memory as a name (found by review for the fuzz target `backup_container`).
    #[test]
    fn extension_entries_are_refused_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("long-name.cnbak");
        let size: u64 = 64 << 20;
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(tar::EntryType::GNULongName);
        header.as_gnu_mut().unwrap().name[..13].copy_from_slice(b"././@LongLink");
        header.set_size(size);
        header.set_cksum();
        let mut f = File::create(&file).unwrap();
        f.write_all(header.as_bytes()).unwrap();
        // The name's bytes and the end-of-archive blocks, as a sparse file (no disk used).
        f.set_len(BLOCK + size + 2 * BLOCK).unwrap();
        drop(f);
        for result in [read_manifest(&file), read_all(&file, None, &mut |_, _| {})] {
            match result {
                Err(Error::BackupDamaged { detail, .. }) => {
                    assert!(detail.contains("././@LongLink"), "{detail}")
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
