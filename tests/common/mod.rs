//! Shared helpers for the integration tests: temporary vaults, running the real CLI binary,
//! and snapshots of a vault folder's files.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use casenotes::secret::Passphrase;
use casenotes::vault::{Session, Unlock, Vault};
use sha2::{Digest, Sha256};

pub const PASSPHRASE: &str = "correct horse battery staple";
pub const NEW_PASSPHRASE: &str = "tangerine lighthouse quietly";

pub struct TestVault {
    pub tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

impl TestVault {
    /// A folder for a vault that does not exist yet.
    pub fn empty() -> Self {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path().join("vault");
        Self { tmp, dir }
    }

    /// Writes a secret to a file beside the vault, with a trailing newline as editors leave.
    pub fn secret_file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.tmp.path().join(name);
        std::fs::write(&path, format!("{text}\n")).expect("write secret file");
        path
    }

    /// Runs the CLI against this vault.
    pub fn cli(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_casenotes"))
            .arg("--vault")
            .arg(&self.dir)
            .args(args)
            .env_remove("CASENOTES_VAULT")
            .stdin(Stdio::null())
            .output()
            .expect("run casenotes")
    }

    /// `casenotes init` with the standard passphrase; returns the recovery key.
    pub fn init(&self) -> String {
        let pass = self.secret_file("pass", PASSPHRASE);
        let out = self.cli(&[
            "init",
            "--passphrase-file",
            pass.to_str().unwrap(),
            "--json",
        ]);
        assert_success(&out);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("init json");
        v["recovery_key"].as_str().expect("recovery key").to_owned()
    }

    /// Every file in the vault folder with the SHA-256 of its content.
    pub fn snapshot(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for path in files_under(&self.dir) {
            let rel = path
                .strip_prefix(&self.dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.insert(
                rel,
                hex::encode(Sha256::digest(std::fs::read(&path).unwrap())),
            );
        }
        out
    }
}

pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The vault at `v.dir`, unlocked with the standard passphrase.
pub fn unlocked(v: &TestVault) -> Session {
    Vault::open(&v.dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap()
}

pub fn passphrase(text: &str) -> Passphrase {
    Passphrase::from_str_for_tests(text)
}

pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exit code")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "expected success, got {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// The Python interpreter that has the independent SQLCipher client (`make test` installs it).
pub fn python_with_sqlcipher() -> PathBuf {
    let path = std::env::var_os("CASENOTES_TEST_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var("HOME").expect("HOME"))
                .join(".cache/casenotes/venv/bin/python")
        });
    assert!(
        path.exists(),
        "{} is missing: run `make test` (scripts/install-deps.sh installs the SQLCipher client)",
        path.display()
    );
    path
}

/// Copies a folder and everything in it (a vault, to put an older copy back or to start each
/// round of a test from the same state).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for e in std::fs::read_dir(from).expect("read folder") {
        let e = e.expect("entry");
        if e.path().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).expect("copy file");
        }
    }
}

/// Starts `test` (an `#[ignore]`d child test of this same test binary) with `env`, and waits
/// until it prints a line containing `ready`. Returns the child, to kill, and its output.
pub fn spawn_child_test(
    test: &str,
    env: &[(&str, &std::ffi::OsStr)],
    ready: &str,
) -> (
    std::process::Child,
    std::io::BufReader<std::process::ChildStdout>,
) {
    let mut cmd = Command::new(std::env::current_exe().expect("test binary"));
    cmd.args([
        "--exact",
        test,
        "--include-ignored",
        "--nocapture",
        "--test-threads=1",
    ]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the child test");
    let mut reader = std::io::BufReader::new(child.stdout.take().expect("child stdout"));
    let mut line = String::new();
    while !line.contains(ready) {
        line.clear();
        let n = std::io::BufRead::read_line(&mut reader, &mut line).expect("read child");
        assert!(n > 0, "{test} ended before it said {ready:?}");
    }
    (child, reader)
}
