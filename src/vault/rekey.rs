//! Changing the master key itself (rekey), for when a passphrase or recovery key may have leaked.
//!
//! A fresh random master key replaces the old one: every database page is re-encrypted
//! (SQLCipher's `sqlite3_rekey`, one transaction), the passphrase slot is rewritten for the new
//! passphrase, the recovery slot for a new recovery key (shown once), and the keychain slot is
//! switched off. Backups made before keep the old key: they still open with the old passphrase
//! and the old recovery key, and with nothing newer.
//!
//! A crash at any moment leaves a vault that opens with the old secrets or with the new ones:
//!
//! 1. `keys/rekey-pending.json` is written: when, and a fingerprint of the new key (HKDF of it,
//!    which says nothing about the key; nothing secret is in the file).
//! 2. The new slots are written beside the old ones as `passphrase.age.new` and `recovery.age.new`.
//! 3. The database is re-encrypted in one transaction and checked with a fresh connection; the
//!    `vault_rekeyed` entry and the audit anchors (MACed under the new key) follow.
//! 4. The new slots are renamed over the old ones, the folder flushed, and the marker removed.
//!
//! While the marker exists, unlocking tries the slot the secret belongs to and then its `.new`
//! twin, and whichever key opens the database decides: the new key's fingerprint means the
//! database was changed, so the change is finished (the `.new` files renamed into place); any
//! other key means it was not, and the `.new` files are deleted. An old secret that no longer
//! opens the changed database gets `RekeyInterrupted`, which says to use the new passphrase.
//! A recovery key from an interrupted change was never shown, so a session that finished one
//! says so (`Session::interrupted_rekey`) and the practitioner is asked to change the key again.
//! If the crash fell between the database and its anchors, the anchors are re-set at that unlock
//! (as after a restore) rather than reported as a rollback, and the audit entry says so.
//!
//! Never writes a key or a passphrase anywhere but into age files.

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{slots, Session, Unlock, Vault, KEYS_DIR, PASSPHRASE_SLOT, RECOVERY_SLOT};
use crate::audit::{self, Action};
use crate::db;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::{MasterKey, Passphrase, RecoveryKey};

/// The marker of a change of master key under way, in `keys/`.
const MARKER: &str = "rekey-pending.json";
/// The suffix of a new slot waiting to be renamed into place.
const STAGED: &str = ".new";

/// Test builds only: set to a step's name, the process aborts there, as a power cut would
/// (tests/rekey.rs). Compiled out of release builds.
#[doc(hidden)]
pub const CRASH_AT_ENV: &str = "CASENOTES_TEST_REKEY_CRASH_AT";

#[derive(Serialize, Deserialize)]
struct Marker {
    started_at: String,
    new_key_fingerprint: String,
}

fn read_marker(keys: &Path) -> Option<Marker> {
    std::fs::read(keys.join(MARKER))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
}

/// A one-way fingerprint of a master key, to tell which key the database is under.
fn fingerprint(key: &MasterKey) -> Result<String> {
    let mut out = [0u8; 16];
    key.derive(b"casenotes rekey", b"key fingerprint v1", &mut out)?;
    Ok(hex::encode(out))
}

fn crash_point(step: &str) {
    #[cfg(debug_assertions)]
    if std::env::var_os(CRASH_AT_ENV).is_some_and(|v| v == step) {
        std::process::abort();
    }
    #[cfg(not(debug_assertions))]
    let _ = step;
}

fn staged(slot: &Path) -> PathBuf {
    let mut name = slot.as_os_str().to_owned();
    name.push(STAGED);
    PathBuf::from(name)
}

fn keys_dir(vault: &Vault) -> PathBuf {
    vault.dir.join(KEYS_DIR)
}

/// Whether a change of master key was interrupted (readable while locked).
pub(super) fn pending(vault: &Vault) -> bool {
    keys_dir(vault).join(MARKER).exists()
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Error::Io {
            what: format!("Could not remove {}", path.display()),
            source: e,
        }),
    }
}

/// Renames the staged slots over the old ones (those still there), then removes the marker.
fn install_staged(keys: &Path) -> Result<()> {
    for (slot, step) in [
        (PASSPHRASE_SLOT, "passphrase_slot_moved"),
        (RECOVERY_SLOT, "recovery_slot_moved"),
    ] {
        let slot = keys.join(slot);
        let new = staged(&slot);
        if new.exists() {
            std::fs::rename(&new, &slot).map_err(Error::io(format!(
                "The master key was changed, but {} could not be moved into place; unlock with the new passphrase to finish",
                new.display()
            )))?;
            fsutil::sync_dir(keys)?;
        }
        crash_point(step);
    }
    remove_if_present(&keys.join(MARKER))?;
    fsutil::sync_dir(keys)
}

/// Deletes what an abandoned change left: the staged slots, then the marker.
fn discard_staged(keys: &Path) -> Result<()> {
    for slot in [PASSPHRASE_SLOT, RECOVERY_SLOT] {
        remove_if_present(&staged(&keys.join(slot)))?;
    }
    remove_if_present(&keys.join(MARKER))?;
    fsutil::sync_dir(keys)
}

impl Session {
    /// Replaces the master key: a fresh random key, every database page re-encrypted under it,
    /// the passphrase slot rewritten for `new_passphrase`, the recovery slot for a new recovery
    /// key (returned, to show once), the keychain slot switched off, and `vault_rekeyed` in the
    /// audit log. The session goes on with the new key. Backups made before still open with the
    /// old passphrase and the old recovery key only. See the module doc for the crash rules.
    pub fn rekey(&mut self, new_passphrase: &Passphrase) -> Result<RecoveryKey> {
        self.conn()?;
        new_passphrase.check_strength()?;
        if self.vault.keychain_enabled() {
            // It holds the old key: off first, so no slot for the old key outlives the change.
            self.disable_keychain()?;
        }
        let keys = keys_dir(&self.vault);
        // What an earlier attempt left: finished if the database is already under its key (an
        // attempt of this same session that failed after the database changed), else deleted.
        match read_marker(&keys) {
            Some(m) if m.new_key_fingerprint == fingerprint(&self.key)? => install_staged(&keys)?,
            _ => discard_staged(&keys)?,
        }

        let new_key = MasterKey::generate()?;
        let identity = age::x25519::Identity::generate();
        let recovery_key = RecoveryKey::from_identity(&identity);
        let marker = Marker {
            started_at: Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            new_key_fingerprint: fingerprint(&new_key)?,
        };
        let body =
            serde_json::to_vec_pretty(&marker).map_err(|e| Error::Encryption(e.to_string()))?;
        let staging = fsutil::write_atomic(&keys.join(MARKER), &body)
            .and_then(|()| {
                crash_point("marker_written");
                slots::write_passphrase_slot(
                    &staged(&keys.join(PASSPHRASE_SLOT)),
                    &new_key,
                    new_passphrase,
                )
            })
            .and_then(|()| {
                slots::write_recovery_slot(
                    &staged(&keys.join(RECOVERY_SLOT)),
                    &new_key,
                    &identity.to_public(),
                )
            });
        if let Err(e) = staging {
            // The database was not touched: nothing of the attempt should stay.
            let _ = discard_staged(&keys);
            return Err(e);
        }
        crash_point("slots_staged");

        let db_path = self.vault.dir.join(db::DB_FILE);
        let changed =
            db::rekey(self.conn()?, &new_key).and_then(|()| opens_with(&db_path, &new_key));
        if !matches!(changed, Ok(true)) {
            // The connection may now hold a write key that does not match its pages: close it
            // (the session is locked), then see which key the file is under.
            if let Some(conn) = self.conn.take() {
                let _ = conn.close();
            }
            let detail = match changed {
                Err(e) => e.to_string(),
                Ok(_) => "the new key does not open it".to_owned(),
            };
            if matches!(opens_with(&db_path, &self.key), Ok(true)) {
                let _ = discard_staged(&keys);
                return Err(Error::Encryption(format!(
                    "the database could not be re-encrypted, so the master key was not changed ({detail}). The vault is locked: unlock it with your current passphrase"
                )));
            }
            return Err(Error::Encryption(format!(
                "the database could not be checked after it was re-encrypted ({detail}). The vault is locked: unlock it with the new passphrase to finish the change, or with your current one if that fails"
            )));
        }
        // From here the database is under the new key: the session must hold it, whatever fails.
        self.key = new_key;
        crash_point("database_rekeyed");
        // Best effort: every page into the file and the log emptied now; closing does it too.
        let _ = self
            .conn()?
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        let vault_id = self.vault.meta.vault_id.to_string();
        audit::append(
            self.conn()?,
            Action::VaultRekeyed,
            None,
            json!({ "finished_at_unlock": false }),
        )?;
        audit::anchor::write(self.conn()?, &self.key, &self.vault.dir, &vault_id)?;
        crash_point("recorded");
        install_staged(&keys)?;
        Ok(recovery_key)
    }

    /// Set when this unlock finished a change of master key that a crash had interrupted: the
    /// new recovery key made then was never shown, so the old one no longer works and there is
    /// none to use. Say so, and have the practitioner change the master key again.
    pub fn interrupted_rekey(&self) -> Option<&'static str> {
        self.finished_interrupted_rekey.then_some(
            "casenotes stopped part way through changing this vault's master key, and has now finished the change: your new passphrase opens the vault, but the new recovery key made then was never shown, and your old recovery key no longer works. Change the master key again now (casenotes rekey, or Settings) to get a recovery key you can keep.",
        )
    }
}

/// Unlocks a vault whose change of master key was interrupted, finishing or abandoning it.
pub(super) fn unlock_pending(vault: &Vault, how: &Unlock<'_>) -> Result<Session> {
    let keys = keys_dir(vault);
    // Written atomically, so unreadable only if tampered with: then nothing is finished or
    // deleted on its word.
    let marker = read_marker(&keys);
    let is_new = |key: &MasterKey| -> Result<Option<bool>> {
        match &marker {
            Some(m) => Ok(Some(m.new_key_fingerprint == fingerprint(key)?)),
            None => Ok(None),
        }
    };
    let (slot, wrong, old_secret) = match how {
        Unlock::Passphrase(_) => (PASSPHRASE_SLOT, Error::WrongPassphrase, "passphrase"),
        Unlock::RecoveryKey(_) => (RECOVERY_SLOT, Error::WrongRecoveryKey, "recovery key"),
    };
    let slot = keys.join(slot);
    let read = |path: &Path| -> Result<MasterKey> {
        match how {
            Unlock::Passphrase(p) => slots::read_passphrase_slot(path, p),
            Unlock::RecoveryKey(k) => slots::read_recovery_slot(path, k),
        }
    };
    let db_path = vault.dir.join(db::DB_FILE);
    let opens = |key: &MasterKey| opens_with(&db_path, key);

    // The slot in place first: the old one, or the new one if it was already moved.
    let mut slot_fits_another_key = false;
    let slot_error = match read(&slot) {
        Ok(key) => {
            if opens(&key)? {
                let new = is_new(&key)?;
                return settle(vault, key, how.method(), new);
            }
            slot_fits_another_key = true;
            None
        }
        Err(e @ (Error::WrongPassphrase | Error::WrongRecoveryKey)) => Some(e),
        Err(e) => return Err(e),
    };
    let staged_slot = staged(&slot);
    if !staged_slot.exists() {
        return Err(if slot_fits_another_key {
            Error::RekeyInterrupted {
                advice: superseded_advice(old_secret),
            }
        } else {
            let _ = super::failed_unlocks::record(&vault.dir, Utc::now());
            slot_error.unwrap_or(wrong)
        });
    }
    match read(&staged_slot) {
        Ok(key) if opens(&key)? => settle(vault, key, how.method(), Some(true)),
        Ok(_) => Err(Error::RekeyInterrupted {
            advice: "The database had not been changed yet, so the new passphrase does not open it: unlock with your old passphrase, then change the master key again.".to_owned(),
        }),
        Err(Error::WrongPassphrase | Error::WrongRecoveryKey) if slot_fits_another_key => {
            Err(Error::RekeyInterrupted {
                advice: superseded_advice(old_secret),
            })
        }
        Err(e @ (Error::WrongPassphrase | Error::WrongRecoveryKey)) => {
            // Best effort, as for any wrong secret.
            let _ = super::failed_unlocks::record(&vault.dir, Utc::now());
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// Whether `key` opens the database (a fresh connection, closed again).
fn opens_with(db_path: &Path, key: &MasterKey) -> Result<bool> {
    match db::open(db_path, key, false) {
        Ok(conn) => {
            let _ = conn.close();
            Ok(true)
        }
        Err(Error::DamagedKeySlot { .. }) => Ok(false),
        Err(e) => Err(e),
    }
}

fn superseded_advice(old_secret: &str) -> String {
    format!(
        "The database had already been changed, so your old {old_secret} no longer opens it: unlock with the new passphrase you chose for the change."
    )
}

/// The database opens with `key`: finish the change if it is the new key, abandon it if it is
/// the old one, and leave the files as they are if the marker cannot tell.
fn settle(
    vault: &Vault,
    key: MasterKey,
    method: &str,
    database_is_new: Option<bool>,
) -> Result<Session> {
    let keys = keys_dir(vault);
    match database_is_new {
        Some(true) => {}
        Some(false) => {
            discard_staged(&keys)?;
            return vault.open_session(key, method);
        }
        None => return vault.open_session(key, method),
    }
    // The anchors may still be MACed under the old key if the crash fell right after the
    // database changed; re-set them then, as after a restore, instead of crying rollback.
    let anchors_fit = {
        let conn = db::open(&vault.dir.join(db::DB_FILE), &key, false)?;
        let found = audit::anchor::check(&conn, &key, &vault.dir, &vault.meta.vault_id.to_string());
        let _ = conn.close();
        found?.is_none()
    };
    install_staged(&keys)?;
    let mut session = vault.open_session_checked(key, method, !anchors_fit)?;
    session.finished_interrupted_rekey = true;
    session.record(
        Action::VaultRekeyed,
        None,
        json!({ "finished_at_unlock": true, "anchors_reset": !anchors_fit }),
    )?;
    Ok(session)
}
