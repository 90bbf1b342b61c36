-- Restructuring (issue 16): an active loan, late or not, gets a new schedule version from a date
-- for what is outstanding; the earlier versions are kept and stay readable.

-- Installments belong to a version of the schedule: 1 is the one made at disbursement.
ALTER TABLE loan_installments ADD COLUMN version integer NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE loan_installments DROP CONSTRAINT loan_installments_pkey;
ALTER TABLE loan_installments ADD PRIMARY KEY (loan_id, version, n);

-- One row per new version. `settled` is what the version before left unpaid of its principal
-- and interest on `on_date` (after that day's repayments): the new version replaces it, so it is
-- no longer owed as such. `capitalized` (with capitalize_overdue) is the overdue interest and the
-- unpaid fees made principal of the new version, and then `settled_fees` is those fees; without
-- it the overdue interest is `carried_interest`, added to the new first installment, and unpaid
-- fees stay owed as they are. `principal` is the new version's: the principal outstanding plus
-- what was capitalised.
CREATE TABLE loan_restructurings (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id     uuid NOT NULL,
    loan_id             uuid NOT NULL,
    version             integer NOT NULL CHECK (version >= 2),
    on_date             date NOT NULL,
    installments        integer NOT NULL CHECK (installments BETWEEN 1 AND 600),
    annual_rate         numeric(12, 6) NOT NULL CHECK (annual_rate BETWEEN 0 AND 1000),
    grace_periods       integer NOT NULL DEFAULT 0 CHECK (grace_periods >= 0 AND grace_periods < installments),
    capitalize_overdue  boolean NOT NULL,
    principal           numeric(18, 2) NOT NULL CHECK (principal > 0),
    settled             numeric(18, 2) NOT NULL CHECK (settled >= 0),
    settled_fees        numeric(18, 2) NOT NULL DEFAULT 0 CHECK (settled_fees >= 0),
    capitalized         numeric(18, 2) NOT NULL DEFAULT 0 CHECK (capitalized >= 0),
    carried_interest    numeric(18, 2) NOT NULL DEFAULT 0 CHECK (carried_interest >= 0),
    reason              text NOT NULL CHECK (length(btrim(reason)) > 0),
    transaction_id      uuid REFERENCES ledger_transactions,
    created_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (loan_id, version),
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id),
    CONSTRAINT loan_restructurings_capitalized CHECK (capitalize_overdue OR (capitalized = 0 AND settled_fees = 0)),
    CONSTRAINT loan_restructurings_carried CHECK (NOT capitalize_overdue OR carried_interest = 0)
);
REVOKE UPDATE, DELETE, TRUNCATE ON loan_restructurings FROM ravnaq_app;
ALTER TABLE loan_restructurings ENABLE ROW LEVEL SECURITY;

ALTER TABLE loans
    ADD COLUMN restructured_on   date,
    ADD COLUMN schedule_version  integer NOT NULL DEFAULT 1 CHECK (schedule_version >= 1);

-- The history reads restructurings beside repayments (sql/definitions/55_loans.sql): aligned
-- with paid_on, `covered` is principal and interest paid or settled, `settled` all that
-- restructurings settled (fees included), `capitalized` what they made principal;
-- `counted_due_on` the due dates of the installments that fell due before they were replaced.
ALTER TABLE loan_histories
    ADD COLUMN covered         numeric[] NOT NULL DEFAULT '{}',
    ADD COLUMN settled         numeric[] NOT NULL DEFAULT '{}',
    ADD COLUMN capitalized     numeric[] NOT NULL DEFAULT '{}',
    ADD COLUMN counted_due_on  date[] NOT NULL DEFAULT '{}',
    -- Per schedule version: the day it took effect (-infinity for the first) and the running
    -- total scheduled through its last installment, so that what is owed as of a day counts the
    -- versions in force by then only.
    ADD COLUMN version_from    date[] NOT NULL DEFAULT '{}',
    ADD COLUMN version_end     numeric[] NOT NULL DEFAULT '{}';
UPDATE loan_histories
SET version_from = '{-infinity}', version_end = ARRAY[coalesce(scheduled[cardinality(scheduled)], 0)],
    covered = paid,
    settled = coalesce(array_fill(0::numeric, ARRAY[cardinality(paid_on)]), '{}'),
    capitalized = coalesce(array_fill(0::numeric, ARRAY[cardinality(paid_on)]), '{}'),
    counted_due_on = due_on;
ALTER TABLE loan_histories ADD CONSTRAINT loan_histories_restructurings_aligned CHECK (
    cardinality(covered) = cardinality(paid_on) AND cardinality(settled) = cardinality(paid_on)
    AND cardinality(capitalized) = cardinality(paid_on));

-- Days past due read what is covered, not only what was paid (sql/definitions/55_loans.sql).
DROP INDEX IF EXISTS loan_histories_late_from_tolerant;
DROP FUNCTION IF EXISTS loan_schedule(uuid, date);
DROP FUNCTION IF EXISTS late_fee_charges(date[], numeric[], date[], numeric[], numeric[], numeric, numeric, integer, boolean, integer);

-- Capitalising overdue interest and fees posts a `restructuring` transaction.
ALTER TABLE ledger_transactions DROP CONSTRAINT ledger_transactions_kind_check;
ALTER TABLE ledger_transactions ADD CONSTRAINT ledger_transactions_kind_check CHECK (kind IN ('donor_funds', 'loan_disbursement',
    'repayment', 'recovery', 'reallocation', 'write_off', 'grant_disbursement', 'reversal', 'restructuring'));
