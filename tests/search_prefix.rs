//! Searching for the word still being typed: the last word is a prefix, answered from FTS5's
//! prefix indexes (of one to four letters; migration 13). The answers must be the plain
//! index's: every note holding a word that begins so, and no note once that word is edited away
//! or the note destroyed (FTS5's secure-delete removes prefix entries as well as whole words).

mod common;

use std::collections::BTreeSet;

use casenotes::domain::clients::{self, ClientDetails, ClientStatus};
use casenotes::domain::notes::{self, NoteKind, Template};
use casenotes::retention::{self, Target};
use casenotes::search::{self, HitKind};
use casenotes::vault::Session;
use chrono::NaiveDate;
use common::*;

fn client(s: &mut Session, given: &str, family: &str, ended: Option<NaiveDate>) -> (i64, String) {
    let mut d = ClientDetails::named(given, family);
    d.therapy_started_on = Some("2008-01-07".parse().unwrap());
    d.date_of_birth = Some("1970-04-04".parse().unwrap());
    d.status = ClientStatus::Active;
    if let Some(ended) = ended {
        d.status = ClientStatus::Ended;
        d.therapy_ended_on = Some(ended);
    }
    let c = clients::add(s, d).unwrap();
    (c.id, c.case_ref)
}

/// The notes whose text has a word beginning with `prefix` (ASCII text, compared without case).
fn expected(notes: &[(i64, String)], prefix: &str) -> BTreeSet<i64> {
    let prefix = prefix.to_lowercase();
    notes
        .iter()
        .filter(|(_, text)| {
            text.split(|c: char| !c.is_alphanumeric())
                .any(|w| w.to_lowercase().starts_with(&prefix))
        })
        .map(|(id, _)| *id)
        .collect()
}

fn found_notes(s: &Session, typed: &str) -> BTreeSet<i64> {
    search::search(s, typed)
        .unwrap()
        .into_iter()
        .filter(|h| h.kind == HitKind::Note)
        .map(|h| h.record_id)
        .collect()
}

/// FTS5's own check that every index (the prefix indexes too) agrees with the indexed text.
fn index_is_sound(s: &Session) {
    s.conn()
        .unwrap()
        .execute(
            "INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)",
            [],
        )
        .unwrap();
}

/// Prefixes of one to six letters and whole words, of words that share their first letters.
const PREFIXES: &[&str] = &[
    "w", "wo", "wor", "work", "worke", "worked", "wr", "wri", "writ", "sl", "sle", "slee", "sleep",
    "sleepl", "mo", "mot", "moth", "mother", "q", "qu", "qui", "quix", "quixo", "zz",
];

fn all_prefixes_agree(s: &Session, notes: &[(i64, String)], stage: &str) {
    index_is_sound(s);
    for prefix in PREFIXES {
        let want = expected(notes, prefix);
        assert_eq!(
            found_notes(s, prefix),
            want,
            "{stage}: the notes found for {prefix:?}"
        );
        // Upper case typed finds the same.
        assert_eq!(
            found_notes(s, &prefix.to_uppercase()),
            want,
            "{stage}: {prefix:?} in capitals"
        );
    }
}

#[test]
fn prefixes_of_every_length_find_exactly_the_notes_with_words_that_begin_so() {
    let v = TestVault::empty();
    v.init();
    let mut s = unlocked(&v);
    let (ann, _) = client(&mut s, "Ann", "Ashworth", None);
    let (old, old_ref) = client(
        &mut s,
        "Dan",
        "Destroyed",
        Some("2012-05-01".parse().unwrap()),
    );
    let texts = [
        (ann, "Worked late all week; work is the main worry."),
        (ann, "Wrote a letter to her mother. Sleep poor."),
        (ann, "Sleepless again, worn out, wondering about work."),
        (ann, "Mothering, motivation and a word about writing."),
        (ann, "Quiet session. Slept well, woke early."),
        (old, "The quixotic plan to work abroad; mother worried."),
        (old, "Sleepwalking once; worked through it with a workbook."),
        (ann, "Nothing of note."),
    ];
    let mut notes: Vec<(i64, String)> = Vec::new();
    for (client_id, text) in texts {
        let n = notes::create(
            &mut s,
            client_id,
            NoteKind::Session,
            Template::Free,
            text,
            false,
        )
        .unwrap();
        notes.push((n.id, text.to_owned()));
    }
    all_prefixes_agree(&s, &notes, "as written");

    // A prefix as the last of several words: the whole words first, then the prefix.
    assert_eq!(
        found_notes(&s, "sleepless wor"),
        BTreeSet::from([notes[2].0])
    );
    assert_eq!(found_notes(&s, "sleepless wr"), BTreeSet::new());

    // Diacritics are folded away in the prefixes as in the words.
    let text = "Met at the café; Zoë came too.";
    let cafe = notes::create(&mut s, ann, NoteKind::Contact, Template::Free, text, false).unwrap();
    notes.push((cafe.id, text.to_owned()));
    for typed in ["ca", "caf", "CAFÉ", "zo", "zoë", "Zoe"] {
        assert_eq!(
            found_notes(&s, typed),
            BTreeSet::from([cafe.id]),
            "{typed:?}"
        );
    }

    // Redrafting replaces the words and their prefixes: "Worked", "work", "worry" leave the
    // first note, "wri" and "qui" come in.
    let redrafted = "Rested all week; writing helps; quite calm.";
    notes::save_draft(&mut s, notes[0].0, redrafted).unwrap();
    notes[0].1 = redrafted.to_owned();
    // And again, so that an entry written by an update is itself deleted.
    let redrafted = "Rested all week; writing helps; quiet and calm.";
    notes::save_draft(&mut s, notes[0].0, redrafted).unwrap();
    notes[0].1 = redrafted.to_owned();
    all_prefixes_agree(&s, &notes, "after redrafting");

    // Destroying a record deletes its notes, and with them their prefixes.
    let policy = retention::policy::current(&s).unwrap();
    retention::destroy(
        &mut s,
        &policy,
        &[Target::parse(&old_ref).unwrap()],
        "Retention period passed; appraised",
        chrono::Local::now().date_naive(),
        &mut |_| {},
    )
    .unwrap();
    let kept: BTreeSet<i64> = notes::for_client(&s, ann)
        .unwrap()
        .iter()
        .map(|n| n.id)
        .collect();
    notes.retain(|(id, _)| kept.contains(id));
    assert_eq!(notes.len(), 7, "only the destroyed client's two notes went");
    assert!(found_notes(&s, "quix").is_empty());
    all_prefixes_agree(&s, &notes, "after destruction");

    // And after locking and unlocking, as the index is read from disk again.
    s.lock().unwrap();
    let s = unlocked(&v);
    all_prefixes_agree(&s, &notes, "after unlocking again");
}

#[test]
fn the_index_keeps_prefixes_of_one_to_four_letters_and_secure_delete() {
    let v = TestVault::empty();
    v.init();
    let s = unlocked(&v);
    let conn = s.conn().unwrap();
    let sql: String = conn
        .query_row(
            "SELECT sql FROM sqlite_schema WHERE name = 'search_index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("prefix = '1 2 3 4'"), "{sql}");
    assert!(
        sql.contains("tokenize = 'unicode61 remove_diacritics 2'"),
        "{sql}"
    );
    let secure: i64 = conn
        .query_row(
            "SELECT v FROM search_index_config WHERE k = 'secure-delete'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(secure, 1);
    // Nothing is left of the table the index was built in.
    let leftovers: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE name GLOB 'search_index_new*'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(leftovers, 0);
}
