-- Outcome measures (PHQ-9, GAD-7, CORE-10): item scores as the client gave them, dated, final
-- once recorded. A mistaken entry is marked "entered in error" with a reason and kept; it is
-- never changed or deleted (only destruction of the whole client record removes it).

CREATE TABLE measures (
    id                      INTEGER PRIMARY KEY,
    client_id               INTEGER NOT NULL REFERENCES clients (id),
    kind                    TEXT    NOT NULL CHECK (kind IN ('phq9', 'gad7', 'core10')),
    taken_on                TEXT    NOT NULL,        -- YYYY-MM-DD, the day the client completed it
    items                   TEXT    NOT NULL,        -- item scores in form order, e.g. '1,2,0,3,1,0,0,2,1'
    recorded_at             TEXT    NOT NULL,        -- UTC, RFC 3339
    entered_in_error_at     TEXT,                    -- set once; never cleared
    entered_in_error_reason TEXT,
    CHECK ((entered_in_error_at IS NULL) = (entered_in_error_reason IS NULL))
) STRICT;
CREATE INDEX measures_by_client ON measures (client_id, kind, taken_on);
CREATE INDEX measures_by_day ON measures (taken_on);

-- Defence in depth: the core refuses these first, with a clear message.
CREATE TRIGGER measures_are_final
BEFORE UPDATE OF id, client_id, kind, taken_on, items, recorded_at ON measures
BEGIN SELECT RAISE(ABORT, 'a recorded measure cannot be changed; mark it entered in error instead'); END;

CREATE TRIGGER measures_error_mark_is_final
BEFORE UPDATE OF entered_in_error_at, entered_in_error_reason ON measures
WHEN OLD.entered_in_error_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a measure already marked entered in error cannot be changed'); END;
