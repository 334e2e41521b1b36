-- FTS5's own secure-delete: deleting or replacing an indexed text (every autosave of a draft,
-- every destruction) removes its terms from the index's segments at once. Without it FTS5 only
-- writes a "deleted" marker and keeps the old words until segments happen to be merged, which
-- SQLite's secure_delete pragma does not reach. Needs SQLite 3.42 or later (SQLCipher 4.6+).
-- The option is stored in search_index_config, so it holds for every later connection.
INSERT INTO search_index (search_index, rank) VALUES ('secure-delete', 1);

-- Words deleted before this migration are still in old segments: merging everything into one
-- segment drops them, and the freed pages are zeroed (PRAGMA secure_delete is on).
INSERT INTO search_index (search_index) VALUES ('optimize');
