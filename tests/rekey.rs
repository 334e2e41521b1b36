//! Changing the master key (`casenotes rekey`, `Session::rekey`): the old passphrase and
//! recovery key stop working and the new ones open the vault, every record and the audit chain
//! survive, no page of the database file is left as it was, a backup made before still restores
//! with the secrets of its day, and a crash at any step leaves a vault that opens with the old
//! secrets or with the new ones.

mod common;

use std::path::{Path, PathBuf};

use casenotes::domain::clients;
use casenotes::secret::RecoveryKey;
use casenotes::vault::{Session, Unlock, Vault, REKEY_CRASH_AT_ENV};
use common::*;
use rusqlite::types::Value;

const REKEYED_PASSPHRASE: &str = "juniper anvil meadow crocus";

const TABLES: [&str; 5] = [
    "clients",
    "notes",
    "note_addenda",
    "appointments",
    "audit_log",
];

fn rows(s: &Session, table: &str) -> Vec<Vec<Value>> {
    let conn = s.conn().unwrap();
    let mut stmt = conn
        .prepare(&format!("SELECT * FROM {table} ORDER BY rowid"))
        .unwrap();
    let n = stmt.column_count();
    stmt.query_map([], |r| (0..n).map(|i| r.get::<_, Value>(i)).collect())
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn unlock(dir: &Path, text: &str) -> casenotes::Result<Session> {
    Vault::open(dir)?.unlock(Unlock::Passphrase(&passphrase(text)))
}

fn unlock_recovery(dir: &Path, key: &str) -> casenotes::Result<Session> {
    Vault::open(dir)?.unlock(Unlock::RecoveryKey(&RecoveryKey::parse(key).unwrap()))
}

fn error_kind(out: &std::process::Output) -> String {
    let v: serde_json::Value = serde_json::from_str(stderr(out).lines().last().unwrap_or("{}"))
        .unwrap_or_else(|_| panic!("json error expected: {}", stderr(out)));
    v["error"]["kind"].as_str().unwrap_or_default().to_owned()
}

/// Nothing of a change of key under way is left in `keys/`.
fn assert_no_leftovers(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("keys"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["passphrase.age", "recovery.age"]);
}

fn status(v: &TestVault, pass: &Path) -> std::process::Output {
    v.cli(&[
        "status",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ])
}

#[test]
fn rekey_replaces_every_secret_and_keeps_every_record() {
    let v = TestVault::empty();
    let old_recovery = v.init();
    let old_pass = v.secret_file("pass", PASSPHRASE);
    let p = old_pass.to_str().unwrap();
    assert_success(&v.cli(&[
        "demo",
        "--clients",
        "4",
        "--years",
        "1",
        "--passphrase-file",
        p,
    ]));
    let backups = v.tmp.path().join("backups");
    std::fs::create_dir(&backups).unwrap();
    assert_success(&v.cli(&[
        "backup",
        "--out",
        backups.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]));
    let before: Vec<_> = {
        let s = unlock(&v.dir, PASSPHRASE).unwrap();
        let r = TABLES.iter().map(|t| rows(&s, t)).collect();
        s.lock().unwrap();
        r
    };
    let db_before = std::fs::read(v.dir.join("casenotes.db")).unwrap();

    // A guessable new passphrase is refused before anything is touched.
    let snapshot = v.snapshot();
    let weak = v.secret_file("weak", "password1234");
    let out = v.cli(&[
        "rekey",
        "--passphrase-file",
        p,
        "--new-passphrase-file",
        weak.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert_eq!(error_kind(&out), "passphrase_too_weak");
    assert!(stderr(&out).contains("would be guessed quickly"));
    assert_eq!(v.snapshot(), snapshot, "a refused rekey changes nothing");

    let new_pass = v.secret_file("new", REKEYED_PASSPHRASE);
    let out = v.cli(&[
        "rekey",
        "--passphrase-file",
        p,
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["result"], "rekeyed");
    let new_recovery = json["recovery_key"].as_str().unwrap().to_owned();
    assert!(new_recovery.starts_with("AGE-SECRET-KEY-1"));
    assert_ne!(new_recovery, old_recovery);
    let message = json["message"].as_str().unwrap();
    assert!(
        message.contains("OLD passphrase and OLD recovery key"),
        "{message}"
    );
    assert_no_leftovers(&v.dir);

    // The old secrets fail with exit 3; the new ones open the vault.
    let out = status(&v, &old_pass);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let old_key_file = v.secret_file("old-recovery", &old_recovery);
    let third = v.secret_file("third", "walnut cathedral ripple saffron");
    let out = v.cli(&[
        "recover",
        "--recovery-key-file",
        old_key_file.to_str().unwrap(),
        "--new-passphrase-file",
        third.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert_success(&status(&v, &new_pass));
    unlock_recovery(&v.dir, &new_recovery)
        .unwrap()
        .lock()
        .unwrap();

    // Every record and every audit entry is still there, and the chain is whole.
    let s = unlock(&v.dir, REKEYED_PASSPHRASE).unwrap();
    for (table, rows_before) in TABLES.iter().zip(&before) {
        let now = rows(&s, table);
        if *table == "audit_log" {
            assert_eq!(&now[..rows_before.len()], &rows_before[..], "{table}");
        } else {
            assert_eq!(&now, rows_before, "{table}");
        }
    }
    let rekeyed: i64 = s
        .conn()
        .unwrap()
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'vault_rekeyed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rekeyed, 1);
    s.lock().unwrap();
    let out = v.cli(&[
        "audit",
        "verify",
        "--passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert_success(&out);

    // No page of the file is as it was.
    let db_after = std::fs::read(v.dir.join("casenotes.db")).unwrap();
    assert!(db_after.len() >= db_before.len());
    let same = db_before
        .chunks(4096)
        .zip(db_after.chunks(4096))
        .filter(|(a, b)| a == b)
        .count();
    assert_eq!(same, 0, "{same} pages unchanged");

    // A backup made before still restores with the passphrase of its day, and only with it.
    let backup = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cnbak"))
        .unwrap();
    let b = backup.to_str().unwrap();
    let to = v.tmp.path().join("restored");
    let out = v.cli(&[
        "restore",
        b,
        "--to",
        to.to_str().unwrap(),
        "--passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    assert!(!to.exists());
    let out = v.cli(&[
        "restore",
        b,
        "--to",
        to.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]);
    assert_success(&out);
    let s = unlock(&to, PASSPHRASE).unwrap();
    assert_eq!(rows(&s, "clients"), before[0]);
    s.lock().unwrap();
}

#[test]
fn the_session_goes_on_with_the_new_key() {
    let v = TestVault::empty();
    let created = Vault::create(&v.dir, &passphrase(PASSPHRASE)).unwrap();
    let mut s = created.session;
    let recovery = s.rekey(&passphrase(REKEYED_PASSPHRASE)).unwrap();
    assert_ne!(recovery.expose(), created.recovery_key.expose());
    let client = clients::add(&mut s, clients::ClientDetails::named("Ada", "Byron")).unwrap();
    s.lock().unwrap();
    assert!(matches!(
        unlock(&v.dir, PASSPHRASE),
        Err(casenotes::Error::WrongPassphrase)
    ));
    assert!(matches!(
        unlock_recovery(&v.dir, created.recovery_key.expose()),
        Err(casenotes::Error::WrongRecoveryKey)
    ));
    let s = unlock_recovery(&v.dir, recovery.expose()).unwrap();
    assert_eq!(
        clients::get(&s, client.id).unwrap().details.given_name,
        "Ada"
    );
    s.verify_audit().unwrap();
    s.lock().unwrap();
}

/// Steps in the order `Session::rekey` passes them; the database changes between the second and
/// the third.
const STEPS: [&str; 6] = [
    "marker_written",
    "slots_staged",
    "database_rekeyed",
    "recorded",
    "passphrase_slot_moved",
    "recovery_slot_moved",
];

#[test]
fn a_crash_at_any_step_leaves_a_vault_that_opens_with_the_old_or_the_new_secrets() {
    for (i, step) in STEPS.iter().enumerate() {
        let database_changed = i >= 2;
        let v = TestVault::empty();
        let old_recovery = v.init();
        let old_pass = v.secret_file("pass", PASSPHRASE);
        let new_pass = v.secret_file("new", REKEYED_PASSPHRASE);
        let out = v.cli(&[
            "client",
            "add",
            "--given",
            "Ada",
            "--family",
            "Byron",
            "--passphrase-file",
            old_pass.to_str().unwrap(),
        ]);
        assert_success(&out);

        let crashed = std::process::Command::new(env!("CARGO_BIN_EXE_casenotes"))
            .arg("--vault")
            .arg(&v.dir)
            .args(["rekey", "--passphrase-file"])
            .arg(&old_pass)
            .arg("--new-passphrase-file")
            .arg(&new_pass)
            .env(REKEY_CRASH_AT_ENV, step)
            .env_remove("CASENOTES_VAULT")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        assert!(
            crashed.status.code().is_none(),
            "{step}: the process should have died, got {:?}",
            crashed.status
        );
        assert!(
            !stdout(&crashed).contains("AGE-SECRET-KEY"),
            "{step}: no recovery key was shown"
        );

        let (works, fails): (&PathBuf, &PathBuf) = if database_changed {
            (&new_pass, &old_pass)
        } else {
            (&old_pass, &new_pass)
        };
        // The other side's passphrase is refused, as a wrong secret (exit 3), and says which to
        // use where it can tell.
        let out = status(&v, fails);
        assert_eq!(code(&out), 3, "{step}: {}", stderr(&out));
        if *step == "slots_staged" || *step == "database_rekeyed" || *step == "recorded" {
            assert_eq!(error_kind(&out), "rekey_interrupted", "{step}");
            let expected = if database_changed {
                "unlock with the new passphrase"
            } else {
                "unlock with your old passphrase"
            };
            assert!(stderr(&out).contains(expected), "{step}: {}", stderr(&out));
        }

        // This side's passphrase opens it, finishing or abandoning the change.
        let out = status(&v, works);
        assert_success(&out);
        assert_eq!(
            stderr(&out).contains("never shown"),
            database_changed,
            "{step}: {}",
            stderr(&out)
        );
        assert_no_leftovers(&v.dir);
        let out = v.cli(&[
            "audit",
            "verify",
            "--passphrase-file",
            works.to_str().unwrap(),
        ]);
        assert_success(&out);
        assert!(!stderr(&out).contains("never shown"), "said once only");
        let out = v.cli(&[
            "client",
            "list",
            "--passphrase-file",
            works.to_str().unwrap(),
        ]);
        assert_success(&out);
        assert!(stdout(&out).contains("Ada Byron"), "{step}");
        assert_eq!(
            unlock_recovery(&v.dir, &old_recovery)
                .map(|s| s.lock())
                .is_ok(),
            !database_changed,
            "{step}: the old recovery key opens the vault only if the database was not changed"
        );
        let s = unlock(
            &v.dir,
            if database_changed {
                REKEYED_PASSPHRASE
            } else {
                PASSPHRASE
            },
        )
        .unwrap();
        let finished: Vec<String> = s
            .conn()
            .unwrap()
            .prepare("SELECT detail FROM audit_log WHERE action = 'vault_rekeyed' ORDER BY seq")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        s.lock().unwrap();
        if database_changed {
            assert!(
                finished
                    .last()
                    .unwrap()
                    .contains("\"finished_at_unlock\":true"),
                "{step}: {finished:?}"
            );
        } else {
            assert!(finished.is_empty(), "{step}: {finished:?}");
        }
    }
}
