-- Clients' rights: consents, disclosures, the requests register (with rectification addenda
-- linked to their request) and the practice-wide breach register.
--
-- Dates a practitioner gives are calendar days (YYYY-MM-DD); record times and the moments of a
-- breach are UTC, RFC 3339. Everything here that is final once recorded is refused by a
-- trigger too, whoever asks; the core refuses first, with a clear message.

CREATE TABLE consents (
    id                     INTEGER PRIMARY KEY,
    client_id              INTEGER NOT NULL REFERENCES clients (id),
    kind                   TEXT    NOT NULL CHECK (kind IN ('treatment_contract', 'contact_email',
                               'contact_phone', 'contact_text', 'share_with_gp', 'session_recording',
                               'research')),
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
CREATE INDEX consents_by_client ON consents (client_id, given_on);

-- Only the withdrawal may be added, once; nothing else of a consent ever changes.
CREATE TRIGGER consents_are_final
BEFORE UPDATE OF client_id, kind, given_on, scope, evidence_attachment_id, destroy_recording_by,
                 recorded_at ON consents
BEGIN SELECT RAISE(ABORT, 'a recorded consent cannot be changed; record a new one instead'); END;
CREATE TRIGGER consents_withdrawn_once
BEFORE UPDATE OF withdrawn_on, withdrawal_recorded_at ON consents
WHEN OLD.withdrawn_on IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'a consent is withdrawn only once'); END;

CREATE TABLE disclosures (
    id                     INTEGER PRIMARY KEY,
    client_id              INTEGER NOT NULL REFERENCES clients (id),
    disclosed_on           TEXT    NOT NULL,
    recipient_name         TEXT    NOT NULL,
    recipient_role         TEXT,
    recipient_organisation TEXT,
    what_shared            TEXT    NOT NULL,
    legal_basis            TEXT    NOT NULL CHECK (legal_basis IN ('client_consent',
                               'safeguarding_child', 'safeguarding_adult', 'court_order',
                               'serious_harm', 'terrorism_serious_crime', 'statutory_duty')),
    client_told            INTEGER NOT NULL CHECK (client_told IN (0, 1)),
    client_told_on         TEXT,
    not_told_reason        TEXT,
    rationale              TEXT    NOT NULL,
    corrects_id            INTEGER REFERENCES disclosures (id),  -- a later entry correcting this one
    correction_note        TEXT,
    recorded_at            TEXT    NOT NULL,
    CHECK ((client_told = 1 AND client_told_on IS NOT NULL AND not_told_reason IS NULL)
        OR (client_told = 0 AND client_told_on IS NULL AND not_told_reason IS NOT NULL)),
    CHECK ((corrects_id IS NULL) = (correction_note IS NULL))
) STRICT;
CREATE INDEX disclosures_by_client ON disclosures (client_id, disclosed_on);

CREATE TRIGGER disclosures_are_final BEFORE UPDATE ON disclosures
BEGIN SELECT RAISE(ABORT, 'a recorded disclosure cannot be changed; record a correcting entry instead'); END;

CREATE TABLE rights_requests (
    id                  INTEGER PRIMARY KEY,
    client_id           INTEGER NOT NULL REFERENCES clients (id),
    kind                TEXT    NOT NULL CHECK (kind IN ('access', 'rectification', 'erasure',
                            'restriction', 'portability', 'objection')),
    received_on         TEXT    NOT NULL,
    identity_checked_on TEXT,                  -- the clock starts at the later of the two
    details             TEXT,                  -- what was asked, in the practitioner's words
    extended_months     INTEGER CHECK (extended_months IN (1, 2)),
    extension_told_on   TEXT,
    extension_reason    TEXT,
    outcome             TEXT    CHECK (outcome IN ('granted', 'refused', 'partly')),
    decision_reason     TEXT,
    decided_on          TEXT,
    completed_on        TEXT,
    recorded_at         TEXT    NOT NULL,
    updated_at          TEXT    NOT NULL,
    CHECK ((extended_months IS NULL) = (extension_told_on IS NULL)
       AND (extended_months IS NULL) = (extension_reason IS NULL)),
    CHECK ((outcome IS NULL) = (decision_reason IS NULL) AND (outcome IS NULL) = (decided_on IS NULL)),
    CHECK (identity_checked_on IS NULL OR identity_checked_on >= received_on)
) STRICT;
CREATE INDEX rights_requests_by_client ON rights_requests (client_id, received_on);

-- Each step of a request is taken once: what was recorded stays as it was.
CREATE TRIGGER rights_requests_steps_once
BEFORE UPDATE ON rights_requests
WHEN NEW.client_id IS NOT OLD.client_id OR NEW.kind IS NOT OLD.kind
  OR NEW.received_on IS NOT OLD.received_on OR NEW.recorded_at IS NOT OLD.recorded_at
  OR NEW.details IS NOT OLD.details
  OR (OLD.identity_checked_on IS NOT NULL AND NEW.identity_checked_on IS NOT OLD.identity_checked_on)
  OR (OLD.extended_months IS NOT NULL AND (NEW.extended_months IS NOT OLD.extended_months
      OR NEW.extension_told_on IS NOT OLD.extension_told_on
      OR NEW.extension_reason IS NOT OLD.extension_reason))
  OR (OLD.outcome IS NOT NULL AND (NEW.outcome IS NOT OLD.outcome
      OR NEW.decision_reason IS NOT OLD.decision_reason OR NEW.decided_on IS NOT OLD.decided_on))
  OR (OLD.completed_on IS NOT NULL AND NEW.completed_on IS NOT OLD.completed_on)
BEGIN SELECT RAISE(ABORT, 'a step of a request, once recorded, cannot be changed'); END;

-- A rectification is an addendum to a signed note, linked to the request that asked for it.
CREATE TABLE rights_request_addenda (
    request_id  INTEGER NOT NULL REFERENCES rights_requests (id),
    addendum_id INTEGER NOT NULL UNIQUE REFERENCES note_addenda (id),
    PRIMARY KEY (request_id, addendum_id)
) STRICT;

-- Practice-wide: a breach may touch many clients, or none by name (case references or counts).
CREATE TABLE breaches (
    id                INTEGER PRIMARY KEY,
    what_happened     TEXT    NOT NULL,
    happened_at       TEXT,                    -- UTC; unknown is allowed
    discovered_at     TEXT    NOT NULL,        -- UTC; the ICO's 72-hour clock starts here
    who_affected      TEXT    NOT NULL,        -- case references or counts, never names
    records_affected  TEXT    NOT NULL,
    risk              TEXT    NOT NULL,
    reportable        INTEGER CHECK (reportable IN (0, 1)),   -- NULL until decided
    decision_reason   TEXT,
    decided_at        TEXT,
    ico_told_at       TEXT,
    ico_reference     TEXT,
    clients_told_at   TEXT,
    clients_not_told_reason TEXT,
    recorded_at       TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    CHECK ((reportable IS NULL) = (decision_reason IS NULL) AND (reportable IS NULL) = (decided_at IS NULL))
) STRICT;

CREATE TRIGGER breaches_decided_once
BEFORE UPDATE ON breaches
WHEN NEW.what_happened IS NOT OLD.what_happened OR NEW.discovered_at IS NOT OLD.discovered_at
  OR NEW.happened_at IS NOT OLD.happened_at OR NEW.recorded_at IS NOT OLD.recorded_at
  OR (OLD.reportable IS NOT NULL AND (NEW.reportable IS NOT OLD.reportable
      OR NEW.decision_reason IS NOT OLD.decision_reason OR NEW.decided_at IS NOT OLD.decided_at))
  OR (OLD.ico_told_at IS NOT NULL AND NEW.ico_told_at IS NOT OLD.ico_told_at)
  OR (OLD.clients_told_at IS NOT NULL AND NEW.clients_told_at IS NOT OLD.clients_told_at)
BEGIN SELECT RAISE(ABORT, 'a breach''s discovery and decision, once recorded, cannot be changed'); END;
CREATE TRIGGER breaches_kept BEFORE DELETE ON breaches
BEGIN SELECT RAISE(ABORT, 'the breach register is kept; entries are never deleted'); END;
