-- The clinical file: clients, notes with addenda, and the encrypted full-text index.

CREATE TABLE clients (
    id                     INTEGER PRIMARY KEY,
    case_ref               TEXT    NOT NULL UNIQUE COLLATE NOCASE,  -- pseudonymous, e.g. C-0042
    given_name             TEXT    NOT NULL,
    family_name            TEXT    NOT NULL,
    preferred_name         TEXT,
    pronouns               TEXT,
    date_of_birth          TEXT,                                    -- YYYY-MM-DD
    email                  TEXT,
    phone                  TEXT,
    address                TEXT,
    emergency_name         TEXT,
    emergency_relationship TEXT,
    emergency_phone        TEXT,
    gp_name                TEXT,
    gp_practice            TEXT,
    gp_contact             TEXT,
    referral_source        TEXT,
    status                 TEXT    NOT NULL CHECK (status IN ('enquiry', 'active', 'ended')),
    first_contact_on       TEXT,
    therapy_started_on     TEXT,
    therapy_ended_on       TEXT,
    legal_hold_reason      TEXT,                                    -- set: destruction is stopped
    restricted_reason      TEXT,                                    -- set: processing is restricted
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
) STRICT;

CREATE TABLE notes (
    id             INTEGER PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES clients (id),
    kind           TEXT    NOT NULL CHECK (kind IN ('session', 'process', 'contact', 'supervision', 'letter')),
    template       TEXT    NOT NULL CHECK (template IN ('free', 'soap', 'dap', 'birp')),
    body           TEXT    NOT NULL,                                -- Markdown
    third_party    INTEGER NOT NULL DEFAULT 0 CHECK (third_party IN (0, 1)),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    signed_at      TEXT,                                            -- set once; never cleared
    content_sha256 TEXT,                                            -- set with signed_at
    CHECK ((signed_at IS NULL) = (content_sha256 IS NULL))
) STRICT;
CREATE INDEX notes_by_client ON notes (client_id, created_at);

-- Defence in depth: the core refuses these edits first, with a clear message; the database
-- refuses them too, whoever asks. The third-party flag stays settable after signing because it
-- guides the access-request review and is not part of what was signed.
CREATE TRIGGER notes_signed_are_final
BEFORE UPDATE OF client_id, kind, template, body, created_at, signed_at, content_sha256 ON notes
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum instead'); END;

CREATE TABLE note_addenda (
    id             INTEGER PRIMARY KEY,
    note_id        INTEGER NOT NULL REFERENCES notes (id),
    reason         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL
) STRICT;
CREATE INDEX addenda_by_note ON note_addenda (note_id, created_at);

CREATE TRIGGER note_addenda_are_final BEFORE UPDATE ON note_addenda
BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed; add another addendum instead'); END;

-- One full-text index over note bodies, addenda and client names, inside the encrypted file.
-- rowid = record id * 4 + kind (0 note, 1 addendum, 2 client), so updates touch one row.
CREATE VIRTUAL TABLE search_index USING fts5 (
    client_id UNINDEXED,
    text,
    tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER search_note_insert AFTER INSERT ON notes BEGIN
    INSERT INTO search_index (rowid, client_id, text) VALUES (NEW.id * 4, NEW.client_id, NEW.body);
END;
CREATE TRIGGER search_note_update AFTER UPDATE OF body ON notes BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4;
    INSERT INTO search_index (rowid, client_id, text) VALUES (NEW.id * 4, NEW.client_id, NEW.body);
END;
CREATE TRIGGER search_note_delete AFTER DELETE ON notes BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4;
END;

CREATE TRIGGER search_addendum_insert AFTER INSERT ON note_addenda BEGIN
    INSERT INTO search_index (rowid, client_id, text)
    VALUES (NEW.id * 4 + 1, (SELECT client_id FROM notes WHERE id = NEW.note_id), NEW.reason || ' ' || NEW.body);
END;
CREATE TRIGGER search_addendum_delete AFTER DELETE ON note_addenda BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 1;
END;

CREATE TRIGGER search_client_insert AFTER INSERT ON clients BEGIN
    INSERT INTO search_index (rowid, client_id, text) VALUES (NEW.id * 4 + 2, NEW.id,
        concat_ws(' ', NEW.case_ref, NEW.given_name, NEW.family_name, NEW.preferred_name));
END;
CREATE TRIGGER search_client_update AFTER UPDATE OF case_ref, given_name, family_name, preferred_name ON clients BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 2;
    INSERT INTO search_index (rowid, client_id, text) VALUES (NEW.id * 4 + 2, NEW.id,
        concat_ws(' ', NEW.case_ref, NEW.given_name, NEW.family_name, NEW.preferred_name));
END;
CREATE TRIGGER search_client_delete AFTER DELETE ON clients BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id * 4 + 2;
END;
