-- Idempotency-Key (SPEC §3, §9): the first request with a key stores its answer; the same key
-- with the same body (compared as parsed JSON) gets that answer again, another body a 409. The
-- key row is written in the same transaction as the money it moved, so a duplicate sent while
-- the first is running waits on the row lock and then reads the stored answer.
CREATE TABLE idempotency_keys (
    organization_id  uuid NOT NULL REFERENCES organizations,
    endpoint         text NOT NULL,
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request          jsonb NOT NULL,
    status           integer,
    response         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, endpoint, key)
);
