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
