-- Notifications through an outbox (issue 17): each row is written in the same transaction as
-- its cause (a grant whose tranches wait for a grant officer), or by the daily scan of what
-- falls due (a visit tomorrow, an installment in three days, a new high alert), and a worker
-- inside `ravnaq serve` delivers it to the configured webhook, at most once per id to the
-- receiver (the id is its idempotency key).

-- The language a person's messages are written in.
ALTER TABLE users ADD COLUMN language text NOT NULL DEFAULT 'uz' CHECK (language IN ('uz', 'ru', 'en'));
ALTER TABLE members ADD COLUMN language text NOT NULL DEFAULT 'uz' CHECK (language IN ('uz', 'ru', 'en'));

CREATE TABLE notifications (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    kind             text NOT NULL CHECK (kind IN ('visit_due', 'installment_due', 'high_alert', 'tranche_approval')),
    -- What it is about, once per recipient: `visit_due:<family>:<date>`, … A cause written again
    -- (the scan runs every few minutes) adds nothing.
    cause            text NOT NULL CHECK (length(cause) > 0),
    -- A user (mentor, grant officer) or a family's member, never both.
    user_id          uuid,
    member_id        uuid,
    recipient        uuid GENERATED ALWAYS AS (coalesce(user_id, member_id)) STORED,
    language         text NOT NULL CHECK (language IN ('uz', 'ru', 'en')),
    message          text NOT NULL CHECK (length(message) > 0),
    -- The figures behind the message (codes, dates, amounts as strings).
    details          jsonb NOT NULL DEFAULT '{}',
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- pending until the receiver answers 2xx (delivered); failed after the last retry;
    -- cancelled when its member can no longer be messaged (no phone or no consent any more).
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
    attempts         integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    last_error       text,
    CONSTRAINT notifications_one_recipient CHECK ((user_id IS NULL) <> (member_id IS NULL)),
    CONSTRAINT notifications_delivered_at CHECK ((status = 'delivered') = (delivered_at IS NOT NULL)),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
    UNIQUE (organization_id, cause, recipient)
);
-- The worker takes the pending ones that are due, oldest first.
CREATE INDEX notifications_due ON notifications (next_attempt_at) WHERE status = 'pending';
CREATE INDEX notifications_listed ON notifications (organization_id, created_at, id);
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
-- Messages name families' affairs: not for grant officers.
REVOKE SELECT ON notifications FROM ravnaq_officer;
-- A member's language is no personal data: grant officers' member lists show it.
GRANT SELECT (language) ON members TO ravnaq_officer;
