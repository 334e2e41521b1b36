-- Today runs at every unlock. Two of its questions read every note in the vault (bodies and
-- all, each page decrypted) without these indexes:
-- the drafts left unsigned: this index holds only the drafts, a few rows however many signed
-- notes there are;
CREATE INDEX notes_unsigned ON notes (id) WHERE signed_at IS NULL;
-- retention's count of old appointments that no note records (and the foreign-key check when
-- one is destroyed) looked for a note of each appointment in turn.
CREATE INDEX notes_by_appointment ON notes (appointment_id);
