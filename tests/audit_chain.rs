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
    audit::verify(conn).unwrap();
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
    let first = audit::verify(session.conn().unwrap()).unwrap();
    session.lock().unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let second = audit::verify(session.conn().unwrap()).unwrap();
    assert_eq!(second.entries, first.entries + 2);
    assert_ne!(second.head_hash, first.head_hash);
}
