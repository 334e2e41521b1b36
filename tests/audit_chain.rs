//! The audit log's hash chain: it verifies when intact, and `casenotes audit verify` exits 5 and
//! names the first broken entry when an entry is edited, deleted, reordered or cut from the end.
//! Tampering is done as an attacker holding the key would: straight SQL on the database.

mod common;

use casenotes::audit;
use casenotes::vault::{Unlock, Vault};
use common::*;

/// A vault with a few entries, then `sql` run directly against its database.
fn tampered(sql: &str) -> (TestVault, std::process::Output) {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    for _ in 0..2 {
        assert_success(&v.cli(&["status", "--passphrase-file", pass.to_str().unwrap()]));
    }
    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    session
        .conn()
        .unwrap()
        .execute_batch(&format!(
            "DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete; {sql}"
        ))
        .unwrap();
    drop(session);
    let out = v.cli(&[
        "audit",
        "verify",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    (v, out)
}

#[test]
fn intact_log_verifies() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "audit",
        "verify",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&out);
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(report["intact"], true);
    assert_eq!(report["entries"], 4);
}

#[test]
fn the_log_refuses_updates_and_deletes_through_sql() {
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let conn = session.conn().unwrap();
    assert!(conn
        .execute("UPDATE audit_log SET action = 'x' WHERE seq = 1", [])
        .is_err());
    assert!(conn
        .execute("DELETE FROM audit_log WHERE seq = 1", [])
        .is_err());
    session.verify_audit().unwrap();
}

fn assert_broken_at(out: &std::process::Output, seq: i64, words: &str) {
    assert_eq!(
        code(out),
        5,
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    let err = stderr(out);
    assert!(
        err.contains(&format!("entry {seq} ")),
        "expected entry {seq} named: {err}"
    );
    assert!(err.contains(words), "expected '{words}': {err}");
}

#[test]
fn an_edited_entry_is_detected() {
    let (_v, out) =
        tampered("UPDATE audit_log SET detail = '{\"method\":\"recovery_key\"}' WHERE seq = 4");
    assert_broken_at(&out, 4, "altered");
}

#[test]
fn a_deleted_entry_is_detected() {
    let (_v, out) = tampered("DELETE FROM audit_log WHERE seq = 3");
    assert_broken_at(&out, 3, "missing");
}

#[test]
fn reordered_entries_are_detected() {
    let (_v, out) = tampered(
        "UPDATE audit_log SET seq = -1 WHERE seq = 2;
         UPDATE audit_log SET seq = 2 WHERE seq = 3;
         UPDATE audit_log SET seq = 3 WHERE seq = -1;",
    );
    assert_broken_at(&out, 2, "removed or reordered");
}

#[test]
fn entries_cut_from_the_end_are_detected() {
    let (_v, out) =
        tampered("DELETE FROM audit_log WHERE seq >= (SELECT max(seq) - 1 FROM audit_log)");
    assert_eq!(code(&out), 5, "{}", stderr(&out));
    assert!(stderr(&out).contains("missing"), "{}", stderr(&out));
}

#[test]
fn rewriting_the_whole_chain_consistently_still_changes_the_head_hash() {
    // Someone with the key can rebuild a self-consistent chain; the head hash then differs from
    // the one a practitioner noted down, which is what `audit verify` prints for that purpose.
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let first = session.verify_audit().unwrap();
    session.lock().unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let second = session.verify_audit().unwrap();
    assert_eq!(second.entries, first.entries + 2);
    assert_ne!(second.head_hash, first.head_hash);
}

/// Makes every write to `audit_head` fail, as a crash between the two statements of an append
/// would leave it: the entry written, the head not.
const HEAD_WRITES_FAIL: &str = "
    CREATE TEMP TRIGGER head_insert_fails BEFORE INSERT ON audit_head
    BEGIN SELECT RAISE(ABORT, 'head write refused'); END;
    CREATE TEMP TRIGGER head_update_fails BEFORE UPDATE ON audit_head
    BEGIN SELECT RAISE(ABORT, 'head write refused'); END;";

#[test]
fn an_append_that_fails_half_way_leaves_neither_entry_nor_head() {
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let before = session.verify_audit().unwrap();
    session
        .conn()
        .unwrap()
        .execute_batch(HEAD_WRITES_FAIL)
        .unwrap();

    // On the bare connection, as `Session::record` and `Session::lock` append.
    assert!(session
        .record(audit::Action::SettingChanged, None, serde_json::json!({}))
        .is_err());
    let conn = session.conn().unwrap();
    assert!(conn.is_autocommit(), "no transaction is left open");
    assert_eq!(audit::count(conn).unwrap(), before.entries);
    assert_eq!(session.verify_audit().unwrap(), before);

    // Inside a caller's transaction that carries on and commits regardless.
    conn.execute_batch("BEGIN").unwrap();
    assert!(audit::append(
        conn,
        audit::Action::SettingChanged,
        None,
        serde_json::json!({})
    )
    .is_err());
    conn.execute_batch("COMMIT").unwrap();
    assert_eq!(audit::count(conn).unwrap(), before.entries);
    assert_eq!(session.verify_audit().unwrap(), before);

    conn.execute_batch("DROP TRIGGER temp.head_insert_fails; DROP TRIGGER temp.head_update_fails")
        .unwrap();
    session.lock().unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    assert_eq!(session.verify_audit().unwrap().entries, before.entries + 2);
}

#[test]
fn a_log_that_does_not_start_with_this_vault_is_reported() {
    // Another vault's log, intact and self-consistent, behind this vault's vault.toml: every
    // hash fits, but the log is not this vault's own.
    let v = TestVault::empty();
    v.init();
    let other = TestVault::empty();
    other.init();
    // Swap in the other vault's database and key slots, keeping this vault's vault.toml.
    for file in ["casenotes.db", "keys/passphrase.age", "keys/recovery.age"] {
        std::fs::copy(other.dir.join(file), v.dir.join(file)).unwrap();
    }
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "audit",
        "verify",
        "--passphrase-file",
        pass.to_str().unwrap(),
    ]);
    assert_broken_at(&out, 1, "not the creation of this vault");

    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let conn = session.conn().unwrap();
    assert!(matches!(
        audit::verify(conn, &other_vault_id(&other)),
        Ok(audit::Verified { .. })
    ));
    assert!(matches!(
        session.verify_audit(),
        Err(casenotes::Error::AuditChainBroken { seq: 1, .. })
    ));
}

#[test]
fn an_emptied_log_is_reported() {
    // Through the CLI the unlock itself becomes entry 1, which is not the vault's creation.
    let (_v, out) = tampered("DELETE FROM audit_log; DELETE FROM audit_head;");
    assert_broken_at(&out, 1, "not the creation of this vault");

    // Checked before anything else is appended, the log is simply empty.
    let v = TestVault::empty();
    v.init();
    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    session
        .conn()
        .unwrap()
        .execute_batch(
            "DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log; DELETE FROM audit_head;",
        )
        .unwrap();
    match session.verify_audit() {
        Err(casenotes::Error::AuditChainBroken { seq: 1, reason }) => {
            assert!(reason.contains("empty"), "{reason}")
        }
        other => panic!("an empty log verified: {other:?}"),
    }
}

fn other_vault_id(v: &TestVault) -> String {
    Vault::open(&v.dir).unwrap().meta().vault_id.to_string()
}
