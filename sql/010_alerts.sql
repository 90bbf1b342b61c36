-- Smart monitoring (issue 17): which family needs help, and why. The signals and the score are
-- computed as of any date from what the other tables keep (sql/definitions/85_alerts.sql); this
-- adds the three things they need and nothing kept elsewhere.

-- Per-programme weights over the defaults (alert_default_weights()): {"signal code": 0–100}.
-- The services check the keys and values; the column only has to stay an object.
ALTER TABLE programmes ADD COLUMN alert_weights jsonb NOT NULL DEFAULT '{}'
    CONSTRAINT programmes_alert_weights_object CHECK (jsonb_typeof(alert_weights) = 'object');

-- When each member started or stopped working: `members.works` is only today's answer, and "a
-- member stopped working" as of a date needs its history. A trigger writes a row when a member
-- is added and whenever `works` changes (definitions/85_alerts.sql); not personal data (SPEC §1
-- names what is), so erasure keeps it, like `works` itself.
CREATE TABLE member_work_changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    member_id        uuid NOT NULL,
    family_id        uuid NOT NULL,
    changed_on       date NOT NULL,
    works            boolean NOT NULL,
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id) ON DELETE CASCADE,
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id)
);
CREATE INDEX member_work_changes_member ON member_work_changes (member_id, changed_on, id);
-- The signal looks at the stops of the last 90 days of an organization.
CREATE INDEX member_work_changes_recent ON member_work_changes (organization_id, changed_on) WHERE NOT works;
REVOKE UPDATE, DELETE, TRUNCATE ON member_work_changes FROM ravnaq_app;
ALTER TABLE member_work_changes ENABLE ROW LEVEL SECURITY;

-- Members so far: their state since they were added.
INSERT INTO member_work_changes (organization_id, member_id, family_id, changed_on, works)
SELECT m.organization_id, m.id, m.family_id, (m.created_at AT TIME ZONE o.time_zone)::date, m.works
FROM members m JOIN organizations o ON o.id = m.organization_id;

-- A user's acknowledgement of a family's alert as of a day, at the score it had then: the alert
-- stays away on later days unless its score rises above this one. Kept, never changed.
CREATE TABLE alert_acknowledgements (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    as_of            date NOT NULL,
    score            integer NOT NULL CHECK (score > 0),
    note             text CHECK (length(note) <= 2000),
    acknowledged_by  uuid,
    acknowledged_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    FOREIGN KEY (organization_id, acknowledged_by) REFERENCES users (organization_id, id)
);
CREATE INDEX alert_acknowledgements_family ON alert_acknowledgements (family_id, as_of, acknowledged_at);
REVOKE UPDATE, DELETE, TRUNCATE ON alert_acknowledgements FROM ravnaq_app;
-- Grant officers read no alerts; the note, like a visit's notes, is not theirs to read anyway.
REVOKE SELECT ON alert_acknowledgements FROM ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, as_of, score, acknowledged_by, acknowledged_at) ON alert_acknowledgements TO ravnaq_officer;
ALTER TABLE alert_acknowledgements ENABLE ROW LEVEL SECURITY;
