//! Nothing readable at rest: the database has no SQLite header, and text written through the
//! core appears in no file of the vault folder, neither while the vault is open (WAL and shared
//! memory files present) nor after it locks.

mod common;

use casenotes::domain::settings;
use casenotes::vault::{Unlock, Vault};
use common::*;

const CANARY: &str = "CANARY-Marjorie-Featherstonehaugh-disclosed-7f3a";

fn assert_canary_nowhere(v: &TestVault, when: &str) {
    let files = files_under(&v.dir);
    assert!(files.len() >= 4, "{files:?}");
    for path in files {
        let bytes = std::fs::read(&path).unwrap();
        for needle in [CANARY.as_bytes(), b"Featherstonehaugh".as_slice()] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "{when}: plaintext found in {}",
                path.display()
            );
        }
    }
}

#[test]
fn database_has_no_plaintext_header() {
    let v = TestVault::empty();
    v.init();
    let head = std::fs::read(v.dir.join("casenotes.db")).unwrap();
    assert!(head.len() >= 4096);
    assert_ne!(
        &head[..16],
        b"SQLite format 3\0",
        "the database must be encrypted"
    );
}

#[test]
fn canary_text_reaches_no_file_in_the_clear() {
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    // Enough writes to spill pages into the WAL and through a checkpoint.
    for i in 0..400 {
        let value = format!("{CANARY} session {i} {}", "x".repeat(200));
        settings::set(&mut session, &format!("canary-{i}"), &value).unwrap();
    }
    settings::set(&mut session, settings::PRACTITIONER_NAME, CANARY).unwrap();
    assert!(
        v.dir.join("casenotes.db-wal").exists(),
        "WAL in use while open"
    );
    assert_canary_nowhere(&v, "while unlocked");
    assert_eq!(
        settings::get(&session, settings::PRACTITIONER_NAME)
            .unwrap()
            .as_deref(),
        Some(CANARY)
    );
    session.lock().unwrap();
    assert_canary_nowhere(&v, "after locking");

    // Overwritten values leave no trace either (secure_delete), and neither does a crash
    // that leaves the WAL behind.
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    settings::set(&mut session, settings::PRACTITIONER_NAME, "someone else").unwrap();
    std::mem::forget(session);
    assert_canary_nowhere(&v, "after an unclean exit");
}

#[cfg(unix)]
#[test]
fn vault_files_are_private_to_the_owner() {
    use std::os::unix::fs::PermissionsExt;
    let v = TestVault::empty();
    v.init();
    for path in files_under(&v.dir)
        .into_iter()
        .chain([v.dir.clone(), v.dir.join("keys")])
    {
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} has mode {mode:o}", path.display());
    }
}
