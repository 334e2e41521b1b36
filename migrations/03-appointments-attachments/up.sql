-- Appointments, the link from a note to its appointment, and attachments kept inside the vault.

CREATE TABLE appointments (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    starts_at   TEXT    NOT NULL,                 -- UTC, RFC 3339
    minutes     INTEGER NOT NULL CHECK (minutes BETWEEN 5 AND 480),
    mode        TEXT    NOT NULL CHECK (mode IN ('in_person', 'video', 'phone')),
    attendance  TEXT    NOT NULL CHECK (attendance IN ('booked', 'attended', 'cancelled', 'did_not_attend')),
    fee_pence   INTEGER CHECK (fee_pence >= 0),   -- kept for tax records
    paid        INTEGER NOT NULL DEFAULT 0 CHECK (paid IN (0, 1)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;
CREATE INDEX appointments_by_time ON appointments (starts_at);
CREATE INDEX appointments_by_client ON appointments (client_id, starts_at);

ALTER TABLE notes ADD COLUMN appointment_id INTEGER REFERENCES appointments (id);

-- The link to an appointment is part of what a signed note says, so it is final too.
DROP TRIGGER notes_signed_are_final;
CREATE TRIGGER notes_signed_are_final
BEFORE UPDATE OF client_id, appointment_id, kind, template, body, created_at, signed_at, content_sha256 ON notes
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed note cannot be changed; add an addendum instead'); END;

CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY,
    client_id   INTEGER NOT NULL REFERENCES clients (id),
    note_id     INTEGER REFERENCES notes (id),
    file_name   TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    size_bytes  INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    content     BLOB    NOT NULL,                 -- inside the encrypted database, never on disk
    added_at    TEXT    NOT NULL
) STRICT;
CREATE INDEX attachments_by_client ON attachments (client_id);
