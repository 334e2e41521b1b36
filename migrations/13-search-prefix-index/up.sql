-- Prefix indexes for the search box. The last word typed is always searched as a prefix
-- ("work" finds work, worked, workplace…), and the box searches from the first letter typed.
-- Without an index of prefixes FTS5 reads the list of every term that begins with the prefix
-- and merges them all: thousands of lists for a common beginning (measured at 100,000 notes:
-- 94.6 ms p95 for four letters, as slow without encryption). With prefix = '1 2 3 4' FTS5 also
-- indexes each word's first one, two, three and four letters, so a prefix of up to four letters
-- is one list, and a longer one starts from far fewer terms.
-- Which lengths pay, measured on the benchmark's practice of 10,000 notes (plain SQLite, warm,
-- p50): one letter 76 ms -> 1.5 ms for +4 MB of index, two letters 8.6 -> 1.1 ms for +7 MB,
-- three 2.3 -> 1.0 ms and four 1.4 -> 1.2 ms for +8-9 MB each; a fifth letter bought nothing
-- measurable. The merging grows with the vault: at 100,000 notes (cargo bench --bench
-- clinical_file, encrypted, warm p95) one letter 737 -> 10.7 ms, two letters 326 -> 6.7 ms, four
-- letters 33 -> 4.2 ms. One letter is the cheapest of all (few distinct first letters) and was
-- the slowest without it.
--
-- An FTS5 table's options are fixed when it is made, so the index is made again with the same
-- columns and tokenizer, under a temporary name, filled from the old one (same rowids), and
-- renamed. The triggers on notes, note_addenda and clients name search_index in their bodies:
-- SQLite's own ALTER TABLE RENAME refuses to run while they name a table that is, for a
-- moment, missing, so the rename runs with legacy_alter_table on, which renames the table and
-- its shadow tables and leaves the trigger bodies as they are (naming search_index, which the
-- new table then is). The pragma is turned off again at once.
--
-- It runs once, at the first unlock after the upgrade: about 4-6 s at 10,000 realistic notes
-- and 57 s at 100,000 (measured on a busy 2-core machine), the index then 1.9 times its old
-- size. The old index's pages stay in the file as free pages, zeroed, until later writes
-- reuse them (VACUUM cannot run inside a migration's transaction).
CREATE VIRTUAL TABLE search_index_new USING fts5 (
    client_id UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3 4'
);
-- FTS5's secure-delete (migration 04) is an option of each table, kept in its _config table:
-- the new table needs it set again.
INSERT INTO search_index_new (search_index_new, rank) VALUES ('secure-delete', 1);

INSERT INTO search_index_new (rowid, client_id, text)
SELECT rowid, client_id, text FROM search_index;

-- Dropping the old table frees its pages, which hold the text of every note (its _content
-- copy) and every word; PRAGMA secure_delete is on for every connection (db::open), so SQLite
-- overwrites them with zeros as they are freed and no plaintext is left in free pages.
DROP TABLE search_index;

PRAGMA legacy_alter_table = ON;
ALTER TABLE search_index_new RENAME TO search_index;
PRAGMA legacy_alter_table = OFF;

-- The bulk insert left several segments: one merge makes each word, and each prefix, one list.
INSERT INTO search_index (search_index) VALUES ('optimize');
