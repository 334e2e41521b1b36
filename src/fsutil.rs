//! Careful file writing for the vault's small files (key slots, metadata, the failed-unlock count).
//!
//! A write goes to a temporary file in the same folder, is flushed to disk, and is renamed over
//! the target, and the folder is flushed too, so a power cut leaves either the old file or the new
//! one, never half of each. Files are created readable by the owner only. Never used for
//! plaintext clinical data: only ciphertext and non-secret metadata pass through here.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// The folder a path is in; "." for a bare file name such as `register.html`.
pub fn parent_folder(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether a folder has nothing in it.
pub fn is_empty_dir(dir: &Path) -> Result<bool> {
    Ok(fs::read_dir(dir)
        .map_err(Error::io(format!(
            "Could not read the folder {}",
            dir.display()
        )))?
        .next()
        .is_none())
}

/// Writes `bytes` to `path` atomically and durably, with owner-only permissions.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = parent_folder(path);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    // Anything already at the temporary name is a leftover of ours (a crash part way) or was
    // planted there, a symlink say; either way it goes, and `create_new` below then refuses to
    // open anything it did not create itself, so the write never follows a link.
    match fs::symlink_metadata(&tmp) {
        Ok(_) => fs::remove_file(&tmp).map_err(Error::io(format!(
            "Could not remove the leftover file {}",
            tmp.display()
        )))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Io {
                what: format!("Could not check {}", tmp.display()),
                source: e,
            })
        }
    }
    let result = (|| {
        let mut options = owner_only_options();
        options.create_new(true);
        let mut file = options
            .open(&tmp)
            .map_err(Error::io(format!("Could not write {}", tmp.display())))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(Error::io(format!("Could not write {}", tmp.display())))?;
        fs::rename(&tmp, path)
            .map_err(Error::io(format!("Could not replace {}", path.display())))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Creates an empty file readable by the owner only; fails if it exists.
pub fn create_owner_only(path: &Path) -> Result<()> {
    let mut options = owner_only_options();
    options.truncate(false).create_new(true);
    options
        .open(path)
        .map(drop)
        .map_err(Error::io(format!("Could not create {}", path.display())))
}

/// Creates a folder (and its parents) that only the owner can enter.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(Error::io(format!(
        "Could not create the folder {}",
        dir.display()
    )))
}

/// Flushes a folder's entries (new and renamed files) to disk.
pub fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(Error::io(format!(
                "Could not flush the folder {}",
                dir.display()
            )))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Makes a vault folder owner-only again: folders 0700, files 0600, for the folder itself and
/// everything inside it (links are left alone, never followed). Returns how many entries were
/// repaired. Does nothing off unix, where permissions are not modes.
pub fn repair_owner_only(dir: &Path) -> Result<usize> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut repaired = 0;
        let mut pending = vec![dir.to_owned()];
        while let Some(path) = pending.pop() {
            let meta = fs::symlink_metadata(&path)
                .map_err(Error::io(format!("Could not check {}", path.display())))?;
            let want = if meta.is_dir() {
                0o700
            } else if meta.is_file() {
                0o600
            } else {
                continue;
            };
            if meta.permissions().mode() & 0o777 != want {
                fs::set_permissions(&path, fs::Permissions::from_mode(want)).map_err(Error::io(
                    format!("Could not make {} private", path.display()),
                ))?;
                repaired += 1;
            }
            if meta.is_dir() {
                for entry in fs::read_dir(&path).map_err(Error::io(format!(
                    "Could not read the folder {}",
                    path.display()
                )))? {
                    let entry = entry.map_err(Error::io(format!(
                        "Could not read the folder {}",
                        path.display()
                    )))?;
                    pending.push(entry.path());
                }
            }
        }
        Ok(repaired)
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(0)
    }
}

fn owner_only_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn loose_permissions_are_made_owner_only_and_links_left_alone() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("vault");
        fs::create_dir_all(dir.join("keys")).unwrap();
        fs::write(dir.join("casenotes.db"), b"x").unwrap();
        fs::write(dir.join("keys/passphrase.age"), b"x").unwrap();
        let outside = root.path().join("outside");
        fs::write(&outside, b"x").unwrap();
        fs::set_permissions(&outside, fs::Permissions::from_mode(0o644)).unwrap();
        std::os::unix::fs::symlink(&outside, dir.join("link")).unwrap();
        for (p, m) in [
            ("", 0o755),
            ("keys", 0o775),
            ("casenotes.db", 0o644),
            ("keys/passphrase.age", 0o666),
        ] {
            fs::set_permissions(dir.join(p), fs::Permissions::from_mode(m)).unwrap();
        }
        assert_eq!(repair_owner_only(&dir).unwrap(), 4);
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("keys")), 0o700);
        assert_eq!(mode(&dir.join("casenotes.db")), 0o600);
        assert_eq!(mode(&dir.join("keys/passphrase.age")), 0o600);
        assert_eq!(mode(&outside), 0o644, "a link is never followed");
        assert_eq!(repair_owner_only(&dir).unwrap(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn atomic_write_never_follows_a_link_at_its_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let outside = dir.path().join("outside");
        fs::write(&outside, b"someone else's file").unwrap();
        let vault = dir.path().join("vault");
        fs::create_dir(&vault).unwrap();
        let path = vault.join("slot");
        let tmp = vault.join(format!(".slot.tmp-{}", std::process::id()));
        std::os::unix::fs::symlink(&outside, &tmp).unwrap();
        write_atomic(&path, b"ciphertext").unwrap();
        assert_eq!(fs::read(&outside).unwrap(), b"someone else's file");
        assert_eq!(fs::read(&path).unwrap(), b"ciphertext");
        assert!(!fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
        // A stale temporary file of our own is replaced too.
        fs::write(&tmp, b"half a slot").unwrap();
        write_atomic(&path, b"new").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"new");
        assert_eq!(fs::read_dir(&vault).unwrap().count(), 1);
    }

    #[test]
    fn a_bare_file_name_is_written_in_the_current_folder() {
        assert_eq!(parent_folder(Path::new("register.html")), Path::new("."));
        assert_eq!(parent_folder(Path::new("/a/b.html")), Path::new("/a"));
    }

    #[test]
    fn atomic_write_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("slot");
        write_atomic(&path, b"one").unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
