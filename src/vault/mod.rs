//! The vault: a folder holding the encrypted database, its key slots and non-secret metadata.
//!
//! ```text
//! casenotes.db            SQLCipher 4, opened with the random 32-byte master key as a raw key
//! keys/passphrase.age     the master key, age-encrypted to the passphrase (scrypt, 2^18)
//! keys/recovery.age       the master key, age-encrypted to the recovery key (X25519)
//! vault.toml              format version, vault id, creation time: nothing secret
//! unlock-failures.json    failed unlock attempts since the last unlock (only when there were some)
//! ```
//!
//! A `Vault` is a closed vault; unlocking it gives a `Session`, which owns the only connection
//! and the master key. Locking consumes the session, closing the connection and wiping the key.
//! This module never writes the master key, a passphrase or clinical data in the clear.

mod failed_unlocks;
mod keychain;
mod meta;
mod rekey;
pub(crate) mod slots;

use std::path::{Path, PathBuf};

use chrono::Utc;
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use serde_json::json;

use crate::audit::{self, Action};
use crate::db;
use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::{MasterKey, Passphrase, RecoveryKey};

pub use failed_unlocks::FailedUnlocks;
pub use keychain::KEYCHAIN_SERVICE;
pub use meta::{VaultMeta, FILE_NAME as META_FILE, FORMAT_VERSION};
#[doc(hidden)]
pub use rekey::CRASH_AT_ENV as REKEY_CRASH_AT_ENV;
pub use slots::{MAX_WORK_FACTOR, PASSPHRASE_WORK_FACTOR};

const KEYS_DIR: &str = "keys";
const PASSPHRASE_SLOT: &str = "passphrase.age";
const RECOVERY_SLOT: &str = "recovery.age";

/// How a vault is being unlocked.
pub enum Unlock<'a> {
    Passphrase(&'a Passphrase),
    RecoveryKey(&'a RecoveryKey),
}

impl Unlock<'_> {
    fn method(&self) -> &'static str {
        match self {
            Unlock::Passphrase(_) => "passphrase",
            Unlock::RecoveryKey(_) => "recovery_key",
        }
    }
}

/// A vault folder that exists and has been recognised; it may be locked.
#[derive(Debug, Clone)]
pub struct Vault {
    dir: PathBuf,
    meta: VaultMeta,
}

/// What creating a vault hands back: the open session and the recovery key to show once.
pub struct Created {
    pub session: Session,
    pub recovery_key: RecoveryKey,
}

impl Vault {
    /// Creates a vault in `dir`, which must be missing or empty. The vault is built in a sibling
    /// folder and renamed into place, so a failure part way leaves nothing that looks like a vault.
    pub fn create(dir: &Path, passphrase: &Passphrase) -> Result<Created> {
        passphrase.check_strength()?;
        if dir.join(meta::FILE_NAME).exists() {
            return Err(Error::VaultExists {
                dir: dir.to_owned(),
            });
        }
        if dir.exists() && !fsutil::is_empty_dir(dir)? {
            return Err(Error::FolderNotEmpty {
                dir: dir.to_owned(),
            });
        }
        let parent = fsutil::parent_folder(dir);
        fsutil::create_private_dir(parent)?;
        let staging = parent.join(format!(
            ".{}.creating-{}",
            dir.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            std::process::id()
        ));
        let result = Self::build(&staging, passphrase).and_then(|(key, recovery_key, meta)| {
            if dir.exists() {
                // Renaming onto an empty folder replaces it; a non-empty one was refused above.
                std::fs::remove_dir(dir)
                    .map_err(Error::io(format!("Could not use {}", dir.display())))?;
            }
            std::fs::rename(&staging, dir).map_err(Error::io(format!(
                "Could not move the new vault into {}",
                dir.display()
            )))?;
            fsutil::sync_dir(parent)?;
            Ok((key, recovery_key, meta))
        });
        let (key, recovery_key, meta) = match result {
            Ok(parts) => parts,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&staging);
                return Err(e);
            }
        };
        let vault = Vault {
            dir: dir.to_owned(),
            meta,
        };
        let session = vault.open_session(key, "created")?;
        Ok(Created {
            session,
            recovery_key,
        })
    }

    fn build(
        staging: &Path,
        passphrase: &Passphrase,
    ) -> Result<(MasterKey, RecoveryKey, VaultMeta)> {
        fsutil::create_private_dir(&staging.join(KEYS_DIR))?;
        let key = MasterKey::generate()?;
        let identity = age::x25519::Identity::generate();
        let recovery_key = RecoveryKey::from_identity(&identity);
        let meta = VaultMeta::new();
        {
            // SQLite would create the file (and later its -wal and -shm, which copy its mode)
            // readable by everyone; create it owner-only first.
            fsutil::create_owner_only(&staging.join(db::DB_FILE))?;
            let mut conn = db::open(&staging.join(db::DB_FILE), &key, true)?;
            db::migrate(&mut conn)?;
            let tx = conn.transaction()?;
            audit::append(
                &tx,
                Action::VaultCreated,
                Some(&meta.vault_id.to_string()),
                json!({ "format_version": meta.format_version }),
            )?;
            tx.commit()?;
            conn.close().map_err(|(_, e)| Error::Database(e))?;
        }
        let keys = staging.join(KEYS_DIR);
        slots::write_passphrase_slot(&keys.join(PASSPHRASE_SLOT), &key, passphrase)?;
        slots::write_recovery_slot(&keys.join(RECOVERY_SLOT), &key, &identity.to_public())?;
        fsutil::sync_dir(&keys)?;
        // Written last: a folder without vault.toml is not a vault.
        meta.write(staging)?;
        Ok((key, recovery_key, meta))
    }

    /// Recognises an existing vault without unlocking it.
    pub fn open(dir: &Path) -> Result<Vault> {
        if !dir.join(meta::FILE_NAME).exists() {
            if dir.join(db::DB_FILE).exists() {
                return Err(Error::NotAVault {
                    dir: dir.to_owned(),
                    reason: format!("it has a database but no {}", meta::FILE_NAME),
                });
            }
            return Err(Error::NoVault {
                dir: dir.to_owned(),
            });
        }
        let meta = VaultMeta::read(dir)?;
        for required in [
            dir.join(db::DB_FILE),
            dir.join(KEYS_DIR).join(PASSPHRASE_SLOT),
            dir.join(KEYS_DIR).join(RECOVERY_SLOT),
        ] {
            if !required.exists() {
                return Err(Error::NotAVault {
                    dir: dir.to_owned(),
                    reason: format!("{} is missing", required.display()),
                });
            }
        }
        // Another program (a copy tool, an unzip) may have left the files readable by others.
        fsutil::repair_owner_only(dir)?;
        Ok(Vault {
            dir: dir.to_owned(),
            meta,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn meta(&self) -> &VaultMeta {
        &self.meta
    }

    /// Failed attempts since the last successful unlock (readable while locked).
    pub fn failed_unlocks(&self) -> Result<FailedUnlocks> {
        failed_unlocks::read(&self.dir)
    }

    /// Unlocks with the passphrase or the recovery key. A wrong secret is counted outside the
    /// vault and changes nothing else.
    pub fn unlock(&self, how: Unlock<'_>) -> Result<Session> {
        if rekey::pending(self) {
            return rekey::unlock_pending(self, &how);
        }
        let key = self.read_key(&how)?;
        self.open_session(key, how.method())
    }

    /// Replaces the passphrase. Only `keys/passphrase.age` is rewritten.
    pub fn change_passphrase(&self, old: &Passphrase, new: &Passphrase) -> Result<Session> {
        new.check_strength()?;
        self.settle_interrupted_rekey(&Unlock::Passphrase(old))?;
        let key = self.read_key(&Unlock::Passphrase(old))?;
        // Open first, so a key that does not fit the database never gets a new slot.
        let mut session = self.open_session(key, "passphrase")?;
        slots::write_passphrase_slot(&self.passphrase_slot(), &session.key, new)?;
        session.record(Action::PassphraseChanged, None, json!({}))?;
        // A keychain slot would let the old arrangement open the vault without the new passphrase.
        if self.keychain_enabled() {
            session.disable_keychain()?;
        }
        Ok(session)
    }

    /// Sets a new passphrase using the recovery key, for a practitioner who has forgotten theirs.
    pub fn recover(&self, recovery_key: &RecoveryKey, new: &Passphrase) -> Result<Session> {
        new.check_strength()?;
        self.settle_interrupted_rekey(&Unlock::RecoveryKey(recovery_key))?;
        let key = self.read_key(&Unlock::RecoveryKey(recovery_key))?;
        let mut session = self.open_session(key, "recovery_key")?;
        slots::write_passphrase_slot(&self.passphrase_slot(), &session.key, new)?;
        session.record(Action::VaultRecovered, None, json!({}))?;
        if self.keychain_enabled() {
            session.disable_keychain()?;
        }
        Ok(session)
    }

    /// A change of master key that a crash interrupted is finished or abandoned by one unlock
    /// first, so the slots read next are the ones in use.
    fn settle_interrupted_rekey(&self, how: &Unlock<'_>) -> Result<()> {
        if rekey::pending(self) {
            rekey::unlock_pending(self, how)?.lock()?;
        }
        Ok(())
    }

    /// Whether "unlock with this computer's keychain" is switched on (readable while locked).
    pub fn keychain_enabled(&self) -> bool {
        self.keychain_slot().exists()
    }

    /// Unlocks with the key held in the operating system's keychain.
    pub fn unlock_with_keychain(&self) -> Result<Session> {
        let key = keychain::read(&self.keychain_slot(), &self.meta.vault_id.to_string())?;
        self.open_session(key, "keychain")
    }

    fn keychain_slot(&self) -> PathBuf {
        self.dir.join(KEYS_DIR).join(keychain::SLOT_FILE)
    }

    fn passphrase_slot(&self) -> PathBuf {
        self.dir.join(KEYS_DIR).join(PASSPHRASE_SLOT)
    }

    fn read_key(&self, how: &Unlock<'_>) -> Result<MasterKey> {
        let result = match how {
            Unlock::Passphrase(p) => slots::read_passphrase_slot(&self.passphrase_slot(), p),
            Unlock::RecoveryKey(k) => {
                slots::read_recovery_slot(&self.dir.join(KEYS_DIR).join(RECOVERY_SLOT), k)
            }
        };
        if let Err(Error::WrongPassphrase | Error::WrongRecoveryKey) = &result {
            // Best effort: a read-only folder must not hide the real error.
            let _ = failed_unlocks::record(&self.dir, Utc::now());
        }
        result
    }

    /// Opens the database with a key already read from a slot, folds any failed attempts into
    /// the audit log, and records the unlock.
    fn open_session(&self, key: MasterKey, method: &str) -> Result<Session> {
        self.open_session_checked(key, method, false)
    }

    /// `restored`: the vault was just restored from a backup, a rollback the practitioner asked
    /// for, so the anchors are re-set rather than checked.
    fn open_session_checked(
        &self,
        key: MasterKey,
        method: &str,
        restored: bool,
    ) -> Result<Session> {
        // Unreadable counts are not a reason to refuse an unlock with the right secret.
        let failures = failed_unlocks::read(&self.dir).unwrap_or_default();
        let mut conn = db::open(&self.dir.join(db::DB_FILE), &key, false)?;
        db::migrate(&mut conn)?;
        let vault_id = self.meta.vault_id.to_string();
        let rollback = if restored {
            None
        } else {
            audit::anchor::check(&conn, &key, &self.dir, &vault_id)?
        };
        let last_unlocked_at: Option<String> = conn
            .query_row(
                "SELECT at FROM audit_log WHERE action = 'vault_unlocked' ORDER BY seq DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let tx = conn.transaction()?;
        if let Some(f) = &rollback {
            audit::append(
                &tx,
                Action::AuditRollbackDetected,
                None,
                json!({
                    "anchored_seq": f.anchored_seq,
                    "anchored_at": f.anchored_at,
                    "found_seq": f.found_seq,
                }),
            )?;
        }
        if failures.count > 0 {
            audit::append(
                &tx,
                Action::UnlockFailed,
                None,
                json!({
                    "count": failures.count,
                    "first_at": failures.first_at,
                    "last_at": failures.last_at,
                }),
            )?;
        }
        audit::append(
            &tx,
            Action::VaultUnlocked,
            None,
            json!({ "method": method }),
        )?;
        tx.commit()?;
        // The finding is in the log now; anchor to today's head so it is reported once, loudly.
        audit::anchor::write(&conn, &key, &self.dir, &vault_id)?;
        if failures.count > 0 {
            failed_unlocks::clear(&self.dir)?;
        }
        Ok(Session {
            conn: Some(conn),
            key,
            vault: self.clone(),
            failed_since_last_unlock: failures,
            rollback: rollback.map(|f| f.message),
            last_unlocked_at,
            finished_interrupted_rekey: false,
        })
    }
}

/// Reads the master key from the key slots in `dir/keys` (a vault folder, or a backup being
/// restored), without counting a wrong secret as a failed unlock of any vault.
pub(crate) fn read_key_in(dir: &Path, how: &Unlock<'_>) -> Result<MasterKey> {
    let keys = dir.join(KEYS_DIR);
    match how {
        Unlock::Passphrase(p) => slots::read_passphrase_slot(&keys.join(PASSPHRASE_SLOT), p),
        Unlock::RecoveryKey(k) => slots::read_recovery_slot(&keys.join(RECOVERY_SLOT), k),
    }
}

impl Vault {
    /// Opens the vault with a key already read elsewhere (from a backup of this vault), recording
    /// the unlock with `method`. A key that does not fit gives `DamagedKeySlot`.
    pub(crate) fn open_with_key(&self, key: MasterKey, method: &str) -> Result<Session> {
        self.open_session(key, method)
    }

    /// Opens a vault just restored from a backup: its audit anchors are re-set, not checked.
    pub(crate) fn open_restored(&self, key: MasterKey) -> Result<Session> {
        self.open_session_checked(key, "backup_restore", true)
    }
}

impl Session {
    /// The master key, for the core's own use (snapshots keyed like the vault, manifest MACs).
    pub(crate) fn master_key(&self) -> &MasterKey {
        &self.key
    }

    /// Checks that `passphrase` is this vault's current passphrase, for actions that need the
    /// practitioner present (destruction). Costs one scrypt. A wrong one is `WrongPassphrase`
    /// and is not counted as a failed unlock: the vault is already open.
    pub fn confirm_passphrase(&self, passphrase: &Passphrase) -> Result<()> {
        self.conn()?;
        let key = slots::read_passphrase_slot(&self.vault.passphrase_slot(), passphrase)?;
        let same = key
            .expose()
            .iter()
            .zip(self.key.expose().iter())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
        if same {
            Ok(())
        } else {
            Err(Error::DamagedKeySlot {
                detail: "the passphrase key file holds another key than the open vault".to_owned(),
            })
        }
    }
}

/// An unlocked vault. Dropping it closes the connection and wipes the key; `lock` does the
/// same and records the lock in the audit log first.
pub struct Session {
    conn: Option<Connection>,
    key: MasterKey,
    vault: Vault,
    failed_since_last_unlock: FailedUnlocks,
    /// Set when this unlock found the audit log behind its anchor (rolled back or truncated).
    rollback: Option<String>,
    /// When the vault was last unlocked before this time (UTC, RFC 3339).
    last_unlocked_at: Option<String>,
    /// This unlock finished a change of master key that a crash had interrupted (rekey.rs).
    finished_interrupted_rekey: bool,
}

/// A summary of an unlocked vault, for `casenotes status` and the desktop's About box.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub vault_dir: PathBuf,
    pub vault_id: String,
    pub created_at: String,
    pub format_version: u32,
    pub schema_version: i64,
    pub audit_entries: i64,
    pub failed_unlocks_before_this_one: FailedUnlocks,
    /// When the vault was last unlocked before this time.
    pub last_unlocked_at: Option<String>,
    /// Set when this unlock found that an older copy of the vault was put back.
    pub audit_rollback: Option<String>,
}

impl Session {
    /// The connection, for the core's domain modules. Errors with `Locked` once locked.
    pub fn conn(&self) -> Result<&Connection> {
        self.conn.as_ref().ok_or(Error::Locked)
    }

    /// The connection for a write transaction.
    pub fn conn_mut(&mut self) -> Result<&mut Connection> {
        self.conn.as_mut().ok_or(Error::Locked)
    }

    pub fn vault(&self) -> &Vault {
        &self.vault
    }

    /// Set when this unlock found that an older copy of the vault had been put back (the audit
    /// log is behind its anchor): say so to the practitioner.
    pub fn audit_rollback(&self) -> Option<&str> {
        self.rollback.as_deref()
    }

    /// When the vault was last unlocked before this time (UTC, RFC 3339).
    pub fn last_unlocked_at(&self) -> Option<&str> {
        self.last_unlocked_at.as_deref()
    }

    /// Failed attempts between the previous successful unlock and this one.
    pub fn failed_since_last_unlock(&self) -> &FailedUnlocks {
        &self.failed_since_last_unlock
    }

    /// Appends an audit entry in its own transaction.
    pub fn record(
        &self,
        action: Action,
        subject: Option<&str>,
        detail: serde_json::Value,
    ) -> Result<()> {
        audit::append(self.conn()?, action, subject, detail)?;
        Ok(())
    }

    /// Walks the audit chain, requiring its first entry to be this vault's own creation.
    pub fn verify_audit(&self) -> Result<audit::Verified> {
        // The chain first, so an edited or removed entry is named exactly; then the anchor,
        // which catches a whole log put back in an older but self-consistent state.
        let verified = audit::verify(self.conn()?, &self.vault.meta.vault_id.to_string())?;
        // The destruction register is tied to the audit log; check it with it.
        crate::retention::register::verify(self.conn()?)?;
        if let Some(detail) = &self.rollback {
            return Err(Error::AuditRolledBack {
                detail: detail.clone(),
            });
        }
        Ok(verified)
    }

    pub fn status(&self) -> Result<Status> {
        let conn = self.conn()?;
        Ok(Status {
            vault_dir: self.vault.dir.clone(),
            vault_id: self.vault.meta.vault_id.to_string(),
            created_at: self.vault.meta.created_at.clone(),
            format_version: self.vault.meta.format_version,
            schema_version: db::schema_version(conn)?,
            audit_entries: audit::count(conn)?,
            failed_unlocks_before_this_one: self.failed_since_last_unlock.clone(),
            last_unlocked_at: self.last_unlocked_at.clone(),
            audit_rollback: self.rollback.clone(),
        })
    }

    /// Switches on "unlock with this computer's keychain".
    pub fn enable_keychain(&mut self) -> Result<()> {
        self.conn()?;
        keychain::enable(
            &self.vault.keychain_slot(),
            &self.vault.meta.vault_id.to_string(),
            &self.key,
        )?;
        self.record(Action::KeychainEnabled, None, json!({}))
    }

    /// Switches it off, deleting both the slot file and the keychain entry.
    pub fn disable_keychain(&mut self) -> Result<()> {
        self.conn()?;
        keychain::disable(
            &self.vault.keychain_slot(),
            &self.vault.meta.vault_id.to_string(),
        )?;
        self.record(Action::KeychainDisabled, None, json!({}))
    }

    /// A session over a plain SQLite database with no key, made by the same code as a real vault.
    /// Only for benchmarks, which report what encryption costs; never used by the app or the CLI.
    #[doc(hidden)]
    pub fn unencrypted_for_benchmarks(dir: &Path) -> Result<Session> {
        fsutil::create_private_dir(dir)?;
        let mut conn = db::open_unencrypted_for_benchmarks(&dir.join(db::DB_FILE))?;
        db::migrate(&mut conn)?;
        Ok(Session {
            conn: Some(conn),
            key: MasterKey::generate()?,
            vault: Vault {
                dir: dir.to_owned(),
                meta: VaultMeta::new(),
            },
            failed_since_last_unlock: FailedUnlocks::default(),
            rollback: None,
            last_unlocked_at: None,
            finished_interrupted_rekey: false,
        })
    }

    /// Locks: records the lock, closes the connection (checkpointing the WAL) and wipes the key.
    pub fn lock(mut self) -> Result<()> {
        let conn = self.conn.take().ok_or(Error::Locked)?;
        let logged = audit::append(&conn, Action::VaultLocked, None, json!({})).and_then(|_| {
            audit::anchor::write(
                &conn,
                &self.key,
                &self.vault.dir,
                &self.vault.meta.vault_id.to_string(),
            )
        });
        let closed = conn.close().map_err(|(_, e)| Error::Database(e));
        // `self` drops here and the key is wiped with it.
        logged.and(closed).map(|_| ())
    }
}
