//! The practitioner is never locked into casenotes: the key slots open with the independent Go
//! implementation of age (Debian's `age`), and the database opens with an independent SQLCipher 4
//! build (Python's sqlcipher3) given the key that age recovered.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::*;

/// Runs `age -d` on the passphrase slot. age reads passphrases only from a terminal, so it runs
/// under `script`, which gives it one and feeds it our standard input.
fn age_decrypt_with_passphrase(slot: &std::path::Path, out: &std::path::Path, passphrase: &str) {
    let cmd = format!("age -d -o '{}' '{}'", out.display(), slot.display());
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{passphrase}\n").as_bytes())
        .unwrap();
    let status = child.wait_with_output().unwrap();
    assert!(
        status.status.success(),
        "age -d failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

#[test]
fn key_slots_open_with_the_reference_age_tool_and_the_database_with_another_sqlcipher() {
    let v = TestVault::empty();
    let recovery_key = v.init();
    let work = v.tmp.path();

    // Recovery slot: an identity file, no terminal needed.
    let identity = work.join("identity.txt");
    std::fs::write(&identity, format!("{recovery_key}\n")).unwrap();
    let from_recovery = work.join("key-from-recovery.bin");
    let out = Command::new("age")
        .args(["-d", "-i"])
        .arg(&identity)
        .arg("-o")
        .arg(&from_recovery)
        .arg(v.dir.join("keys/recovery.age"))
        .output()
        .expect("Debian's age package (make test installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Passphrase slot.
    let from_passphrase = work.join("key-from-passphrase.bin");
    age_decrypt_with_passphrase(
        &v.dir.join("keys/passphrase.age"),
        &from_passphrase,
        PASSPHRASE,
    );

    let k1 = std::fs::read(&from_recovery).unwrap();
    let k2 = std::fs::read(&from_passphrase).unwrap();
    assert_eq!(k1.len(), 32);
    assert_eq!(k1, k2, "both slots hold the same master key");

    // A wrong passphrase fails in the reference tool too.
    let cmd = format!(
        "age -d -o /dev/null '{}'",
        v.dir.join("keys/passphrase.age").display()
    );
    let mut child = Command::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"not the passphrase\n")
        .unwrap();
    assert!(!child.wait().unwrap().success());

    // The independent SQLCipher opens the database with that key and reads the audit log.
    let script = r#"
import sys, sqlcipher3
key = open(sys.argv[2], "rb").read().hex()
db = sqlcipher3.connect(sys.argv[1])
db.execute("PRAGMA key = \"x'%s'\"" % key)
print(db.execute("PRAGMA cipher_version").fetchone()[0])
print(db.execute("PRAGMA integrity_check").fetchone()[0])
for row in db.execute("SELECT action FROM audit_log ORDER BY seq"):
    print(row[0])
"#;
    let out = Command::new(python_with_sqlcipher())
        .args(["-c", script])
        .arg(v.dir.join("casenotes.db"))
        .arg(&from_recovery)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with('4'),
        "SQLCipher 4 expected, got {}",
        lines[0]
    );
    assert_eq!(lines[1], "ok");
    assert_eq!(
        &lines[2..],
        ["vault_created", "vault_unlocked", "vault_locked"]
    );

    // And without the key it cannot read a thing.
    let out = Command::new(python_with_sqlcipher())
        .args(["-c", "import sys,sqlcipher3; sqlcipher3.connect(sys.argv[1]).execute('SELECT * FROM audit_log').fetchall()"])
        .arg(v.dir.join("casenotes.db"))
        .output()
        .unwrap();
    assert!(!out.status.success());
}
