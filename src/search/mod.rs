//! Full-text search over note bodies, addenda and client names, using SQLite FTS5 inside the
//! encrypted database (the index is as encrypted as everything else, and needs the vault
//! unlocked like everything else).
//!
//! The index is kept up to date by triggers in the migrations; this module only queries it. What
//! the practitioner types is never passed to FTS5 as query syntax: each word becomes a quoted
//! term (the last one a prefix), words in double quotes one phrase, so punctuation cannot cause
//! an error or a surprise. The index keeps every word's first one to four letters as terms of
//! their own (FTS5 `prefix`, migration 13), so the word still being typed is one list to read,
//! not a merge of every word that begins so.

use rusqlite::params;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::vault::Session;

/// Most results returned for one query; a very common word would otherwise return thousands.
pub const MAX_RESULTS: u32 = 50;
/// The longest search accepted, in characters: a search is a few words or a name.
pub const MAX_QUERY_CHARS: usize = 200;
/// Up to this many matches, results are ordered by relevance; beyond it, newest first.
pub const RANKED_MATCHES: i64 = 2_000;

#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    Note,
    Addendum,
    Client,
}

/// One search result: where it is, and a short extract with the matches marked.
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub kind: HitKind,
    /// The note id, addendum id or client id.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub record_id: i64,
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub client_id: i64,
    pub case_ref: String,
    /// The extract, with each match between `[` and `]`.
    pub snippet: String,
    /// Lower is a better match (FTS5's bm25).
    pub rank: f64,
}

/// The words of typed text, as the index's tokenizer would find them (apostrophes and hyphens
/// inside a word kept; FTS5 splits them again itself).
fn typed_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '-')
        .map(|w| w.trim_matches(|c| c == '\'' || c == '-'))
        .filter(|w| !w.is_empty())
}

/// Turns typed words into a safe FTS5 query: every word quoted, the last one a prefix (the
/// practitioner may still be typing it). Words between a pair of double quotes are one phrase,
/// matched exactly and in order. Nothing typed is ever FTS5 syntax.
/// Public only for the fuzz target `search_query`; use [`search`].
#[doc(hidden)]
pub fn to_fts_query(text: &str) -> Option<String> {
    // Split at double quotes: odd pieces were inside a pair. An unpaired quote is ignored.
    let pieces: Vec<&str> = text.split('"').collect();
    let paired = pieces.len() % 2 == 1;
    // (term, may be a prefix)
    let mut terms: Vec<(String, bool)> = Vec::new();
    for (i, piece) in pieces.iter().enumerate() {
        let inside = i % 2 == 1 && (paired || i + 1 < pieces.len());
        if inside {
            let phrase: Vec<&str> = typed_words(piece).collect();
            if !phrase.is_empty() {
                terms.push((format!("\"{}\"", phrase.join(" ")), false));
            }
        } else {
            terms.extend(typed_words(piece).map(|w| (format!("\"{w}\""), true)));
        }
    }
    let last = terms.len().checked_sub(1)?;
    Some(
        terms
            .iter()
            .enumerate()
            .map(|(i, (term, prefix))| {
                if i == last && *prefix {
                    format!("{term}*")
                } else {
                    term.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// Searches everything the vault holds: best matches first, or newest first when a query
/// matches more than `RANKED_MATCHES` records.
pub fn search(session: &Session, text: &str) -> Result<Vec<Hit>> {
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(Error::rule(
            format!("That search is too long (the most is {MAX_QUERY_CHARS} characters)."),
            "Search for a few words or a name at a time.",
        ));
    }
    let Some(query) = to_fts_query(text) else {
        return Err(Error::rule(
            "There is nothing to search for.",
            "Type a word or a name.",
        ));
    };
    let conn = session.conn()?;
    // Ranking scores every match, which for a word in a third of all notes takes a tenth of a
    // second or more (measured at 100,000 notes, encrypted or not). Past RANKED_MATCHES the
    // newest matches are shown instead, which the index yields without scoring them all.
    // Counting stops one past the limit: all that matters is whether the limit is passed.
    let matches: i64 = conn
        .prepare_cached(
            "SELECT count(*) FROM (SELECT 1 FROM search_index WHERE search_index MATCH ?1 LIMIT ?2)",
        )?
        .query_row(params![query, RANKED_MATCHES + 1], |r| r.get(0))?;
    let order = if matches > RANKED_MATCHES {
        "rowid DESC"
    } else {
        "rank"
    };
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT s.rowid, s.client_id, c.case_ref,
                snippet(search_index, 1, '[', ']', '…', 12), bm25(search_index)
         FROM search_index s JOIN clients c ON c.id = s.client_id
         WHERE search_index MATCH ?1
         ORDER BY s.{order} LIMIT ?2"
    ))?;
    let hits = stmt.query_map(params![query, MAX_RESULTS], |r| {
        let rowid: i64 = r.get(0)?;
        Ok(Hit {
            kind: match rowid % 4 {
                0 => HitKind::Note,
                1 => HitKind::Addendum,
                _ => HitKind::Client,
            },
            record_id: rowid / 4,
            client_id: r.get(1)?,
            case_ref: r.get(2)?,
            snippet: plain_snippet(&r.get::<_, String>(3)?),
            rank: r.get(4)?,
        })
    })?;
    Ok(hits.collect::<Result<_, _>>()?)
}

/// Merges the index into one segment (FTS5's `optimize`), after bulk work such as a demo
/// practice or an import: a search then reads one list per word instead of one per segment.
/// The merge rewrites the index; the pages it frees are zeroed (secure_delete is on).
pub fn optimize(session: &mut Session) -> Result<()> {
    let tx = session.conn_mut()?.transaction()?;
    tx.execute(
        "INSERT INTO search_index (search_index) VALUES ('optimize')",
        [],
    )?;
    tx.commit()?;
    Ok(())
}

/// An extract reads as prose: Markdown heading marks and line breaks are dropped.
fn plain_snippet(raw: &str) -> String {
    raw.split_whitespace()
        .filter(|word| !word.chars().all(|c| c == '#'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_read_as_prose() {
        assert_eq!(
            plain_snippet("## Subjective\nSpoke about [sleep].\n## Plan"),
            "Subjective Spoke about [sleep]. Plan"
        );
        assert_eq!(plain_snippet("Item #3 and C#"), "Item #3 and C#");
    }

    #[test]
    fn typed_text_becomes_quoted_terms() {
        assert_eq!(
            to_fts_query("panic attacks").as_deref(),
            Some("\"panic\" \"attacks\"*")
        );
        assert_eq!(
            to_fts_query("  \"NEAR(\" OR *").as_deref(),
            Some("\"NEAR\" \"OR\"*")
        );
        assert_eq!(to_fts_query("O'Brien").as_deref(), Some("\"O'Brien\"*"));
        assert_eq!(to_fts_query(" ?! "), None);
    }

    #[test]
    fn quoted_words_are_one_phrase() {
        assert_eq!(
            to_fts_query("\"panic attack\" work").as_deref(),
            Some("\"panic attack\" \"work\"*")
        );
        assert_eq!(
            to_fts_query("sleep \"low  mood\"").as_deref(),
            Some("\"sleep\" \"low mood\"")
        );
        // An unpaired quote is not syntax: the words are searched one by one.
        assert_eq!(
            to_fts_query("\"low mood").as_deref(),
            Some("\"low\" \"mood\"*")
        );
        assert_eq!(to_fts_query("\"\" \"?\""), None);
        assert_eq!(
            to_fts_query("a \"b\" \"c").as_deref(),
            Some("\"a\" \"b\" \"c\"*")
        );
    }
}
