//! Key slots: the master key encrypted with age, one file per way of unlocking.
//!
//! `keys/passphrase.age` uses age's scrypt (passphrase) recipient with the work factor pinned at
//! 2^18; `keys/recovery.age` uses an X25519 recipient whose identity is the recovery key. Both are
//! ASCII-armoured age files, so any standard age tool can open them and the practitioner is never
//! locked into this program. This module never writes the master key anywhere but into age.

use std::io::{Read, Write};
use std::path::Path;

use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::DecryptError;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::fsutil;
use crate::secret::{MasterKey, Passphrase, RecoveryKey, MASTER_KEY_LEN};

/// scrypt work factor for new passphrase slots: about 0.6 s and 256 MiB on a 2-core machine.
pub const PASSPHRASE_WORK_FACTOR: u8 = 18;
/// The largest work factor accepted when reading a slot, to bound time and memory.
pub const MAX_WORK_FACTOR: u8 = 22;

/// Which secret a slot is opened with; decides which error a failure becomes.
enum SlotKind {
    Passphrase,
    Recovery,
}

pub fn write_passphrase_slot(path: &Path, key: &MasterKey, passphrase: &Passphrase) -> Result<()> {
    let mut recipient = age::scrypt::Recipient::new(passphrase.secret().clone());
    recipient.set_work_factor(PASSPHRASE_WORK_FACTOR);
    write_slot(path, key, &recipient)
}

pub fn write_recovery_slot(
    path: &Path,
    key: &MasterKey,
    recipient: &age::x25519::Recipient,
) -> Result<()> {
    write_slot(path, key, recipient)
}

pub fn read_passphrase_slot(path: &Path, passphrase: &Passphrase) -> Result<MasterKey> {
    let mut identity = age::scrypt::Identity::new(passphrase.secret().clone());
    identity.set_max_work_factor(MAX_WORK_FACTOR);
    read_slot(path, &identity, SlotKind::Passphrase)
}

pub fn read_recovery_slot(path: &Path, recovery_key: &RecoveryKey) -> Result<MasterKey> {
    let identity = recovery_key.identity()?;
    read_slot(path, &identity, SlotKind::Recovery)
}

fn write_slot(path: &Path, key: &MasterKey, recipient: &dyn age::Recipient) -> Result<()> {
    let encryptor = age::Encryptor::with_recipients(std::iter::once(recipient))
        .map_err(|e| Error::Encryption(e.to_string()))?;
    let mut ciphertext = Vec::new();
    let to_io = |e: std::io::Error| Error::Encryption(e.to_string());
    let armored = ArmoredWriter::wrap_output(&mut ciphertext, Format::AsciiArmor).map_err(to_io)?;
    let mut writer = encryptor.wrap_output(armored).map_err(to_io)?;
    writer.write_all(key.expose()).map_err(to_io)?;
    writer
        .finish()
        .and_then(|armor| armor.finish())
        .map_err(to_io)?;
    fsutil::write_atomic(path, &ciphertext)
}

fn read_slot(path: &Path, identity: &dyn age::Identity, kind: SlotKind) -> Result<MasterKey> {
    let file = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::DamagedKeySlot {
            detail: format!("{} is missing", path.display()),
        },
        _ => Error::Io {
            what: format!("Could not read {}", path.display()),
            source: e,
        },
    })?;
    let damaged = |what: &str| Error::DamagedKeySlot {
        detail: format!("{} {what}", path.display()),
    };
    let decryptor = age::Decryptor::new_buffered(ArmoredReader::new(file.as_slice()))
        .map_err(|_| damaged("is not an age file"))?;
    let mut reader =
        decryptor
            .decrypt(std::iter::once(identity))
            .map_err(|e| match (e, &kind) {
                (
                    DecryptError::DecryptionFailed | DecryptError::KeyDecryptionFailed,
                    SlotKind::Passphrase,
                ) => Error::WrongPassphrase,
                (DecryptError::NoMatchingKeys, SlotKind::Passphrase) => {
                    damaged("is not a passphrase key file")
                }
                (
                    DecryptError::DecryptionFailed
                    | DecryptError::KeyDecryptionFailed
                    | DecryptError::NoMatchingKeys,
                    SlotKind::Recovery,
                ) => Error::WrongRecoveryKey,
                (DecryptError::ExcessiveWork { required, .. }, _) => damaged(&format!(
                    "demands a work factor of 2^{required}, above the limit of 2^{MAX_WORK_FACTOR}"
                )),
                (other, _) => damaged(&format!("could not be decrypted ({other})")),
            })?;
    // One byte more than a key, to notice a slot that holds something else.
    let mut plain = Zeroizing::new(vec![0u8; MASTER_KEY_LEN + 1]);
    let mut filled = 0;
    loop {
        let n = reader
            .read(&mut plain[filled..])
            .map_err(|_| damaged("is damaged"))?;
        if n == 0 || filled + n == plain.len() {
            filled += n;
            break;
        }
        filled += n;
    }
    MasterKey::from_slot_bytes(&mut plain[..filled])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_and_refuse_wrong_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let key = MasterKey::generate().unwrap();
        let pass = Passphrase::from_str_for_tests("a long enough passphrase");
        let p = dir.path().join("passphrase.age");
        write_passphrase_slot(&p, &key, &pass).unwrap();
        let back = read_passphrase_slot(&p, &pass).unwrap();
        assert_eq!(back.expose(), key.expose());
        let wrong = Passphrase::from_str_for_tests("not the passphrase at all");
        assert!(matches!(
            read_passphrase_slot(&p, &wrong),
            Err(Error::WrongPassphrase)
        ));

        let id = age::x25519::Identity::generate();
        let r = dir.path().join("recovery.age");
        write_recovery_slot(&r, &key, &id.to_public()).unwrap();
        let rk = RecoveryKey::from_identity(&id);
        assert_eq!(read_recovery_slot(&r, &rk).unwrap().expose(), key.expose());
        let other = RecoveryKey::from_identity(&age::x25519::Identity::generate());
        assert!(matches!(
            read_recovery_slot(&r, &other),
            Err(Error::WrongRecoveryKey)
        ));
        // A recovery key offered to the passphrase slot is not mistaken for a wrong passphrase.
        assert!(matches!(
            read_recovery_slot(&p, &rk),
            Err(Error::WrongRecoveryKey)
        ));
    }

    #[test]
    fn slot_is_pinned_at_the_agreed_work_factor() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("passphrase.age");
        let key = MasterKey::generate().unwrap();
        write_passphrase_slot(
            &p,
            &key,
            &Passphrase::from_str_for_tests("a long enough passphrase"),
        )
        .unwrap();
        let mut raw = Vec::new();
        ArmoredReader::new(file_bytes(&p).as_slice())
            .read_to_end(&mut raw)
            .unwrap();
        let header = String::from_utf8_lossy(&raw).into_owned();
        // The header stanza is "-> scrypt <salt> 18".
        let stanza = header
            .lines()
            .find(|l| l.starts_with("-> scrypt "))
            .unwrap();
        assert!(stanza.ends_with(" 18"), "{stanza}");
    }

    fn file_bytes(p: &Path) -> Vec<u8> {
        std::fs::read(p).unwrap()
    }
}
