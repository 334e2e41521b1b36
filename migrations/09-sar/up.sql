-- Subject-access exports and what was withheld from each. Ids, reason codes and byte ranges only:
-- never the withheld text itself (which stays where it always was, in the note). A row is final
-- once written; rows go only when retention destroys the client's record.

CREATE TABLE sar_exports (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    request_id      INTEGER NOT NULL,          -- the requests register's id (no foreign key yet)
    created_at      TEXT    NOT NULL,          -- UTC, RFC 3339
    protection      TEXT    NOT NULL CHECK (protection IN ('passphrase', 'recipient', 'plaintext_folder')),
    files           INTEGER NOT NULL,          -- how many files the bundle holds, manifest included
    manifest_sha256 TEXT    NOT NULL
) STRICT;
CREATE INDEX sar_exports_by_client ON sar_exports (client_id, created_at);

CREATE TABLE sar_withholdings (
    id           INTEGER PRIMARY KEY,
    export_id    INTEGER NOT NULL REFERENCES sar_exports (id),
    item         TEXT    NOT NULL CHECK (item IN ('note', 'addendum', 'passage')),
    note_id      INTEGER NOT NULL,
    addendum_id  INTEGER,                     -- an addendum, or a passage inside one
    range_start  INTEGER,                     -- a passage: UTF-8 byte range in the body it came from
    range_end    INTEGER,
    reason       TEXT    NOT NULL CHECK (reason IN ('third_party', 'serious_harm', 'legal_privilege')),
    comment      TEXT,                        -- the practitioner's own words on why
    CHECK ((item = 'passage') = (range_start IS NOT NULL AND range_end IS NOT NULL)),
    CHECK (item <> 'addendum' OR addendum_id IS NOT NULL)
) STRICT;
CREATE INDEX sar_withholdings_by_export ON sar_withholdings (export_id);

CREATE TRIGGER sar_exports_final BEFORE UPDATE ON sar_exports
BEGIN SELECT RAISE(ABORT, 'a subject-access export record is never changed'); END;
CREATE TRIGGER sar_withholdings_final BEFORE UPDATE ON sar_withholdings
BEGIN SELECT RAISE(ABORT, 'a withholding record is never changed'); END;
