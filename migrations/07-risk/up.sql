-- Risk: assessments (formulation, drafted then signed, corrected by addenda), the client's
-- safety plan (every version kept), capacity and best-interest decisions, and the client's
-- wishes about their records after their death. No score column anywhere: following NICE NG225
-- the practitioner records a formulation and a plan in words, not a predicted risk.

CREATE TABLE risk_assessments (
    id                 INTEGER PRIMARY KEY,
    client_id          INTEGER NOT NULL REFERENCES clients (id),
    domains            TEXT    NOT NULL CHECK (json_valid(domains)),  -- JSON: one formulation per domain
    protective_factors TEXT    NOT NULL,
    actions            TEXT    NOT NULL,
    overall_concern    TEXT    NOT NULL,                               -- the practitioner's words
    review_on          TEXT,                                           -- YYYY-MM-DD
    created_at         TEXT    NOT NULL,
    updated_at         TEXT    NOT NULL,
    signed_at          TEXT,                                           -- set once; never cleared
    content_sha256     TEXT,                                           -- set with signed_at
    CHECK ((signed_at IS NULL) = (content_sha256 IS NULL)),
    CHECK (signed_at IS NULL OR review_on IS NOT NULL)
) STRICT;
CREATE INDEX risk_assessments_by_client ON risk_assessments (client_id, created_at);

-- Defence in depth: the core refuses first, with a clear message; the database refuses too.
CREATE TRIGGER risk_assessments_signed_are_final BEFORE UPDATE ON risk_assessments
WHEN OLD.signed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a signed risk assessment cannot be changed; add an addendum instead'); END;

CREATE TABLE risk_addenda (
    id             INTEGER PRIMARY KEY,
    assessment_id  INTEGER NOT NULL REFERENCES risk_assessments (id),
    reason         TEXT    NOT NULL,
    body           TEXT    NOT NULL,
    created_at     TEXT    NOT NULL,
    content_sha256 TEXT    NOT NULL
) STRICT;
CREATE INDEX risk_addenda_by_assessment ON risk_addenda (assessment_id, created_at);

CREATE TRIGGER risk_addenda_are_final BEFORE UPDATE ON risk_addenda
BEGIN SELECT RAISE(ABORT, 'an addendum cannot be changed; add another addendum instead'); END;

-- A safety plan is never edited in place: each save is a new version, and every version stays.
CREATE TABLE safety_plan_versions (
    id                     INTEGER PRIMARY KEY,
    client_id              INTEGER NOT NULL REFERENCES clients (id),
    version                INTEGER NOT NULL CHECK (version >= 1),
    warning_signs          TEXT    NOT NULL,
    things_i_can_do        TEXT    NOT NULL,
    people_and_places      TEXT    NOT NULL,
    people_to_ask          TEXT    NOT NULL,
    crisis_contacts        TEXT    NOT NULL,
    environment_safer      TEXT    NOT NULL,
    reasons_for_living     TEXT    NOT NULL,
    saved_at               TEXT    NOT NULL,
    UNIQUE (client_id, version)
) STRICT;

CREATE TRIGGER safety_plan_versions_are_final BEFORE UPDATE ON safety_plan_versions
BEGIN SELECT RAISE(ABORT, 'a saved safety plan is kept as it was; save a new version instead'); END;

-- A capacity assessment under the Mental Capacity Act 2005, and the best-interest decision that
-- follows when the client lacks capacity for it. Recorded once; a later assessment is a new row.
CREATE TABLE capacity_decisions (
    id                    INTEGER PRIMARY KEY,
    client_id             INTEGER NOT NULL REFERENCES clients (id),
    decision              TEXT    NOT NULL,
    assessed_on           TEXT    NOT NULL,                            -- YYYY-MM-DD
    impairment            TEXT    NOT NULL,
    understand_able       INTEGER NOT NULL CHECK (understand_able IN (0, 1)),
    understand_evidence   TEXT    NOT NULL,
    retain_able           INTEGER NOT NULL CHECK (retain_able IN (0, 1)),
    retain_evidence       TEXT    NOT NULL,
    use_or_weigh_able     INTEGER NOT NULL CHECK (use_or_weigh_able IN (0, 1)),
    use_or_weigh_evidence TEXT    NOT NULL,
    communicate_able      INTEGER NOT NULL CHECK (communicate_able IN (0, 1)),
    communicate_evidence  TEXT    NOT NULL,
    outcome               TEXT    NOT NULL CHECK (outcome IN ('has_capacity', 'lacks_capacity')),
    consulted             TEXT    NOT NULL,
    best_interest         TEXT    NOT NULL,
    review_on             TEXT    NOT NULL CHECK (review_on >= assessed_on), -- YYYY-MM-DD
    created_at            TEXT    NOT NULL
) STRICT;
CREATE INDEX capacity_decisions_by_client ON capacity_decisions (client_id, assessed_on);

CREATE TRIGGER capacity_decisions_are_final BEFORE UPDATE ON capacity_decisions
BEGIN SELECT RAISE(ABORT, 'a recorded capacity decision cannot be changed; record a new one'); END;

-- The client's wishes about their records after their death: every version kept, the newest shown.
CREATE TABLE after_death_wishes (
    id              INTEGER PRIMARY KEY,
    client_id       INTEGER NOT NULL REFERENCES clients (id),
    version         INTEGER NOT NULL CHECK (version >= 1),
    wishes          TEXT    NOT NULL,
    who_may_see     TEXT    NOT NULL,
    who_may_not_see TEXT    NOT NULL,
    recorded_on     TEXT    NOT NULL,                                   -- YYYY-MM-DD
    created_at      TEXT    NOT NULL,
    UNIQUE (client_id, version)
) STRICT;

CREATE TRIGGER after_death_wishes_are_final BEFORE UPDATE ON after_death_wishes
BEGIN SELECT RAISE(ABORT, 'recorded wishes are kept as they were; record new wishes instead'); END;
