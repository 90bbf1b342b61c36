-- Loan servicing (issue 16): working days, round installments, arrears tolerance and late fees
-- as a percentage or every month.

-- An organization's working days. A due date on a day off moves to the next working day.
-- Weekly days off are ISO weekdays (1 Monday … 7 Sunday), at least one weekday left on; a
-- holiday is on one date (a year given) or on the same month and day every year (year NULL).
-- Every organization starts with Sunday off and Uzbekistan's fixed holidays
-- (sql/definitions/52_calendar.sql).
CREATE TABLE calendars (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL UNIQUE REFERENCES organizations,
    days_off         integer[] NOT NULL DEFAULT '{7}' CONSTRAINT calendars_days_off_weekdays CHECK (
        days_off <@ '{1,2,3,4,5,6,7}'::integer[] AND cardinality(days_off) < 7)
);

CREATE TABLE holidays (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    year             integer CHECK (year BETWEEN 1 AND 9999),
    month            integer NOT NULL CHECK (month BETWEEN 1 AND 12),
    day              integer NOT NULL CHECK (day BETWEEN 1 AND 31),
    name             text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- 2000 was a leap year: 29 February is a day every year has the right to name.
    CONSTRAINT holidays_real_day CHECK (
        day <= extract(day FROM date_trunc('month', make_date(coalesce(year, 2000), month, 1)) + interval '1 month - 1 day'))
);
CREATE UNIQUE INDEX holidays_once ON holidays (organization_id, coalesce(year, 0), month, day);
ALTER TABLE calendars ENABLE ROW LEVEL SECURITY;
ALTER TABLE holidays ENABLE ROW LEVEL SECURITY;

INSERT INTO calendars (organization_id) SELECT id FROM organizations;
INSERT INTO holidays (organization_id, month, day, name)
SELECT o.id, h.month, h.day, h.name
FROM organizations o
CROSS JOIN (VALUES (1, 1, 'New Year'), (3, 8, 'International Women''s Day'), (3, 21, 'Navruz'),
                   (5, 9, 'Day of Remembrance and Honour'), (9, 1, 'Independence Day'), (10, 1, 'Teachers'' Day'),
                   (12, 8, 'Constitution Day'), (12, 31, 'New Year''s Eve')) AS h (month, day, name);

-- A programme's servicing settings. A late fee is a fixed amount or a percentage of what is
-- unpaid of the installment, charged once or every month while it stays unpaid; an installment
-- short by at most the tolerance counts as paid for days past due and PAR; regular installments
-- are rounded up to the multiple.
ALTER TABLE programmes
    ADD COLUMN late_fee_percent      numeric(9, 6) NOT NULL DEFAULT 0 CHECK (late_fee_percent BETWEEN 0 AND 100),
    ADD COLUMN late_fee_repeat       text NOT NULL DEFAULT 'once' CHECK (late_fee_repeat IN ('once', 'monthly')),
    ADD COLUMN arrears_tolerance     numeric(18, 2) NOT NULL DEFAULT 0 CHECK (arrears_tolerance >= 0),
    ADD COLUMN installment_multiple  numeric(18, 2) CHECK (installment_multiple > 0),
    ADD CONSTRAINT programmes_one_late_fee CHECK (late_fee = 0 OR late_fee_percent = 0);

-- A loan keeps the servicing terms it was opened under: a programme changed later changes the
-- loans opened after, never the fees or arrears of a loan already lent (whose repayments were
-- allocated under its own terms).
ALTER TABLE loans
    ADD COLUMN late_fee              numeric(18, 2) NOT NULL DEFAULT 0 CHECK (late_fee >= 0),
    ADD COLUMN late_fee_percent      numeric(9, 6) NOT NULL DEFAULT 0 CHECK (late_fee_percent BETWEEN 0 AND 100),
    ADD COLUMN late_fee_after_days   integer NOT NULL DEFAULT 0 CHECK (late_fee_after_days BETWEEN 0 AND 365),
    ADD COLUMN late_fee_repeat       text NOT NULL DEFAULT 'once' CHECK (late_fee_repeat IN ('once', 'monthly')),
    ADD COLUMN arrears_tolerance     numeric(18, 2) NOT NULL DEFAULT 0 CHECK (arrears_tolerance >= 0),
    ADD COLUMN installment_multiple  numeric(18, 2) CHECK (installment_multiple > 0),
    ADD CONSTRAINT loans_one_late_fee CHECK (late_fee = 0 OR late_fee_percent = 0);
UPDATE loans l SET late_fee = p.late_fee, late_fee_after_days = p.late_fee_after_days
FROM programmes p WHERE p.id = l.programme_id AND (p.late_fee <> 0 OR p.late_fee_after_days <> 0);

-- The history keeps the loan's tolerance beside its arrays: days past due read it.
ALTER TABLE loan_histories ADD COLUMN tolerance numeric NOT NULL DEFAULT 0;

-- Days past due and the late-from index now take the tolerance (sql/definitions/55_loans.sql).
DROP INDEX IF EXISTS loan_histories_late_from;
DROP FUNCTION IF EXISTS loan_late_from(date[], numeric[], numeric[]);
DROP FUNCTION IF EXISTS loan_days_past_due(date[], numeric[], date[], numeric[], date);
DROP FUNCTION IF EXISTS late_fee_charges(date[], numeric[], date[], numeric[], numeric, integer);

-- Recoveries (issue 16): money received after a write-off is income of its own, and may recover
-- the interest and fees the loan owed on the day it was written off as well as its principal.
ALTER TABLE accounts DROP CONSTRAINT accounts_code_check;
ALTER TABLE accounts ADD CONSTRAINT accounts_code_check CHECK (code IN ('cash', 'loans_receivable', 'interest_income', 'fee_income',
    'grant_expense', 'loan_loss_expense', 'donor_funds', 'recovery_income'));
INSERT INTO accounts (organization_id, code, currency)
SELECT DISTINCT organization_id, 'recovery_income', currency FROM accounts
ON CONFLICT DO NOTHING;
-- What was owed besides the principal when the loan was written off: the interest and fees of
-- the installments due by then and not paid (zero for loans written off before this).
ALTER TABLE loans
    ADD COLUMN written_off_interest numeric(18, 2) CHECK (written_off_interest >= 0),
    ADD COLUMN written_off_fees     numeric(18, 2) CHECK (written_off_fees >= 0);

-- Four eyes (issue 16): a programme may make write-offs, and disbursements above an amount,
-- need a second person. One coordinator or admin requests, a different one approves or refuses;
-- money moves only on approval.
ALTER TABLE programmes
    ADD COLUMN write_off_approval           boolean NOT NULL DEFAULT false,
    ADD COLUMN disbursement_approval_above  numeric(18, 2) CHECK (disbursement_approval_above >= 0);

CREATE TABLE approvals (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id    uuid NOT NULL,
    loan_id            uuid NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('write_off', 'disbursement')),
    -- What was asked: the date of the write-off or disbursement, and a write-off's reason.
    on_date            date NOT NULL,
    reason             text CHECK (length(btrim(reason)) > 0),
    requested_by       text NOT NULL,
    requested_at       timestamptz NOT NULL DEFAULT now(),
    status             text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by         text,
    decided_at         timestamptz,
    note               text,
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id),
    CONSTRAINT approvals_decided CHECK ((status = 'pending') = (decided_by IS NULL) AND (decided_by IS NULL) = (decided_at IS NULL)),
    CONSTRAINT approvals_four_eyes CHECK (decided_by IS DISTINCT FROM requested_by),
    CONSTRAINT approvals_write_off_reason CHECK (kind <> 'write_off' OR reason IS NOT NULL)
);
CREATE UNIQUE INDEX approvals_one_pending ON approvals (loan_id, kind) WHERE status = 'pending';
CREATE INDEX approvals_waiting ON approvals (organization_id, requested_at, id) WHERE status = 'pending';
REVOKE DELETE, TRUNCATE ON approvals FROM ravnaq_app;
ALTER TABLE approvals ENABLE ROW LEVEL SECURITY;
