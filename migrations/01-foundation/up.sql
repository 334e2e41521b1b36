-- The foundation: the hash-chained audit log and the practitioner's settings.

CREATE TABLE audit_log (
    seq       INTEGER PRIMARY KEY,      -- 1, 2, 3… with no gaps
    at        TEXT    NOT NULL,         -- UTC, RFC 3339 with milliseconds
    action    TEXT    NOT NULL,         -- a stable name such as 'vault_unlocked'
    subject   TEXT,                     -- the id of the record acted on, never its content
    detail    TEXT    NOT NULL,         -- JSON of ids and counts, never clinical text
    prev_hash TEXT    NOT NULL,         -- hash of entry seq-1 (64 zeros for the first)
    hash      TEXT    NOT NULL          -- SHA-256 over this entry and prev_hash
) STRICT;

-- The newest entry, updated in the same transaction as each append, so that removing entries
-- from the end of the log is detected as well as removing them from the middle.
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT    NOT NULL
) STRICT;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
