//! Writing a bundle: a POSIX tar stream written straight into an age encryptor (to a passphrase,
//! scrypt pinned at 2^18 as for the vault's key slots, or to an `age1…` recipient), so no
//! plaintext byte reaches the disk; or, only when the practitioner asks for it, a plain folder.
//!
//! The encrypted file is written under a temporary name beside the destination (ciphertext only),
//! flushed, then linked to its name, which fails rather than overwrite a file already there.

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use super::manifest::{self, Manifest, ManifestFile};
use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::Passphrase;
use crate::vault::slots::PASSPHRASE_WORK_FACTOR;

/// Where the bundle's files go.
pub trait Sink {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<()>;
}

/// A tar stream inside age.
pub struct AgeTar {
    builder: tar::Builder<age::stream::StreamWriter<BufWriter<File>>>,
    temp: PathBuf,
    out: PathBuf,
    mtime: u64,
}

fn unwritable(out: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io {
        what: format!("Could not write the bundle {}", out.display()),
        source: e,
    }
}

fn exists(out: &Path) -> Error {
    Error::rule(
        format!("{} already exists.", out.display()),
        "Choose a new file name; casenotes never overwrites a file.",
    )
}

impl AgeTar {
    pub fn create(out: &Path, recipient: &dyn age::Recipient, mtime: u64) -> Result<AgeTar> {
        if out.symlink_metadata().is_ok() {
            return Err(exists(out));
        }
        let dir = fsutil::parent_folder(out);
        let name = out
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "bundle".to_owned());
        let temp = dir.join(format!(".{name}.{}.partial", std::process::id()));
        let _ = std::fs::remove_file(&temp);
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(&temp).map_err(unwritable(out))?;
        let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient))
            .map_err(|e| Error::Encryption(e.to_string()))?;
        let writer = encryptor
            .wrap_output(BufWriter::with_capacity(1 << 20, file))
            .map_err(unwritable(out))?;
        Ok(AgeTar {
            builder: tar::Builder::new(writer),
            temp,
            out: out.to_owned(),
            mtime,
        })
    }

    /// Ends the tar stream and the age stream, flushes, and gives the file its name.
    pub fn finish(self) -> Result<u64> {
        let out = self.out.clone();
        let temp = self.temp.clone();
        let result = (|| {
            let writer = self.builder.into_inner().map_err(unwritable(&out))?;
            let buffered = writer.finish().map_err(unwritable(&out))?;
            let file = buffered
                .into_inner()
                .map_err(|e| unwritable(&out)(e.into_error()))?;
            file.sync_all().map_err(unwritable(&out))?;
            let bytes = file.metadata().map_err(unwritable(&out))?.len();
            match std::fs::hard_link(&temp, &out) {
                Ok(()) => Ok(bytes),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists(&out)),
                Err(e) => Err(unwritable(&out)(e)),
            }
        })();
        let _ = std::fs::remove_file(&temp);
        let bytes = result?;
        fsutil::sync_dir(fsutil::parent_folder(&out))?;
        Ok(bytes)
    }

    /// Gives up: the partial (encrypted) file is removed.
    pub fn abandon(self) {
        let temp = self.temp.clone();
        drop(self);
        let _ = std::fs::remove_file(temp);
    }
}

impl Sink for AgeTar {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let mut header = tar::Header::new_ustar();
        header.set_entry_type(tar::EntryType::Regular);
        header.set_size(bytes.len() as u64);
        header.set_mode(0o600);
        header.set_mtime(self.mtime);
        header.set_uid(0);
        header.set_gid(0);
        header
            .set_path(path)
            .map_err(|e| Error::Encryption(format!("tar path {path}: {e}")))?;
        header.set_cksum();
        let out = self.out.clone();
        self.builder
            .append(&header, bytes)
            .map_err(unwritable(&out))
    }
}

/// A plain folder, only when the practitioner asked for one. It must be new or empty.
pub struct PlainFolder {
    dir: PathBuf,
}

impl PlainFolder {
    pub fn create(dir: &Path) -> Result<PlainFolder> {
        if dir.exists() && !fsutil::is_empty_dir(dir)? {
            return Err(Error::rule(
                format!("The folder {} is not empty.", dir.display()),
                "Choose a new or empty folder for the plaintext copy.",
            ));
        }
        fsutil::create_private_dir(dir)?;
        Ok(PlainFolder {
            dir: dir.to_owned(),
        })
    }
}

impl Sink for PlainFolder {
    fn put(&mut self, path: &str, bytes: &[u8]) -> Result<()> {
        let target = self.dir.join(path);
        if let Some(parent) = target.parent() {
            fsutil::create_private_dir(parent)?;
        }
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let what = || format!("Could not write {}", target.display());
        let mut f = options.open(&target).map_err(Error::io(what()))?;
        f.write_all(bytes)
            .and_then(|()| f.sync_all())
            .map_err(Error::io(what()))
    }
}

/// The scrypt recipient for a bundle passphrase, pinned at the key slots' work factor.
pub fn passphrase_recipient(passphrase: &Passphrase) -> age::scrypt::Recipient {
    let mut r = age::scrypt::Recipient::new(passphrase.secret().clone());
    r.set_work_factor(PASSPHRASE_WORK_FACTOR);
    r
}

/// Parses an `age1…` recipient, saying plainly what is wrong with anything else.
pub fn parse_recipient(text: &str) -> Result<age::x25519::Recipient> {
    text.trim().parse::<age::x25519::Recipient>().map_err(|_| {
        Error::rule(
            "That is not an age recipient key.",
            "A recipient key starts with age1 and is 62 characters long; ask the client (or whoever will open the bundle) to send theirs again.",
        )
    })
}

/// Writes the files, hashing each, then the manifest last. Returns the manifest's own hash.
pub fn write_files(
    sink: &mut dyn Sink,
    files: &mut dyn Iterator<Item = Result<(String, Zeroizing<Vec<u8>>)>>,
    mut manifest: Manifest,
    progress: &mut dyn FnMut(u32),
) -> Result<(Vec<ManifestFile>, String)> {
    let mut written = 0u32;
    for file in files {
        let (path, bytes) = file?;
        manifest.files.push(manifest::entry(&path, &bytes));
        sink.put(&path, &bytes)?;
        written += 1;
        progress(written);
    }
    let raw = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| Error::Encryption(format!("manifest: {e}")))?;
    sink.put(manifest::MANIFEST, &raw)?;
    progress(written + 1);
    Ok((
        manifest.files,
        manifest::entry(manifest::MANIFEST, &raw).sha256,
    ))
}
