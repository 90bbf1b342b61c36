-- Idempotency keys are bound to what a request acts on, not to the path it was sent to: the same
-- key sent to /loans/L-000002/repayments and to /loans/<its uuid>/repayments once booked twice.
-- A key is now kept per organization, operation (`repayment`, `tranche-disbursement`, …) and
-- resource (the loan's, grant's or programme's id as resolved; a tranche or repayment adds its
-- own part). The answer's status is the HTTP layer's business, so it is no longer stored.
-- Keys kept before this migration stay readable under the operation `path` with the path as
-- their resource; no request asks for that operation again.
ALTER TABLE idempotency_keys DROP CONSTRAINT idempotency_keys_pkey;
ALTER TABLE idempotency_keys RENAME COLUMN endpoint TO resource;
ALTER TABLE idempotency_keys ADD COLUMN operation text NOT NULL DEFAULT 'path';
ALTER TABLE idempotency_keys ALTER COLUMN operation DROP DEFAULT;
ALTER TABLE idempotency_keys DROP COLUMN status;
ALTER TABLE idempotency_keys ADD PRIMARY KEY (organization_id, operation, resource, key);
