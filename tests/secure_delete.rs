//! Edited and removed text leaves no trace inside the decrypted database: the full-text index
//! forgets a draft's old words when the draft is saved again (FTS5's own `secure-delete`, which
//! SQLite's `secure_delete` pragma does not reach: without it FTS5 only adds a "deleted" marker
//! and keeps the old terms in its segments until they happen to be merged).
//!
//! The database is read as the vault's key holder would, and every block of the index's shadow
//! tables is searched for the old word; where SQLite offers `sqlite_dbpage`, every page too.

mod common;

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::vault::{Session, Unlock, Vault};
use common::*;

/// A word that appears nowhere else; searched for without its first letters, since FTS5 stores
/// a term after the prefix it shares with the term before it.
const RARE_WORD: &str = "quixotrombulant";
const RARE_TAIL: &[u8] = b"xotrombulant";

fn unlocked(v: &TestVault) -> Session {
    Vault::open(&v.dir)
        .unwrap()
        .unlock(Unlock::Passphrase(&passphrase(PASSPHRASE)))
        .unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Every block of the index's shadow tables that holds `needle`, by table and row.
fn shadow_hits(s: &Session, needle: &[u8]) -> Vec<String> {
    let conn = s.conn().unwrap();
    let mut hits = Vec::new();
    for (table, sql) in [
        ("data", "SELECT id, block FROM search_index_data"),
        ("idx", "SELECT segid, term FROM search_index_idx"),
        ("docsize", "SELECT id, sz FROM search_index_docsize"),
    ] {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get_ref(1)?.as_bytes_or_null()?.map(<[u8]>::to_vec),
                ))
            })
            .unwrap();
        for row in rows {
            let (id, bytes) = row.unwrap();
            if bytes.is_some_and(|b| contains(&b, needle)) {
                hits.push(format!("search_index_{table} row {id}"));
            }
        }
    }
    hits
}

#[test]
fn a_redrafted_note_leaves_no_old_word_in_the_search_index() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let version: String = s
        .conn()
        .unwrap()
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .unwrap();
    let parts: Vec<u32> = version.split('.').map(|p| p.parse().unwrap()).collect();
    assert!(
        parts[0] > 3 || (parts[0] == 3 && parts[1] >= 42),
        "FTS5 secure-delete needs SQLite 3.42 or later; SQLCipher bundles {version}"
    );
    let secure: i64 = s
        .conn()
        .unwrap()
        .query_row(
            "SELECT v FROM search_index_config WHERE k = 'secure-delete'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(secure, 1);

    let mut details = ClientDetails::named("Ann", "Ashworth");
    details.status = ClientStatus::Active;
    details.therapy_started_on = Some("2026-01-12".parse().unwrap());
    let client = clients::add(&mut s, details).unwrap();
    // Other notes around it, so the index has several segments and the old word's leaf also
    // holds other terms.
    for i in 0..5 {
        notes::create(
            &mut s,
            client.id,
            NoteKind::Session,
            Template::Free,
            &format!("Session {i}: talked about work, sleep and a quarrel with a neighbour."),
            false,
        )
        .unwrap();
    }
    let draft = notes::create(
        &mut s,
        client.id,
        NoteKind::Session,
        Template::Free,
        &format!("First thoughts: the client felt {RARE_WORD} about the move."),
        false,
    )
    .unwrap();
    assert!(
        !shadow_hits(&s, RARE_TAIL).is_empty(),
        "the probe finds the word while it is there"
    );

    notes::save_draft(
        &mut s,
        draft.id,
        "First thoughts: the client felt uneasy about the move.",
    )
    .unwrap();
    notes::save_draft(
        &mut s,
        draft.id,
        "The client felt uneasy about the move; we agreed a plan.",
    )
    .unwrap();
    assert!(casenotes::search::search(&s, RARE_WORD).unwrap().is_empty());
    let hits = shadow_hits(&s, RARE_TAIL);
    assert!(
        hits.is_empty(),
        "the old word is still in the index: {hits:?}"
    );

    // Every page of the decrypted database, free pages included, where SQLite can show them.
    let conn = s.conn().unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    if let Ok(mut stmt) = conn.prepare("SELECT pgno, data FROM sqlite_dbpage") {
        let pages = stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?)))
            .unwrap();
        for page in pages {
            let (pgno, data) = page.unwrap();
            assert!(
                !contains(&data, RARE_TAIL),
                "the old word is on page {pgno}"
            );
        }
    } else {
        eprintln!("sqlite_dbpage is not compiled in; the shadow tables were checked");
    }
    s.lock().unwrap();
}
