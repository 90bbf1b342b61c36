-- Case management (SPEC §7): a mentor's visits to a family, the family's plan goals and its
-- referrals to specialists. Every reference stays inside one organization (composite foreign
-- keys), and every change goes to the audit log.

CREATE TABLE visits (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    visited_on       date NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('home', 'phone', 'online', 'office')),
    -- Personal data: never shown to grant officers (SPEC §1).
    notes            text,
    -- Every visit plans the next one; the due list reads it.
    next_visit_on    date NOT NULL,
    -- The user who recorded the visit; NULL when the CLI operator did.
    mentor_id        uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    FOREIGN KEY (organization_id, mentor_id) REFERENCES users (organization_id, id),
    CONSTRAINT visits_next_after_visit CHECK (next_visit_on > visited_on)
);
-- The due list takes each family's latest visit; the family's list reads them in date order.
CREATE INDEX visits_family_date ON visits (family_id, visited_on, created_at, id);

CREATE TABLE plan_goals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    text             text NOT NULL CHECK (length(btrim(text)) > 0),
    set_on           date NOT NULL,
    target_on        date,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'dropped')),
    -- The day the goal got its current status (the day it was set while it has never changed).
    status_on        date NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT plan_goals_target_after_set CHECK (target_on IS NULL OR target_on >= set_on),
    CONSTRAINT plan_goals_status_after_set CHECK (status_on >= set_on)
);
CREATE INDEX plan_goals_family ON plan_goals (family_id, created_at, id);

CREATE TABLE referrals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    specialist       text NOT NULL CHECK (specialist IN ('psychologist', 'lawyer', 'doctor', 'pedagogue',
                                                         'employment_service', 'other')),
    reason           text NOT NULL CHECK (length(btrim(reason)) > 0),
    referred_on      date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'declined')),
    status_on        date NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT referrals_status_after_referral CHECK (status_on >= referred_on)
);
CREATE INDEX referrals_family ON referrals (family_id, created_at, id);

-- The due list starts from a mentor's assignments as of a date.
CREATE INDEX mentor_assignments_mentor_dates ON mentor_assignments (mentor_id, from_on, to_on);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON visits FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON plan_goals FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON referrals FOR EACH ROW EXECUTE FUNCTION audit_change();
