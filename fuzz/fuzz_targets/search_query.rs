//! Typed search text to an FTS5 query: never a panic, never an FTS5 syntax error, and nothing to
//! search for only when no letter or digit was typed. The query runs against an in-memory FTS5
//! table made as the vault's `search_index` is (migrations/01-foundation).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rusqlite::Connection;

thread_local! {
    static DB: Connection = {
        let db = Connection::open_in_memory().expect("in-memory database");
        db.execute_batch(
            "CREATE VIRTUAL TABLE search_index USING fts5 (
                 client_id UNINDEXED, text, tokenize = 'unicode61 remove_diacritics 2');
             INSERT INTO search_index (client_id, text)
                 VALUES (1, 'Talked about sleep, café and O''Brien-Smith: NEAR AND OR NOT 2026');",
        )
        .expect("fts5 table");
        db
    };
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let query = casenotes::search::to_fts_query(text);
    assert_eq!(
        query.is_some(),
        text.chars().any(char::is_alphanumeric),
        "{text:?} gave {query:?}"
    );
    let Some(query) = query else {
        return;
    };
    DB.with(|db| {
        let result: rusqlite::Result<i64> = db.query_row(
            "SELECT count(*) FROM search_index WHERE search_index MATCH ?1",
            [&query],
            |r| r.get(0),
        );
        if let Err(e) = result {
            panic!("{text:?} became {query:?}, which FTS5 refused: {e}");
        }
    });
});
