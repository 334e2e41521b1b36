-- Joint work: a couple or family "case" linking two or more clients, with its own reference
-- (J-0001…), and the joint session notes that belong to the case rather than to one client.
-- A joint note appears in every member's file; it is kept while any member's record is kept.
-- When one member's record is destroyed, their place in the case stays, unlinked and dated
-- (client_id NULL, record_destroyed_at set), so the case still knows someone else took part and
-- a subject-access copy for a remaining member still withholds joint notes without that
-- person's consent. The case and its notes go with the last member's record.
--
-- Also: the consent "release of joint notes in a subject access request" (the consents table is
-- rebuilt, as SQLite cannot change a CHECK in place), and the log of joint notes withheld from
-- each subject-access export (ids and reason codes only).

CREATE TABLE cases (
    id         INTEGER PRIMARY KEY,
    case_ref   TEXT    NOT NULL UNIQUE COLLATE NOCASE,   -- pseudonymous, e.g. J-0003
    name       TEXT,                                     -- the practitioner's label, e.g. "couple work"
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE case_members (
    id                  INTEGER PRIMARY KEY,
    case_id             INTEGER NOT NULL REFERENCES cases (id),
    client_id           INTEGER REFERENCES clients (id),  -- NULL once their record was destroyed
    joined_at           TEXT    NOT NULL,
    record_destroyed_at TEXT,
    CHECK ((client_id IS NULL) = (record_destroyed_at IS NOT NULL)),
    UNIQUE (case_id, client_id)
) STRICT;
CREATE INDEX case_members_by_client ON case_members (client_id);

CREATE TABLE joint_notes (
    id             INTEGER PRIMARY KEY,
    case_id        INTEGER NOT NULL REFERENCES cases (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('session', 'process', 'contact', 'supervision', 'letter')),
    template       TEXT    NOT NULL CHECK (template IN ('free', 'soap', 'dap', 'birp')),
    body           TEXT    NOT NULL,                                -- Markdown
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    signed_at      TEXT,                                            -- set once; never cleared
    content_sha256 TEXT,                                            -- set with signed_at
    CHECK ((signed_at IS NULL) = (content_sha256 IS NULL))
) STRICT;
CREATE INDEX joint_notes_by_case ON joint_notes (case_id, created_at);

CREATE TRIGGER joint_notes_signed_are_final
BEFORE UPDATE OF case_id, kind, template, body, created_at, signed_at, content_sha256 ON joint_notes
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed joint note cannot be changed; add an addendum instead'); END;

CREATE TABLE joint_note_addenda (
    id             INTEGER PRIMARY KEY,
    joint_note_id  INTEGER NOT NULL REFERENCES joint_notes (id),
    reason         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL
) STRICT;
CREATE INDEX joint_note_addenda_by_note ON joint_note_addenda (joint_note_id, created_at);

CREATE TRIGGER joint_note_addenda_are_final BEFORE UPDATE ON joint_note_addenda
BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed; add another addendum instead'); END;

-- Joint notes withheld from a subject-access export: automatically (another member has not
-- consented) or by the practitioner. Never the note's text.
CREATE TABLE sar_withheld_joint_notes (
    id            INTEGER PRIMARY KEY,
    export_id     INTEGER NOT NULL REFERENCES sar_exports (id),
    joint_note_id INTEGER NOT NULL,
    reason        TEXT    NOT NULL CHECK (reason IN ('third_party', 'serious_harm', 'legal_privilege')),
    automatic     INTEGER NOT NULL CHECK (automatic IN (0, 1)),
    comment       TEXT
) STRICT;
CREATE INDEX sar_withheld_joint_notes_by_export ON sar_withheld_joint_notes (export_id);

CREATE TRIGGER sar_withheld_joint_notes_final BEFORE UPDATE ON sar_withheld_joint_notes
BEGIN SELECT RAISE(ABORT, 'a withholding record is never changed'); END;

-- The consents table, rebuilt with one more kind: joint_notes_release.
CREATE TABLE consents_new (
    id                     INTEGER PRIMARY KEY,
    client_id              INTEGER NOT NULL REFERENCES clients (id),
    kind                   TEXT    NOT NULL CHECK (kind IN ('treatment_contract', 'contact_email',
                               'contact_phone', 'contact_text', 'share_with_gp', 'session_recording',
                               'research', 'joint_notes_release')),
    given_on               TEXT    NOT NULL,
    withdrawn_on           TEXT,                          -- a dated change, never a deletion
    scope                  TEXT,
    evidence_attachment_id INTEGER REFERENCES attachments (id),
    destroy_recording_by   TEXT,                          -- required for session_recording
    recorded_at            TEXT    NOT NULL,
    withdrawal_recorded_at TEXT,
    CHECK (kind <> 'session_recording' OR destroy_recording_by IS NOT NULL),
    CHECK (withdrawn_on IS NULL OR withdrawn_on >= given_on),
    CHECK ((withdrawn_on IS NULL) = (withdrawal_recorded_at IS NULL))
) STRICT;
INSERT INTO consents_new (id, client_id, kind, given_on, withdrawn_on, scope,
        evidence_attachment_id, destroy_recording_by, recorded_at, withdrawal_recorded_at)
    SELECT id, client_id, kind, given_on, withdrawn_on, scope, evidence_attachment_id,
           destroy_recording_by, recorded_at, withdrawal_recorded_at FROM consents;
DROP TABLE consents;
ALTER TABLE consents_new RENAME TO consents;
CREATE INDEX consents_by_client ON consents (client_id, given_on);

CREATE TRIGGER consents_are_final
BEFORE UPDATE OF client_id, kind, given_on, scope, evidence_attachment_id, destroy_recording_by,
                 recorded_at ON consents
BEGIN SELECT RAISE(ABORT, 'a recorded consent cannot be changed; record a new one instead'); END;
CREATE TRIGGER consents_withdrawn_once
BEFORE UPDATE OF withdrawn_on, withdrawal_recorded_at ON consents
WHEN OLD.withdrawn_on IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a consent is withdrawn only once'); END;
