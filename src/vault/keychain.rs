//! The optional keychain slot: "Unlock with this computer's keychain".
//!
//! A random age X25519 identity is kept in the operating system's keychain (the Secret Service on
//! Linux) under the service "casenotes" and the vault's id; `keys/keychain.age` holds the master
//! key encrypted to that identity. Neither half alone opens the vault. Switching the slot off, or
//! changing or recovering the passphrase, deletes both halves. The rule that the passphrase is
//! still needed after the app restarts belongs to the desktop shell, which knows about processes.

use std::path::Path;

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::secret::{MasterKey, RecoveryKey};

use super::slots;

/// The service name under which secrets are stored in the keychain.
pub const KEYCHAIN_SERVICE: &str = "casenotes";
pub(super) const SLOT_FILE: &str = "keychain.age";

fn entry(vault_id: &str) -> Result<keyring::Entry> {
    keyring::Entry::new(KEYCHAIN_SERVICE, vault_id).map_err(unavailable)
}

fn unavailable(e: keyring::Error) -> Error {
    Error::KeychainUnavailable {
        detail: e.to_string(),
    }
}

/// Stores a fresh identity in the keychain and writes the slot encrypted to it.
pub(super) fn enable(slot: &Path, vault_id: &str, key: &MasterKey) -> Result<()> {
    let identity = age::x25519::Identity::generate();
    let secret = RecoveryKey::from_identity(&identity);
    entry(vault_id)?
        .set_password(secret.expose())
        .map_err(unavailable)?;
    if let Err(e) = slots::write_recovery_slot(slot, key, &identity.to_public()) {
        let _ = entry(vault_id).and_then(|e| e.delete_credential().map_err(unavailable));
        return Err(e);
    }
    Ok(())
}

/// Opens the slot with the identity held in the keychain.
pub(super) fn read(slot: &Path, vault_id: &str) -> Result<MasterKey> {
    if !slot.exists() {
        return Err(Error::KeychainNotEnabled);
    }
    let stored = entry(vault_id)?.get_password().map_err(|e| match e {
        keyring::Error::NoEntry => Error::KeychainNotEnabled,
        other => unavailable(other),
    })?;
    let stored = Zeroizing::new(stored);
    let identity = RecoveryKey::parse(&stored).map_err(|_| Error::DamagedKeySlot {
        detail: "the keychain holds something other than a casenotes key".to_owned(),
    })?;
    slots::read_recovery_slot(slot, &identity).map_err(|e| match e {
        Error::WrongRecoveryKey => Error::DamagedKeySlot {
            detail: "the keychain's key does not open keys/keychain.age".to_owned(),
        },
        other => other,
    })
}

/// Deletes both halves. Missing halves are not an error: the aim is that neither remains.
pub(super) fn disable(slot: &Path, vault_id: &str) -> Result<()> {
    if slot.exists() {
        std::fs::remove_file(slot)
            .map_err(Error::io(format!("Could not remove {}", slot.display())))?;
    }
    match entry(vault_id)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(e) => Err(unavailable(e)),
    }
}

impl super::Vault {
    /// Removes the keychain slot and its secret while the vault is locked (no audit entry can be
    /// written then). The desktop app calls it at start-up and as it quits, so a keychain secret
    /// never outlives one run of the app, not even one that crashed.
    pub fn forget_keychain(&self) -> Result<()> {
        disable(&self.keychain_slot(), &self.meta.vault_id.to_string())
    }
}
