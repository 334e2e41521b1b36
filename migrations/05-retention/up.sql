-- The destruction register: one certificate per record destroyed, hash-chained like the audit
-- log so that an edited, removed or reordered certificate is detected. Certificates hold the case
-- reference, initials, counts, the rule, the dates and the practitioner's reason: never clinical
-- text and never a name beyond initials.

CREATE TABLE destruction_register (
    seq                INTEGER PRIMARY KEY,
    destroyed_at       TEXT    NOT NULL,              -- UTC, RFC 3339
    case_ref           TEXT    NOT NULL,
    initials           TEXT    NOT NULL,
    client_created_at  TEXT    NOT NULL,              -- with case_ref, names the record in older backups
    category           TEXT    NOT NULL CHECK (category IN ('client_record', 'enquiry', 'appointments')),
    counts             TEXT    NOT NULL,              -- JSON: how many of each kind were destroyed
    rule               TEXT    NOT NULL,              -- the policy's rule, in words
    trigger_on         TEXT    NOT NULL,              -- YYYY-MM-DD
    due_on             TEXT    NOT NULL,              -- YYYY-MM-DD
    reason             TEXT    NOT NULL,
    reapplied_from     TEXT,                          -- set when re-applied after a restore
    prev_hash          TEXT    NOT NULL,
    hash               TEXT    NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER destruction_register_no_update BEFORE UPDATE ON destruction_register
BEGIN SELECT RAISE(ABORT, 'the destruction register cannot be changed'); END;
CREATE TRIGGER destruction_register_no_delete BEFORE DELETE ON destruction_register
BEGIN SELECT RAISE(ABORT, 'the destruction register cannot be changed'); END;
