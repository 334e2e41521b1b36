//! A crash loses no acknowledged write. A child process writes in a loop, printing each write's
//! number once the core has returned from it, and is killed with SIGKILL mid-stream. The vault
//! must then unlock, pass SQLite's integrity check and `audit verify`, and hold every write that
//! was acknowledged before the kill.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casenotes::db;
use casenotes::domain::settings;
use casenotes::vault::{Unlock, Vault};
use common::*;

const CHILD_ENV: &str = "CASENOTES_CRASH_CHILD_VAULT";

/// Not a test of its own: the body of the child process that `crash_mid_write_loses_nothing`
/// starts and kills. Run directly, it does nothing.
#[test]
#[ignore = "child process of crash_mid_write_loses_nothing"]
fn crash_child_writer() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let start: u32 = std::env::var("CASENOTES_CRASH_CHILD_START")
        .unwrap()
        .parse()
        .unwrap();
    let vault = Vault::open(std::path::Path::new(&dir)).unwrap();
    let mut session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    let mut out = std::io::stdout().lock();
    for i in start.. {
        settings::set(
            &mut session,
            &format!("probe-{i:07}"),
            &format!("value {i} {}", "z".repeat(500)),
        )
        .unwrap();
        writeln!(out, "ACK {i}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn crash_mid_write_loses_nothing() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let mut acknowledged: Vec<u32> = Vec::new();
    let mut next = 0u32;
    for round in 0..3u64 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child_writer",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &v.dir)
            .env("CASENOTES_CRASH_CHILD_START", next.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut child_err = child.stderr.take().unwrap();
        let err_reader = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = std::io::Read::read_to_string(&mut child_err, &mut text);
            text
        });
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let started = Instant::now();
        let mut seen = 0;
        // Kill at a different point each round, never on a line boundary we chose.
        while seen < 40 + round * 37 {
            let Some(line) = lines.next() else {
                let status = child.wait().unwrap();
                panic!(
                    "round {round}: the writer stopped after {seen} writes ({status}): {}",
                    err_reader.join().unwrap()
                );
            };
            let line = line.unwrap();
            if let Some(n) = line.strip_prefix("ACK ") {
                acknowledged.push(n.parse().unwrap());
                seen += 1;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "child too slow"
            );
        }
        std::thread::sleep(Duration::from_millis(3 * round + 1));
        child.kill().unwrap(); // SIGKILL
                               // Acknowledgements printed before the kill are still in the pipe.
        for line in lines {
            let Ok(line) = line else { break };
            if let Some(n) = line.strip_prefix("ACK ") {
                acknowledged.push(n.parse().unwrap());
            }
        }
        child.wait().unwrap();
        next = acknowledged.last().map_or(0, |n| n + 1) + 1000;

        let out = v.cli(&[
            "audit",
            "verify",
            "--passphrase-file",
            pass.to_str().unwrap(),
        ]);
        assert_success(&out);
    }

    let vault = Vault::open(&v.dir).unwrap();
    let session = vault
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap();
    db::integrity_check(session.conn().unwrap()).unwrap();
    assert!(acknowledged.len() >= 40 + 77 + 114);
    for i in &acknowledged {
        let value = settings::get(&session, &format!("probe-{i:07}")).unwrap();
        assert!(
            value.is_some_and(|v| v.starts_with(&format!("value {i} "))),
            "acknowledged write {i} lost"
        );
    }
}
