//! The audit log's anchor outside the database: putting back an older copy of the vault folder
//! (which brings its own older anchor) is caught by the anchor in the config folder, recorded in
//! the log, reported by `status` and by `audit verify` (exit 5); an altered anchor is caught too;
//! a restore through casenotes is not a finding.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::*;

fn cli(vault: &Path, config: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_casenotes"))
        .arg("--vault")
        .arg(vault)
        .args(args)
        .env("CASENOTES_CONFIG_DIR", config)
        .env_remove("CASENOTES_VAULT")
        .output()
        .unwrap()
}

#[test]
fn an_older_copy_of_the_vault_put_back_is_reported_once_and_recorded() {
    let v = TestVault::empty();
    let config = v.tmp.path().join("config");
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    let o = cli(&v.dir, &config, &["init", "--passphrase-file", p]);
    assert_success(&o);
    assert!(v.dir.join("audit-anchor.json").exists());
    assert_eq!(
        std::fs::read_dir(config.join("anchors")).unwrap().count(),
        1
    );
    assert_success(&cli(
        &v.dir,
        &config,
        &[
            "client",
            "add",
            "--given",
            "Ann",
            "--family",
            "Smith",
            "--passphrase-file",
            p,
        ],
    ));
    let old = v.tmp.path().join("old-copy");
    copy_dir(&v.dir, &old);
    for given in ["Bea", "Cal"] {
        assert_success(&cli(
            &v.dir,
            &config,
            &[
                "client",
                "add",
                "--given",
                given,
                "--family",
                "Later",
                "--passphrase-file",
                p,
            ],
        ));
    }
    // Clean: nothing to report.
    let status = cli(&v.dir, &config, &["status", "--passphrase-file", p]);
    assert_success(&status);
    assert!(!stdout(&status).contains("WARNING"), "{}", stdout(&status));
    assert!(stdout(&status).contains("Last unlocked before this"));

    // Someone puts the older folder back in place, its own anchor and all.
    std::fs::remove_dir_all(&v.dir).unwrap();
    copy_dir(&old, &v.dir);
    let verify = cli(
        &v.dir,
        &config,
        &["audit", "verify", "--passphrase-file", p],
    );
    assert_eq!(code(&verify), 5, "{}", stderr(&verify));
    assert!(
        stderr(&verify).contains("older copy of the vault"),
        "{}",
        stderr(&verify)
    );
    // Recorded for good in the log; reported once (the anchor now follows this log).
    let list = cli(&v.dir, &config, &["audit", "list", "--passphrase-file", p]);
    assert!(
        stdout(&list).contains("audit_rollback_detected"),
        "{}",
        stdout(&list)
    );
    assert_success(&cli(
        &v.dir,
        &config,
        &["audit", "verify", "--passphrase-file", p],
    ));
}

#[test]
fn an_altered_anchor_is_a_finding_and_a_restore_is_not() {
    let v = TestVault::empty();
    let config = v.tmp.path().join("config");
    let pass = v.secret_file("pass", PASSPHRASE);
    let p = pass.to_str().unwrap();
    assert_success(&cli(&v.dir, &config, &["init", "--passphrase-file", p]));
    let anchor = v.dir.join("audit-anchor.json");
    let text = std::fs::read_to_string(&anchor).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let seq = json["seq"].as_i64().unwrap();
    std::fs::write(
        &anchor,
        text.replace(
            &format!("\"seq\": {seq}"),
            &format!("\"seq\": {}", seq + 50),
        ),
    )
    .unwrap();
    let verify = cli(
        &v.dir,
        &config,
        &["audit", "verify", "--passphrase-file", p],
    );
    assert_eq!(code(&verify), 5, "{}", stderr(&verify));
    assert!(stderr(&verify).contains("altered"), "{}", stderr(&verify));

    // A backup restored in place through casenotes is the practitioner's own rollback.
    let out = v.tmp.path().join("b");
    std::fs::create_dir(&out).unwrap();
    assert_success(&cli(
        &v.dir,
        &config,
        &[
            "backup",
            "--out",
            out.to_str().unwrap(),
            "--passphrase-file",
            p,
        ],
    ));
    assert_success(&cli(
        &v.dir,
        &config,
        &[
            "client",
            "add",
            "--given",
            "After",
            "--family",
            "Backup",
            "--passphrase-file",
            p,
        ],
    ));
    let file = std::fs::read_dir(&out)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert_success(&cli(
        &v.dir,
        &config,
        &[
            "restore",
            file.to_str().unwrap(),
            "--to",
            v.dir.to_str().unwrap(),
            "--replace",
            "--passphrase-file",
            p,
        ],
    ));
    let verify = cli(
        &v.dir,
        &config,
        &["audit", "verify", "--passphrase-file", p],
    );
    assert_success(&verify);
    // And a copy restored into another folder keeps its own anchor: the original is not alarmed.
    let elsewhere = v.tmp.path().join("elsewhere");
    assert_success(&cli(
        &elsewhere,
        &config,
        &[
            "restore",
            file.to_str().unwrap(),
            "--to",
            elsewhere.to_str().unwrap(),
            "--passphrase-file",
            p,
        ],
    ));
    assert_success(&cli(
        &elsewhere,
        &config,
        &[
            "client",
            "add",
            "--given",
            "Only",
            "--family",
            "Here",
            "--passphrase-file",
            p,
        ],
    ));
    assert_success(&cli(
        &v.dir,
        &config,
        &["audit", "verify", "--passphrase-file", p],
    ));
}
