//! The demo practice: invented, internally consistent, and made through the same rules as real
//! records (notes signed with hashes that verify, a clean audit chain).

mod common;

use casenotes::domain::clients::{self, ClientStatus};
use casenotes::domain::notes;
use common::*;

#[test]
fn demo_practice_is_consistent_and_reports_progress() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "demo",
        "--clients",
        "30",
        "--years",
        "3",
        "--json",
    ]);
    assert_success(&out);
    assert!(
        stderr(&out).contains("30 of 30 clients written"),
        "{}",
        stderr(&out)
    );
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["clients"], 30);
    let notes_made = summary["notes"].as_u64().unwrap();
    assert!(notes_made > 30 * 3, "{summary}");
    assert!(summary["ended"].as_u64().unwrap() > 0, "{summary}");
    assert!(
        summary["appointments"].as_u64().unwrap() > notes_made,
        "some sessions were missed or cancelled"
    );

    let vault = casenotes::vault::Vault::open(&v.dir).unwrap();
    let s = vault
        .unlock(casenotes::vault::Unlock::Passphrase(&passphrase(
            PASSPHRASE,
        )))
        .unwrap();
    let all = clients::list(&s, None).unwrap();
    assert_eq!(all.len(), 30);
    let mut total = 0;
    for c in &all {
        if c.details.status == ClientStatus::Ended {
            assert!(c.details.therapy_ended_on.is_some());
        }
        for n in notes::for_client(&s, c.id).unwrap() {
            assert!(n.signature_holds(), "note {} verifies", n.id);
            assert!(n.appointment_id.is_some());
            total += 1;
        }
    }
    assert_eq!(total, notes_made);
    s.verify_audit().unwrap();
    let hits = casenotes::search::search(&s, &all[0].details.family_name).unwrap();
    assert!(
        hits.iter().any(|h| h.client_id == all[0].id),
        "demo clients are searchable by name"
    );

    // The same seed makes the same practice.
    let w = TestVault::empty();
    w.init();
    let out2 = w.cli(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "demo",
        "--clients",
        "30",
        "--years",
        "3",
        "--json",
    ]);
    let again: serde_json::Value = serde_json::from_str(&stdout(&out2)).unwrap();
    assert_eq!(summary["clients"], again["clients"]);
    assert_eq!(summary["minors"], again["minors"]);
}

#[test]
fn a_realistic_practice_has_long_varied_notes_and_attachments() {
    let v = TestVault::empty();
    v.init();
    let pass = v.secret_file("pass", PASSPHRASE);
    let out = v.cli(&[
        "--passphrase-file",
        pass.to_str().unwrap(),
        "demo",
        "--clients",
        "12",
        "--years",
        "2",
        "--realistic",
        "--attachment-kb-per-note",
        "200",
        "--json",
    ]);
    assert_success(&out);
    let summary: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(summary["clients"], 12);
    let notes_made = summary["notes"].as_u64().unwrap();
    let chars = summary["note_chars"].as_u64().unwrap();
    assert!(chars / notes_made >= 900, "{summary}");
    assert!(summary["attachments"].as_u64().unwrap() > 0, "{summary}");

    let vault = casenotes::vault::Vault::open(&v.dir).unwrap();
    let s = vault
        .unlock(casenotes::vault::Unlock::Passphrase(&passphrase(
            PASSPHRASE,
        )))
        .unwrap();
    let mut words = std::collections::HashSet::new();
    let mut attached = 0;
    for c in clients::list(&s, None).unwrap() {
        for n in notes::for_client(&s, c.id).unwrap() {
            assert!(n.signature_holds(), "note {} verifies", n.id);
            let len = n.body.chars().count();
            assert!((300..=3000).contains(&len), "{len}");
            words.extend(
                n.body
                    .split(|ch: char| !ch.is_alphabetic())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase),
            );
        }
        for a in casenotes::domain::attachments::for_client(&s, c.id).unwrap() {
            assert!(a.size_bytes >= 100 * 1024 && a.size_bytes <= 5 * 1024 * 1024);
            attached += a.size_bytes;
        }
    }
    assert!(words.len() > 3_000, "{} distinct words", words.len());
    assert_eq!(
        attached as u64,
        summary["attachment_bytes"].as_u64().unwrap()
    );
    s.verify_audit().unwrap();
    // Two words in quotes are a phrase: found where they stand together.
    let c = &clients::list(&s, None).unwrap()[0];
    let note = &notes::for_client(&s, c.id).unwrap()[0];
    let words: Vec<&str> = note
        .body
        .split_whitespace()
        .filter(|w| w.len() > 3 && w.chars().all(|ch| ch.is_ascii_lowercase()))
        .collect();
    let pair = note
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .windows(2)
        .find(|w| words.contains(&w[0]) && words.contains(&w[1]))
        .map(|w| format!("\"{} {}\"", w[0], w[1]))
        .expect("two plain words side by side");
    let hits = casenotes::search::search(&s, &pair).unwrap();
    assert!(hits.iter().any(|h| h.record_id == note.id), "{pair}");
}
