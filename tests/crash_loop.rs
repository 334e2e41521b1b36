//! The crash loop: a child process works the vault the way a practitioner does (notes written
//! and signed, addenda, attachments, settings, now and then a passphrase change, and every one
//! of them an audit append) and is killed with SIGKILL at a random moment, round after round.
//! After every kill the vault must unlock, pass SQLite's integrity check and `audit verify`, and
//! hold every write the child had reported done; a passphrase change that was reported done must
//! be in force, and one cut short must leave either the old or the new passphrase working.
//!
//! `make test` runs a few rounds; `scripts/crash-loop.sh N` runs N (the closing note reports 1,000).

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use casenotes::domain::{attachments, clients, notes, settings};
use casenotes::secret::RecoveryKey;
use casenotes::vault::{Unlock, Vault};
use common::*;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

const CHILD_ENV: &str = "CASENOTES_CRASH_LOOP_CHILD";

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn pass_for(n: u64) -> String {
    format!("orchard lantern ribbon {n}")
}

/// The child: works until killed, printing each write once the core has returned from it.
#[test]
#[ignore = "child process of crash_loop_loses_no_acknowledged_write"]
fn crash_loop_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let dir = Path::new(&dir);
    let recovery =
        RecoveryKey::parse(&std::env::var("CASENOTES_CRASH_LOOP_RECOVERY").unwrap()).unwrap();
    let round: u64 = std::env::var("CASENOTES_CRASH_LOOP_ROUND")
        .unwrap()
        .parse()
        .unwrap();
    let pass_no: u64 = std::env::var("CASENOTES_CRASH_LOOP_PASS")
        .unwrap()
        .parse()
        .unwrap();
    let vault = Vault::open(dir).unwrap();
    let mut s = vault.unlock(Unlock::RecoveryKey(&recovery)).unwrap();
    let client = clients::id_for(&s, "C-0001").unwrap();
    let mut rng = rand::rngs::StdRng::seed_from_u64(round);
    let mut out = std::io::stdout().lock();
    let mut signed: Vec<i64> = Vec::new();
    let words = [
        "anxious",
        "sleep",
        "mother",
        "work",
        "grief",
        "calmer",
        "plan",
        "boundaries",
        "walk",
        "panic",
    ];
    for i in 0u64.. {
        // Every tenth round changes the passphrase after a few writes.
        let op = if round % 10 == 3 && i == 5 {
            100
        } else {
            rng.gen_range(0..97)
        };
        if op < 40 {
            let body: String = (0..rng.gen_range(30..300))
                .map(|_| words[rng.gen_range(0..words.len())])
                .collect::<Vec<_>>()
                .join(" ");
            let body = format!("Round {round}, write {i}: {body}");
            let n = notes::create(
                &mut s,
                client,
                notes::NoteKind::Session,
                notes::Template::Free,
                &body,
                false,
            )
            .unwrap();
            notes::sign(&mut s, n.id).unwrap();
            signed.push(n.id);
            writeln!(out, "NOTE {} {}", n.id, sha(body.as_bytes())).unwrap();
        } else if op < 55 && !signed.is_empty() {
            let note = signed[rng.gen_range(0..signed.len())];
            let a =
                notes::add_addendum(&mut s, note, "correction", &format!("Addendum {round}/{i}"))
                    .unwrap();
            writeln!(out, "ADDENDUM {} {note}", a.id).unwrap();
        } else if op < 70 {
            let mut bytes = vec![0u8; rng.gen_range(1_000..200_000)];
            rng.fill(&mut bytes[..]);
            let a = attachments::add(&mut s, client, None, "scan.pdf", &bytes).unwrap();
            writeln!(out, "ATTACHMENT {} {}", a.id, sha(&bytes)).unwrap();
        } else if op < 97 {
            let key = format!("crash-loop-{round}-{i}");
            settings::set(&mut s, &key, &sha(key.as_bytes())).unwrap();
            writeln!(out, "SETTING {key}").unwrap();
        } else {
            let next = pass_no + 1 + i;
            writeln!(out, "CHANGING {next}").unwrap();
            out.flush().unwrap();
            vault
                .change_passphrase(
                    &passphrase(&pass_for(pass_no)),
                    &passphrase(&pass_for(next)),
                )
                .unwrap()
                .lock()
                .unwrap();
            writeln!(out, "CHANGED {next}").unwrap();
            out.flush().unwrap();
            // One change a round: the old passphrase is the one the parent knows.
            std::thread::sleep(Duration::from_secs(60));
        }
        out.flush().unwrap();
    }
}

#[derive(Default)]
struct Acknowledged {
    notes: BTreeMap<i64, String>,
    addenda: Vec<(i64, i64)>,
    attachments: BTreeMap<i64, String>,
    settings: Vec<String>,
}

#[test]
fn crash_loop_loses_no_acknowledged_write() {
    let rounds: u64 = std::env::var("CASENOTES_CRASH_LOOP_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(12);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("vault");
    let mut pass_no = 0u64;
    let created = Vault::create(&dir, &passphrase(&pass_for(pass_no))).unwrap();
    let recovery = created.recovery_key.expose().to_owned();
    let mut s = created.session;
    clients::add(&mut s, clients::ClientDetails::named("Crash", "Loop")).unwrap();
    s.lock().unwrap();
    let recovery_key = RecoveryKey::parse(&recovery).unwrap();
    let mut ack = Acknowledged::default();
    let mut rng = rand::rngs::StdRng::seed_from_u64(2026);
    let (mut kills_in_change, mut checked_writes) = (0, 0usize);
    let mut seen_before = (0usize, 0usize, 0usize, 0usize);
    for round in 0..rounds {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_loop_child",
                "--include-ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, &dir)
            .env("CASENOTES_CRASH_LOOP_RECOVERY", &recovery)
            .env("CASENOTES_CRASH_LOOP_ROUND", round.to_string())
            .env("CASENOTES_CRASH_LOOP_PASS", pass_no.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let wait_for = rng.gen_range(1..40);
        let mut changing = None;
        let mut changed = None;
        let mut record = |line: &str, changing: &mut Option<u64>, changed: &mut Option<u64>| {
            let parts: Vec<&str> = line.split_whitespace().collect();
            match parts.as_slice() {
                ["NOTE", id, h] => {
                    ack.notes.insert(id.parse().unwrap(), h.to_string());
                }
                ["ADDENDUM", id, note] => ack
                    .addenda
                    .push((id.parse().unwrap(), note.parse().unwrap())),
                ["ATTACHMENT", id, h] => {
                    ack.attachments.insert(id.parse().unwrap(), h.to_string());
                }
                ["SETTING", key] => ack.settings.push(key.to_string()),
                ["CHANGING", n] => *changing = Some(n.parse().unwrap()),
                ["CHANGED", n] => *changed = Some(n.parse().unwrap()),
                _ => {}
            }
        };
        let mut seen = 0;
        while seen < wait_for && changing.is_none() {
            let Some(Ok(line)) = lines.next() else { break };
            record(&line, &mut changing, &mut changed);
            seen += 1;
        }
        // A random moment: right away, or a little later, possibly mid passphrase change.
        std::thread::sleep(Duration::from_millis(
            rng.gen_range(0..(if changing.is_some() { 900 } else { 15 })),
        ));
        child.kill().unwrap();
        for line in lines.map_while(Result::ok) {
            record(&line, &mut changing, &mut changed);
        }
        child.wait().unwrap();

        let s = Vault::open(&dir)
            .unwrap()
            .unlock(Unlock::RecoveryKey(&recovery_key))
            .unwrap();
        casenotes::db::integrity_check(s.conn().unwrap())
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        s.verify_audit()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        // Each round checks what the killed child acknowledged; every 25th round and the last
        // check everything acknowledged since the start (checking all every round would make a
        // 1,000-round run quadratic).
        let full = round % 25 == 24 || round + 1 == rounds;
        let since = |n: usize| if full { 0 } else { n };
        for (id, h) in ack.notes.iter().skip(since(seen_before.0)) {
            let n = notes::get(&s, *id)
                .unwrap_or_else(|e| panic!("round {round}: note {id} lost: {e}"));
            assert_eq!(
                &sha(n.body.as_bytes()),
                h,
                "round {round}: note {id} changed"
            );
            assert!(n.signed_at.is_some(), "round {round}: note {id} unsigned");
        }
        for (id, note) in ack.addenda.iter().skip(since(seen_before.1)) {
            let n = notes::get(&s, *note).unwrap();
            assert!(
                n.addenda.iter().any(|a| a.id == *id),
                "round {round}: addendum {id} lost"
            );
        }
        for (id, h) in ack.attachments.iter().skip(since(seen_before.2)) {
            let (_, bytes) = attachments::open(&s, *id)
                .unwrap_or_else(|e| panic!("round {round}: attachment {id} lost: {e}"));
            assert_eq!(&sha(&bytes), h, "round {round}: attachment {id} changed");
        }
        for key in ack.settings.iter().skip(since(seen_before.3)) {
            assert!(
                settings::get(&s, key).unwrap().is_some(),
                "round {round}: setting {key} lost"
            );
        }
        checked_writes =
            ack.notes.len() + ack.addenda.len() + ack.attachments.len() + ack.settings.len();
        seen_before = (
            ack.notes.len(),
            ack.addenda.len(),
            ack.attachments.len(),
            ack.settings.len(),
        );
        s.lock().unwrap();
        if let Some(next) = changing {
            let vault = Vault::open(&dir).unwrap();
            let new_works = vault
                .unlock(Unlock::Passphrase(&passphrase(&pass_for(next))))
                .map(|s| s.lock());
            if changed.is_some() {
                assert!(
                    new_works.is_ok(),
                    "round {round}: an acknowledged passphrase change was lost"
                );
                pass_no = next;
            } else {
                kills_in_change += 1;
                if new_works.is_ok() {
                    pass_no = next;
                } else {
                    vault
                        .unlock(Unlock::Passphrase(&passphrase(&pass_for(pass_no))))
                        .unwrap_or_else(|e| {
                            panic!("round {round}: neither passphrase opens the vault: {e}")
                        })
                        .lock()
                        .unwrap();
                }
            }
        }
    }
    eprintln!(
        "crash loop: {rounds} kills, {checked_writes} acknowledged writes all present, {kills_in_change} kills during a passphrase change"
    );
}
