-- Today lists drafts left unsigned. Without an index that query reads every note in the vault
-- (bodies and all, each page decrypted) at every unlock; this index holds only the drafts, so
-- it stays a few rows long however many signed notes there are.
CREATE INDEX notes_unsigned ON notes (id) WHERE signed_at IS NULL;
