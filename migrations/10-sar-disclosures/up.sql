-- Disclosures withheld from a subject-access export. Ids, the reason code and the
-- practitioner's own comment only: never the disclosure's text. A separate table, because
-- `sar_withholdings` (09) requires a note for every row. Final once written; rows go only when
-- retention destroys the client's record.

CREATE TABLE sar_withheld_disclosures (
    id            INTEGER PRIMARY KEY,
    export_id     INTEGER NOT NULL REFERENCES sar_exports (id),
    disclosure_id INTEGER NOT NULL,
    reason        TEXT    NOT NULL CHECK (reason IN ('third_party', 'serious_harm', 'legal_privilege')),
    comment       TEXT
) STRICT;
CREATE INDEX sar_withheld_disclosures_by_export ON sar_withheld_disclosures (export_id);

CREATE TRIGGER sar_withheld_disclosures_final BEFORE UPDATE ON sar_withheld_disclosures
BEGIN SELECT RAISE(ABORT, 'a withholding record is never changed'); END;
