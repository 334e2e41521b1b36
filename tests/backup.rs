//! Backups restore: round trips at practice size, the recovery key and the passphrase of the
//! day, a flipped byte anywhere found, truncated and foreign files refused with nothing written,
//! SIGKILL during a backup never harming the vault or an earlier backup, rotation, and stock
//! tools (tar, sha256sum, Go age, another SQLCipher) opening a backup.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use casenotes::domain::{attachments, clients};
use casenotes::export::backup::{self, BackupSettings};
use casenotes::secret::RecoveryKey;
use casenotes::vault::{Session, Unlock, Vault};
use casenotes::Error;
use common::*;
use rusqlite::types::Value;

fn no_progress() -> impl FnMut(backup::Progress) {
    |_| {}
}

/// A vault with an invented practice and a few attachments; returns the session and the
/// recovery key.
fn practice(dir: &Path, clients_n: u32) -> (Session, RecoveryKey) {
    let created = Vault::create(dir, &passphrase(PASSPHRASE)).unwrap();
    let mut s = created.session;
    casenotes::demo::generate(
        &mut s,
        casenotes::demo::DemoOptions {
            clients: clients_n,
            years: 2,
            seed: 11,
        },
        &mut |_, _| {},
    )
    .unwrap();
    let client_id: i64 = s
        .conn()
        .unwrap()
        .query_row("SELECT min(id) FROM clients", [], |r| r.get(0))
        .unwrap();
    for (i, size) in [150_000usize, 1_200_000].iter().enumerate() {
        let bytes: Vec<u8> = (0..*size).map(|j| (j * 31 + i * 7) as u8).collect();
        attachments::add(&mut s, client_id, None, &format!("letter-{i}.pdf"), &bytes).unwrap();
    }
    (s, created.recovery_key)
}

/// Every row of a table, in rowid order.
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

const CLINICAL_TABLES: [&str; 5] = [
    "clients",
    "notes",
    "note_addenda",
    "appointments",
    "attachments",
];

fn only_backup(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "cnbak"))
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    files[0].clone()
}

#[test]
fn a_practice_round_trips_identically_with_the_passphrase_and_with_the_recovery_key() {
    let tmp = tempfile::tempdir().unwrap();
    let (mut s, recovery) = practice(&tmp.path().join("vault"), 12);
    let out = tmp.path().join("backups");
    std::fs::create_dir(&out).unwrap();
    let made = s.back_up(&out, 10, &mut no_progress()).unwrap();
    assert!(made.counts.notes > 100, "{:?}", made.counts);
    assert_eq!(made.counts.attachments, 2);
    let before: Vec<_> = CLINICAL_TABLES.iter().map(|t| rows(&s, t)).collect();
    let audit_before = rows(&s, "audit_log");
    // The backup_made entry is written after the snapshot; the snapshot holds everything before.
    let in_backup = made.counts.audit_entries as usize;
    assert_eq!(audit_before.len(), in_backup + 1);

    for (name, how) in [
        ("by-passphrase", Unlock::Passphrase(&passphrase(PASSPHRASE))),
        ("by-recovery-key", Unlock::RecoveryKey(&recovery)),
    ] {
        let to = tmp.path().join(name);
        let (restored, r) =
            backup::restore(Path::new(&made.path), how, &to, false, &mut no_progress()).unwrap();
        assert_eq!(restored.counts, made.counts);
        assert_eq!(restored.moved_aside, None);
        let after: Vec<_> = CLINICAL_TABLES.iter().map(|t| rows(&r, t)).collect();
        assert_eq!(after, before, "{name}: every clinical row identical");
        let audit_after = rows(&r, "audit_log");
        assert_eq!(audit_after[..in_backup], audit_before[..in_backup]);
        let actions: Vec<String> = audit_after[in_backup..]
            .iter()
            .map(|row| match &row[2] {
                Value::Text(t) => t.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(actions, ["vault_unlocked", "backup_restored"], "{name}");
        // The restored vault knows its backup was good (its snapshot predates that record).
        let status = backup::status(&r).unwrap();
        assert_eq!(
            status.last_good_at.as_deref(),
            Some(made.created_at.as_str()),
            "{name}"
        );
        r.verify_audit().unwrap();
        casenotes::db::integrity_check(r.conn().unwrap()).unwrap();
        r.lock().unwrap();
        // It is a whole vault: it opens again with the passphrase of the day.
        Vault::open(&to)
            .unwrap()
            .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
            .unwrap()
            .lock()
            .unwrap();
    }
    s.lock().unwrap();
}

#[test]
fn a_backup_opens_with_the_passphrase_of_its_day_not_a_later_one() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let new_pass = v.secret_file("new", NEW_PASSPHRASE);
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    let p = pass.to_str().unwrap();
    assert_success(&v.cli(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]));
    assert_success(&v.cli(&[
        "change-passphrase",
        "--passphrase-file",
        p,
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]));
    let file = only_backup(&out);
    let f = file.to_str().unwrap();
    let ok = v.cli(&["backup", "verify", f, "--passphrase-file", p, "--json"]);
    assert_success(&ok);
    let json: serde_json::Value = serde_json::from_slice(&ok.stdout).unwrap();
    assert_eq!(json["intact"], true);
    assert_eq!(json["backup"]["recorded_in_vault"], true);
    let later = v.cli(&[
        "backup",
        "verify",
        f,
        "--passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert_eq!(code(&later), 3, "{}", stderr(&later));
    // The check is in the live vault's audit log.
    let log = v.cli(&[
        "audit",
        "list",
        "--passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert!(stdout(&log).contains("backup_verified"), "{}", stdout(&log));
}

#[test]
fn a_flipped_byte_anywhere_in_a_backup_is_found() {
    let tmp = tempfile::tempdir().unwrap();
    let created = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE)).unwrap();
    let mut s = created.session;
    clients::add(&mut s, clients::ClientDetails::named("Ann", "Smith")).unwrap();
    let made = s.back_up(tmp.path(), 10, &mut no_progress()).unwrap();
    s.lock().unwrap();
    let original = std::fs::read(&made.path).unwrap();
    let copy = tmp.path().join("flipped.cnbak");
    let pass = passphrase(PASSPHRASE);
    // Every byte when CASENOTES_BACKUP_FLIP_ALL is set (about 100,000 checks, a few minutes);
    // otherwise every 5th byte of the first 4 KiB (the first headers, the manifest and
    // SHA256SUMS), every 211th of the rest, and the very last byte.
    let positions: Vec<usize> = if std::env::var_os("CASENOTES_BACKUP_FLIP_ALL").is_some() {
        (0..original.len()).collect()
    } else {
        let head = 4096.min(original.len());
        (0..head)
            .step_by(5)
            .chain((head..original.len()).step_by(211))
            .chain([original.len() - 1])
            .collect()
    };
    for &at in &positions {
        let mut bytes = original.clone();
        bytes[at] ^= 0x20;
        std::fs::write(&copy, &bytes).unwrap();
        match backup::verify(&copy, Unlock::Passphrase(&pass), None, &mut no_progress()) {
            Err(Error::BackupDamaged { .. }) => {}
            other => panic!(
                "a flipped byte at {at} of {} gave {other:?}",
                original.len()
            ),
        }
    }
    // And the untouched file verifies.
    std::fs::write(&copy, &original).unwrap();
    backup::verify(&copy, Unlock::Passphrase(&pass), None, &mut no_progress()).unwrap();
}

#[test]
fn truncated_corrupted_and_foreign_files_are_refused_by_name_and_nothing_is_written() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    assert_success(&v.cli(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]));
    let good = std::fs::read(only_backup(&out)).unwrap();
    let bad = v.tmp.path().join("bad.cnbak");
    let to = v.tmp.path().join("restored");
    let mut plain_tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_ustar();
    h.set_size(5);
    h.set_cksum();
    plain_tar
        .append_data(&mut h, "notes.txt", &b"hello"[..])
        .unwrap();
    let plain_tar = plain_tar.into_inner().unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", Vec::new(), "not a casenotes backup"),
        ("half", good[..good.len() / 2].to_vec(), "truncated"),
        ("no end", good[..good.len() - 1024].to_vec(), "truncated"),
        ("a PDF", b"%PDF-1.7\n".repeat(200), "not a casenotes backup"),
        ("another tar", plain_tar, "not a casenotes backup"),
    ];
    for (what, bytes, says) in cases {
        std::fs::write(&bad, &bytes).unwrap();
        for args in [
            vec![
                "backup",
                "verify",
                bad.to_str().unwrap(),
                "--passphrase-file",
                p,
            ],
            vec![
                "restore",
                bad.to_str().unwrap(),
                "--to",
                to.to_str().unwrap(),
                "--passphrase-file",
                p,
            ],
        ] {
            let r = v.cli(&args);
            assert_eq!(code(&r), 5, "{what}: {}", stderr(&r));
            assert!(
                stderr(&r).contains("bad.cnbak"),
                "{what}: names the file: {}",
                stderr(&r)
            );
            assert!(
                stderr(&r).contains(says),
                "{what}: says {says:?}: {}",
                stderr(&r)
            );
        }
        assert!(!to.exists(), "{what}: nothing was restored");
        let leftovers: Vec<_> = std::fs::read_dir(v.tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("restoring"))
            .collect();
        assert!(leftovers.is_empty(), "{what}: {leftovers:?}");
    }
    // A wrong passphrase is exit 3 and restores nothing.
    let wrong = v.secret_file("wrong", "not the passphrase at all");
    let r = v.cli(&[
        "restore",
        only_backup(&out).to_str().unwrap(),
        "--to",
        to.to_str().unwrap(),
        "--passphrase-file",
        wrong.to_str().unwrap(),
    ]);
    assert_eq!(code(&r), 3, "{}", stderr(&r));
    assert!(!to.exists());
}

#[test]
fn restore_never_overwrites_a_vault_and_replace_moves_it_aside() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    assert_success(&v.cli(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]));
    let file = only_backup(&out);
    let f = file.to_str().unwrap();
    assert_success(&v.cli(&[
        "client",
        "add",
        "--given",
        "Later",
        "--family",
        "Client",
        "--passphrase-file",
        p,
    ]));
    let before = v.snapshot();
    let d = v.dir.to_str().unwrap();
    let r = v.cli(&["restore", f, "--to", d, "--passphrase-file", p]);
    assert_eq!(code(&r), 4, "{}", stderr(&r));
    assert_eq!(v.snapshot(), before, "the vault is untouched");
    // A folder with other files in it is refused too.
    let busy = v.tmp.path().join("busy");
    std::fs::create_dir(&busy).unwrap();
    std::fs::write(busy.join("thesis.docx"), b"x").unwrap();
    let r = v.cli(&[
        "restore",
        f,
        "--to",
        busy.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]);
    assert_eq!(code(&r), 4, "{}", stderr(&r));

    let r = v.cli(&[
        "restore",
        f,
        "--to",
        d,
        "--replace",
        "--passphrase-file",
        p,
        "--json",
    ]);
    assert_success(&r);
    let json: serde_json::Value = serde_json::from_slice(&r.stdout).unwrap();
    let aside = PathBuf::from(json["moved_aside"].as_str().unwrap());
    assert!(aside.join("vault.toml").exists());
    // The vault moved aside still holds the later client; the restored one does not.
    let list = |dir: &Path| {
        let o = Command::new(env!("CARGO_BIN_EXE_casenotes"))
            .args([
                "--vault",
                dir.to_str().unwrap(),
                "client",
                "list",
                "--passphrase-file",
                p,
            ])
            .output()
            .unwrap();
        assert_success(&o);
        stdout(&o)
    };
    assert!(list(&aside).contains("Later"));
    assert!(!list(&v.dir).contains("Later"));
}

#[test]
fn rotation_keeps_the_newest_of_this_vault_and_touches_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    let mut other = Vault::create(&tmp.path().join("other"), &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let others = other.back_up(&out, 10, &mut no_progress()).unwrap();
    other.lock().unwrap();
    std::fs::write(
        out.join("casenotes-1999-01-01-000000.cnbak"),
        b"not a backup",
    )
    .unwrap();
    let mut s = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let mut made = Vec::new();
    for _ in 0..4 {
        made.push(s.back_up(&out, 2, &mut no_progress()).unwrap());
    }
    let mine: Vec<String> = backup::list(&out)
        .unwrap()
        .into_iter()
        .filter(|b| b.file_name != others.file_name)
        .map(|b| b.file_name)
        .collect();
    assert_eq!(mine, [made[3].file_name.clone(), made[2].file_name.clone()]);
    assert_eq!(made[2].removed, [made[0].file_name.clone()]);
    assert_eq!(made[3].removed, [made[1].file_name.clone()]);
    assert!(
        Path::new(&others.path).exists(),
        "another vault's backup is kept"
    );
    assert!(
        out.join("casenotes-1999-01-01-000000.cnbak").exists(),
        "an unreadable file is kept"
    );
    s.lock().unwrap();
}

#[test]
fn settings_say_when_a_backup_is_due_and_warn_when_none_is_good() {
    let tmp = tempfile::tempdir().unwrap();
    let mut s = Vault::create(&tmp.path().join("vault"), &passphrase(PASSPHRASE))
        .unwrap()
        .session;
    let status = backup::status(&s).unwrap();
    assert!(status.warning.unwrap().contains("not set up"));
    assert!(!backup::due(&s).unwrap(), "no folder, nothing due");
    let out = tmp.path().join("drive");
    std::fs::create_dir(&out).unwrap();
    let bad = BackupSettings {
        folder: Some(out.to_string_lossy().into_owned()),
        every_hours: 0,
        keep: 10,
        on_lock: true,
    };
    assert!(matches!(
        backup::configure(&mut s, &bad),
        Err(Error::RecordRule { .. })
    ));
    let good = BackupSettings {
        every_hours: 24,
        ..bad
    };
    backup::configure(&mut s, &good).unwrap();
    assert!(backup::due(&s).unwrap(), "never backed up");
    let made = backup::back_up_configured(&mut s, &mut no_progress()).unwrap();
    let status = backup::status(&s).unwrap();
    assert_eq!(status.settings, good);
    assert_eq!(
        status.last_good_at.as_deref(),
        Some(made.created_at.as_str())
    );
    assert_eq!(status.warning, None);
    assert!(!backup::due(&s).unwrap());
    let now = chrono::Utc::now();
    assert!(backup::due_at(&s, now + chrono::Duration::hours(25)).unwrap());
    let later = backup::status_at(&s, now + chrono::Duration::days(8)).unwrap();
    assert!(later.warning.unwrap().contains("no good backup for 8 days"));

    // The drive is unplugged: the attempt fails, is recorded, and Home is told.
    std::fs::rename(&out, tmp.path().join("unplugged")).unwrap();
    let err = backup::back_up_configured(&mut s, &mut no_progress()).unwrap_err();
    assert_eq!(err.kind(), "backup_folder_missing");
    let status = backup::status(&s).unwrap();
    assert!(status.folder_missing);
    assert!(status.warning.unwrap().contains("cannot be found"));
    assert!(status.last_error.unwrap().contains("cannot be found"));
    let actions: Vec<String> = casenotes::audit::list(s.conn().unwrap(), Some(3))
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"backup_failed".to_owned()), "{actions:?}");
    s.lock().unwrap();
}

#[test]
fn stock_tools_open_a_backup() {
    let v = TestVault::empty();
    let recovery = v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    assert_success(&v.cli(&[
        "client",
        "add",
        "--given",
        "Ann",
        "--family",
        "Smith",
        "--passphrase-file",
        p,
    ]));
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    assert_success(&v.cli(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]));
    let file = only_backup(&out);
    let x = v.tmp.path().join("x");
    std::fs::create_dir(&x).unwrap();
    let run = |cmd: &mut Command| {
        let o = cmd.current_dir(&x).output().unwrap();
        assert!(
            o.status.success(),
            "{:?}: {}",
            cmd,
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    run(Command::new("tar").arg("-xf").arg(&file));
    let sums = run(Command::new("sha256sum").args(["-c", "SHA256SUMS"]));
    assert_eq!(sums.matches(": OK").count(), 5, "{sums}");
    std::fs::write(x.join("identity.txt"), format!("{recovery}\n")).unwrap();
    run(Command::new("age").args([
        "-d",
        "-i",
        "identity.txt",
        "-o",
        "master.key",
        "keys/recovery.age",
    ]));
    let script = r#"
import sys, sqlcipher3
key = open("master.key", "rb").read().hex()
db = sqlcipher3.connect("casenotes.db")
db.execute("PRAGMA key = \"x'%s'\"" % key)
print(db.execute("PRAGMA integrity_check").fetchone()[0])
print(db.execute("SELECT given_name FROM clients").fetchone()[0])
"#;
    let text = run(Command::new(python_with_sqlcipher()).args(["-c", script]));
    assert_eq!(text.lines().collect::<Vec<_>>(), ["ok", "Ann"]);
}

/// The child side of the kill test: backs up a vault in a loop until killed.
#[test]
#[ignore = "child process of killing_a_backup_never_harms_the_vault_or_an_earlier_backup"]
fn backup_child() {
    let Some(dir) = std::env::var_os("CASENOTES_BACKUP_CHILD") else {
        return;
    };
    let out = PathBuf::from(std::env::var_os("CASENOTES_BACKUP_OUT").unwrap());
    let mut s = Vault::open(Path::new(&dir))
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "UNLOCKED").unwrap();
    stdout.flush().unwrap();
    loop {
        s.back_up(&out, 3, &mut |_| {}).unwrap();
        writeln!(stdout, "BACKED UP").unwrap();
        stdout.flush().unwrap();
    }
}

#[test]
fn killing_a_backup_never_harms_the_vault_or_an_earlier_backup() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let (s, _) = practice(&dir, 6);
    s.lock().unwrap();
    let out = tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    let rounds: u64 = std::env::var("CASENOTES_BACKUP_KILL_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(6);
    let pass = passphrase(PASSPHRASE);
    for round in 0..rounds {
        let (mut child, _output) = spawn_child_test(
            "backup_child",
            &[
                ("CASENOTES_BACKUP_CHILD", dir.as_os_str()),
                ("CASENOTES_BACKUP_OUT", out.as_os_str()),
            ],
            "UNLOCKED",
        );
        // Somewhere inside a backup of about 1.5 MB: a spread of moments over a few rounds.
        std::thread::sleep(Duration::from_millis(5 + (round * 37) % 160));
        child.kill().unwrap();
        child.wait().unwrap();

        // Every file with a backup's name is whole and verifies.
        for b in std::fs::read_dir(&out).unwrap() {
            let path = b.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".cnbak") && !name.starts_with('.') {
                backup::verify(&path, Unlock::Passphrase(&pass), None, &mut no_progress())
                    .unwrap_or_else(|e| panic!("round {round}: {name}: {e}"));
            }
        }
        // And the vault opens, whole.
        let s = Vault::open(&dir)
            .unwrap()
            .unlock(Unlock::Passphrase(&pass))
            .unwrap();
        s.verify_audit().unwrap();
        casenotes::db::integrity_check(s.conn().unwrap()).unwrap();
        s.lock().unwrap();
    }
}

/// The child side of the consistency test: writes signed notes until killed.
#[test]
#[ignore = "child process of a_backup_taken_while_notes_are_written_is_consistent"]
fn writer_child() {
    let Some(dir) = std::env::var_os("CASENOTES_WRITER_CHILD") else {
        return;
    };
    let mut s = Vault::open(Path::new(&dir))
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let id = clients::add(&mut s, clients::ClientDetails::named("Busy", "Writer"))
        .unwrap()
        .id;
    let mut stdout = std::io::stdout().lock();
    for i in 0.. {
        let n = casenotes::domain::notes::create(
            &mut s,
            id,
            casenotes::domain::notes::NoteKind::Session,
            casenotes::domain::notes::Template::Free,
            &format!("Note {i}. {}", "Steady prose about the week. ".repeat(40)),
            false,
        )
        .unwrap();
        casenotes::domain::notes::sign(&mut s, n.id).unwrap();
        // A busy practitioner's pace, not a tight loop: SQLite's lock is not fair, and a writer
        // that never lets go would starve the backup's own small write past the busy timeout.
        std::thread::sleep(Duration::from_millis(15));
        if i == 0 {
            writeln!(stdout, "WRITING").unwrap();
            stdout.flush().unwrap();
        }
    }
}

#[test]
fn a_backup_taken_while_notes_are_written_is_consistent() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    Vault::create(&dir, &passphrase(PASSPHRASE))
        .unwrap()
        .session
        .lock()
        .unwrap();
    let (mut child, _output) = spawn_child_test(
        "writer_child",
        &[("CASENOTES_WRITER_CHILD", dir.as_os_str())],
        "WRITING",
    );
    let out = tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    let pass = passphrase(PASSPHRASE);
    let mut s = Vault::open(&dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&pass))
        .unwrap();
    let mut notes_seen = Vec::new();
    for _ in 0..4 {
        // Each backup is verified as it is written (integrity, audit chain, counts).
        let made = s.back_up(&out, 10, &mut no_progress()).unwrap();
        notes_seen.push(made.counts.notes);
        std::thread::sleep(Duration::from_millis(150));
    }
    s.lock().unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        notes_seen.windows(2).any(|w| w[1] > w[0]),
        "notes were being written during the backups: {notes_seen:?}"
    );
    // Restore the last: every signed note in it has its audit entry, and no entry lacks its note.
    let last = backup::list(&out).unwrap().remove(0);
    let (_, r) = backup::restore(
        Path::new(&last.path),
        Unlock::Passphrase(&pass),
        &tmp.path().join("restored"),
        false,
        &mut no_progress(),
    )
    .unwrap();
    let conn = r.conn().unwrap();
    let notes: i64 = conn
        .query_row(
            "SELECT count(*) FROM notes WHERE signed_at IS NOT NULL",
            [],
            |x| x.get(0),
        )
        .unwrap();
    let signed_entries: i64 = conn
        .query_row(
            "SELECT count(*) FROM audit_log WHERE action = 'note_signed'",
            [],
            |x| x.get(0),
        )
        .unwrap();
    assert_eq!(notes, signed_entries);
    // Every note (a snapshot may fall between a note's writing and its signing) has its entry.
    let (all, created_entries): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT count(*) FROM notes),
                    (SELECT count(*) FROM audit_log WHERE action = 'note_created')",
            [],
            |x| Ok((x.get(0)?, x.get(1)?)),
        )
        .unwrap();
    assert_eq!(all, created_entries);
    assert_eq!(all, last.counts.notes);
    r.lock().unwrap();
}

#[test]
fn backup_verify_and_restore_write_no_plaintext_anywhere() {
    const CANARY: &str = "wombat-tangerine-sextant";
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    assert_success(&v.cli(&[
        "client",
        "add",
        "--given",
        "Ann",
        "--family",
        "Smith",
        "--passphrase-file",
        p,
    ]));
    let body = v.tmp.path().join("body.md");
    std::fs::write(
        &body,
        format!("Spoke about {CANARY} at length.\n").repeat(50),
    )
    .unwrap();
    assert_success(&v.cli(&[
        "note",
        "add",
        "C-0001",
        "--kind",
        "session",
        "--template",
        "free",
        "--body-file",
        body.to_str().unwrap(),
        "--sign",
        "--passphrase-file",
        p,
    ]));
    std::fs::remove_file(&body).unwrap();
    let private_tmp = v.tmp.path().join("tmp");
    std::fs::create_dir(&private_tmp).unwrap();
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    let run = |args: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_casenotes"))
            .arg("--vault")
            .arg(&v.dir)
            .args(args)
            .env("TMPDIR", &private_tmp)
            .env_remove("CASENOTES_VAULT")
            .output()
            .unwrap();
        assert_success(&o);
    };
    run(&[
        "backup",
        "--out",
        out.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]);
    let file = only_backup(&out);
    run(&[
        "backup",
        "verify",
        file.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]);
    let restored = v.tmp.path().join("restored");
    run(&[
        "restore",
        file.to_str().unwrap(),
        "--to",
        restored.to_str().unwrap(),
        "--passphrase-file",
        p,
    ]);
    // The CLI did write and read the canary (a search finds it in the restored vault)...
    let o = Command::new(env!("CARGO_BIN_EXE_casenotes"))
        .args([
            "--vault",
            restored.to_str().unwrap(),
            "search",
            CANARY,
            "--passphrase-file",
            p,
        ])
        .output()
        .unwrap();
    assert!(stdout(&o).contains("C-0001"), "{}", stdout(&o));
    // ...and no byte of any file anywhere under the test's folder holds it in the clear.
    for f in files_under(v.tmp.path()) {
        let bytes = std::fs::read(&f).unwrap();
        assert!(
            !bytes.windows(CANARY.len()).any(|w| w == CANARY.as_bytes()),
            "plaintext in {}",
            f.display()
        );
    }
}
