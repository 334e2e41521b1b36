//! The vault's life through the real CLI: create, status, lock, unlock, change passphrase,
//! recover, and the refusals (wrong secrets, short passphrases, missing or existing vaults).

mod common;

use common::*;

#[test]
fn full_lifecycle_through_the_cli() {
    let v = TestVault::empty();
    let recovery_key = v.init();
    assert!(
        recovery_key.starts_with("AGE-SECRET-KEY-1"),
        "{recovery_key}"
    );
    // The recovery key is never stored in the vault.
    for path in files_under(&v.dir) {
        let bytes = std::fs::read(&path).unwrap();
        assert!(
            !bytes
                .windows(recovery_key.len())
                .any(|w| w == recovery_key.as_bytes()),
            "recovery key found in {}",
            path.display()
        );
    }

    let pass = v.secret_file("pass", PASSPHRASE);
    let pass = pass.to_str().unwrap();
    // status unlocks, reports and locks again.
    let out = v.cli(&["status", "--passphrase-file", pass, "--json"]);
    assert_success(&out);
    let status: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(status["locked"], true);
    assert_eq!(status["status"]["format_version"], 1);
    assert!(status["status"]["schema_version"].as_i64().unwrap() >= 1);
    // created, unlocked, locked (by init) then unlocked, locked... status counts before its own lock.
    assert_eq!(status["status"]["audit_entries"], 4);

    // Change the passphrase: the old one stops working, the new one works.
    let new = v.secret_file("new", NEW_PASSPHRASE);
    let new = new.to_str().unwrap();
    let before = v.snapshot();
    let out = v.cli(&[
        "change-passphrase",
        "--passphrase-file",
        pass,
        "--new-passphrase-file",
        new,
    ]);
    assert_success(&out);
    let after = v.snapshot();
    assert_ne!(before["keys/passphrase.age"], after["keys/passphrase.age"]);
    assert_eq!(
        before["keys/recovery.age"], after["keys/recovery.age"],
        "only the passphrase slot is rewritten"
    );
    assert_eq!(before["vault.toml"], after["vault.toml"]);
    assert_eq!(code(&v.cli(&["status", "--passphrase-file", pass])), 3);
    assert_success(&v.cli(&["status", "--passphrase-file", new]));

    // Recover with the recovery key and a third passphrase.
    let key_file = v.secret_file("recovery", &recovery_key);
    let third = v.secret_file("third", "a third long passphrase");
    let out = v.cli(&[
        "recover",
        "--recovery-key-file",
        key_file.to_str().unwrap(),
        "--new-passphrase-file",
        third.to_str().unwrap(),
    ]);
    assert_success(&out);
    assert_eq!(code(&v.cli(&["status", "--passphrase-file", new])), 3);
    assert_success(&v.cli(&["status", "--passphrase-file", third.to_str().unwrap()]));

    // Every step is in the audit log, and the log verifies.
    let out = v.cli(&[
        "audit",
        "list",
        "--passphrase-file",
        third.to_str().unwrap(),
        "--json",
    ]);
    assert_success(&out);
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for expected in [
        "vault_created",
        "vault_unlocked",
        "vault_locked",
        "passphrase_changed",
        "vault_recovered",
        "unlock_failed",
    ] {
        assert!(
            actions.contains(&expected),
            "{expected} missing from {actions:?}"
        );
    }
    assert_success(&v.cli(&[
        "audit",
        "verify",
        "--passphrase-file",
        third.to_str().unwrap(),
    ]));
}

#[test]
fn wrong_secrets_exit_3_and_leave_the_vault_untouched() {
    let v = TestVault::empty();
    let recovery_key = v.init();
    let before = v.snapshot();

    let wrong = v.secret_file("wrong", "not my passphrase at all");
    let out = v.cli(&["status", "--passphrase-file", wrong.to_str().unwrap()]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("That passphrase does not open this vault."),
        "{}",
        stderr(&out)
    );

    let new = v.secret_file("new", NEW_PASSPHRASE);
    let out = v.cli(&[
        "change-passphrase",
        "--passphrase-file",
        wrong.to_str().unwrap(),
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);

    // A real recovery key, but of another vault.
    let other = TestVault::empty();
    let other_key = other.init();
    assert_ne!(other_key, recovery_key);
    let key_file = v.secret_file("other-recovery", &other_key);
    let out = v.cli(&[
        "recover",
        "--recovery-key-file",
        key_file.to_str().unwrap(),
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("recovery key does not open"),
        "{}",
        stderr(&out)
    );

    // Text that is not a recovery key at all.
    let junk = v.secret_file("junk", "my dog's name");
    let out = v.cli(&[
        "recover",
        "--recovery-key-file",
        junk.to_str().unwrap(),
        "--new-passphrase-file",
        new.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 3);

    // Nothing in the vault changed; only the failed-attempt counter (by design) was written.
    let mut after = v.snapshot();
    let counter = after
        .remove("unlock-failures.json")
        .expect("failed attempts are counted");
    assert!(!counter.is_empty());
    assert_eq!(before, after);

    // The next good unlock reports the three failures and folds them into the audit log.
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&["status", "--passphrase-file", pass.to_str().unwrap()]);
    assert_success(&out);
    assert!(
        stdout(&out).contains("3 failed unlock attempts since you last unlocked"),
        "{}",
        stdout(&out)
    );
    assert!(!v.dir.join("unlock-failures.json").exists());
    let out = v.cli(&[
        "audit",
        "list",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]);
    let entries: Vec<serde_json::Value> = serde_json::from_str(&stdout(&out)).unwrap();
    let failed: Vec<_> = entries
        .iter()
        .filter(|e| e["action"] == "unlock_failed")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["detail"]["count"], 3);
    // And the next unlock after that has nothing to report.
    let out = v.cli(&["status", "--passphrase-file", pass.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("No failed unlock attempts"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn short_passphrases_are_refused_with_a_clear_message() {
    let v = TestVault::empty();
    let short = v.secret_file("short", "eleven char");
    let out = v.cli(&["init", "--passphrase-file", short.to_str().unwrap()]);
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("at least 12 characters"),
        "{}",
        stderr(&out)
    );
    assert!(!v.dir.exists(), "no vault folder is left behind");

    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "change-passphrase",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--new-passphrase-file",
        short.to_str().unwrap(),
    ]);
    assert_eq!(code(&out), 2);
    assert_success(&v.cli(&["status", "--passphrase-file", pass.to_str().unwrap()]));
}

#[test]
fn vault_presence_errors_exit_4() {
    let v = TestVault::empty();
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "status",
        "--passphrase-file",
        pass.to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(code(&out), 4);
    let err: serde_json::Value = serde_json::from_str(&stderr(&out)).unwrap();
    assert_eq!(err["error"]["kind"], "no_vault");

    v.init();
    let before = v.snapshot();
    let out = v.cli(&["init", "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(code(&out), 4);
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert_eq!(before, v.snapshot());

    // A folder holding other things is not turned into a vault.
    let busy = TestVault::empty();
    std::fs::create_dir_all(&busy.dir).unwrap();
    std::fs::write(busy.dir.join("holiday.jpg"), b"not a vault").unwrap();
    let out = busy.cli(&["init", "--passphrase-file", pass.to_str().unwrap()]);
    assert_eq!(code(&out), 4);
    assert_eq!(std::fs::read_dir(&busy.dir).unwrap().count(), 1);
}

#[test]
fn usage_errors_exit_2_without_a_terminal() {
    let v = TestVault::empty();
    v.init();
    // No passphrase file and no terminal to prompt on.
    let out = v.cli(&["status"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--passphrase-file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(code(&v.cli(&["no-such-command"])), 2);
}

#[test]
fn passphrase_file_loses_only_one_trailing_newline() {
    let v = TestVault::empty();
    let with_space = v.tmp.path().join("pass");
    // A passphrase that itself ends in a space and a newline is kept as typed.
    std::fs::write(&with_space, "spaces matter here \n\n").unwrap();
    let out = v.cli(&["init", "--passphrase-file", with_space.to_str().unwrap()]);
    assert_success(&out);
    let exact = v.tmp.path().join("exact");
    std::fs::write(&exact, "spaces matter here \n").unwrap();
    assert_eq!(
        code(&v.cli(&["status", "--passphrase-file", exact.to_str().unwrap()])),
        3
    );
    std::fs::write(&exact, "spaces matter here \n\r\n").unwrap();
    assert_success(&v.cli(&["status", "--passphrase-file", exact.to_str().unwrap()]));
}
