-- Loans (SPEC §4). The schedule is computed in Swift (RavnaqMoney) and stored when the loan is
-- disbursed, so that reports can be computed by PostgreSQL. Repayments carry their current
-- allocation; the ledger carries the money.

-- Readable numbers (L-000123, G-000045): at least six digits, more when needed (lpad alone
-- would cut a longer number short).
CREATE FUNCTION readable_number(prefix text, n bigint) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN prefix || '-' || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END;

CREATE SEQUENCE loan_number_seq;

CREATE TABLE loans (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id          uuid NOT NULL,
    number                   text NOT NULL DEFAULT readable_number('L', nextval('loan_number_seq')),
    programme_id             uuid NOT NULL,
    project_id               uuid NOT NULL,
    currency                 text NOT NULL,
    principal                numeric(18, 2) NOT NULL CONSTRAINT loans_principal_positive CHECK (principal > 0),
    annual_rate              numeric(12, 6) NOT NULL CONSTRAINT loans_rate_range CHECK (annual_rate BETWEEN 0 AND 1000),
    method                   text NOT NULL CHECK (method IN ('annuity', 'equal_principal', 'flat')),
    installments             integer NOT NULL CHECK (installments BETWEEN 1 AND 600),
    frequency                text NOT NULL CHECK (frequency IN ('monthly', 'biweekly', 'weekly')),
    grace_periods            integer NOT NULL DEFAULT 0 CHECK (grace_periods >= 0 AND grace_periods < installments),
    planned_disbursement_on  date NOT NULL,
    first_due_on             date,
    status                   text NOT NULL DEFAULT 'approved' CHECK (status IN ('approved', 'active', 'repaid', 'written_off')),
    disbursed_on             date,
    disbursement_transaction uuid REFERENCES ledger_transactions,
    repaid_on                date,
    written_off_on           date,
    written_off_principal    numeric(18, 2),
    write_off_reason         text,
    write_off_transaction    uuid REFERENCES ledger_transactions,
    created_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    -- A loan's currency is its programme's.
    FOREIGN KEY (organization_id, programme_id, currency) REFERENCES programmes (organization_id, id, currency),
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
    CONSTRAINT loans_disbursed_when_not_approved CHECK ((status = 'approved') = (disbursed_on IS NULL)),
    CONSTRAINT loans_written_off_fields CHECK ((status = 'written_off') = (written_off_on IS NOT NULL)),
    CONSTRAINT loans_first_due_after_disbursement CHECK (first_due_on IS NULL OR first_due_on > planned_disbursement_on)
);
CREATE UNIQUE INDEX loans_number_key ON loans (organization_id, number);
CREATE INDEX loans_project ON loans (project_id);
CREATE INDEX loans_status ON loans (organization_id, status);

CREATE TABLE loan_installments (
    organization_id  uuid NOT NULL,
    loan_id          uuid NOT NULL,
    n                integer NOT NULL CHECK (n >= 1),
    due_on           date NOT NULL,
    principal        numeric(18, 2) NOT NULL CHECK (principal >= 0),
    interest         numeric(18, 2) NOT NULL CHECK (interest >= 0),
    PRIMARY KEY (loan_id, n),
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id)
);

-- The schedule's principal column adds up to the loan's principal, exactly.
CREATE FUNCTION loan_schedule_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT l.number, l.principal, sum(i.principal) AS total INTO bad
    FROM loans l JOIN loan_installments i ON i.loan_id = l.id
    WHERE l.id IN (SELECT loan_id FROM added)
    GROUP BY l.id HAVING sum(i.principal) <> l.principal LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the schedule of loan % repays % of a principal of %', bad.number, bad.total, bad.principal
            USING ERRCODE = 'P0001', CONSTRAINT = 'loan-schedule-sum';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER schedule_sums AFTER INSERT ON loan_installments REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION loan_schedule_sums();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON loan_installments FOR EACH ROW EXECUTE FUNCTION refuse_change();

CREATE TABLE repayments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    loan_id          uuid NOT NULL,
    paid_on          date NOT NULL,
    amount           numeric(18, 2) NOT NULL CONSTRAINT repayments_amount_positive CHECK (amount > 0),
    -- repayment: allocated to the schedule; recovery: money received after a write-off.
    kind             text NOT NULL DEFAULT 'repayment' CHECK (kind IN ('repayment', 'recovery')),
    -- The current allocation (recomputed when an earlier repayment is reversed).
    principal        numeric(18, 2) NOT NULL DEFAULT 0 CHECK (principal >= 0),
    interest         numeric(18, 2) NOT NULL DEFAULT 0 CHECK (interest >= 0),
    fees             numeric(18, 2) NOT NULL DEFAULT 0 CHECK (fees >= 0),
    transaction_id   uuid NOT NULL REFERENCES ledger_transactions,
    reversed_on      date,
    reversal_transaction uuid REFERENCES ledger_transactions,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id),
    CONSTRAINT repayments_allocation_adds_up CHECK (kind = 'recovery' OR principal + interest + fees = amount)
);
CREATE INDEX repayments_loan ON repayments (loan_id, paid_on);
CREATE INDEX repayments_org_date ON repayments (organization_id, paid_on);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON loans FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON repayments FOR EACH ROW EXECUTE FUNCTION audit_change();

-- A loan's figures as of a date, computed by PostgreSQL for lists, case files and reports:
-- outstanding principal, days past due and the amount overdue (principal and interest of
-- installments due before the date, less what was paid). Repayments are allocated oldest
-- installment first and fees before interest before principal, so installment k is fully
-- paid exactly when the principal and interest paid cover the schedule through k. (Late
-- fees are left out of `overdue` here; the loan's own view shows them.)
CREATE FUNCTION loan_figures(loan_id uuid, as_of date,
                             OUT outstanding_principal numeric, OUT days_past_due integer, OUT overdue numeric)
LANGUAGE sql STABLE AS $$
    WITH loan AS (
        SELECT * FROM loans WHERE id = loan_id
    ), paid AS (
        SELECT coalesce(sum(r.principal), 0) AS principal, coalesce(sum(r.principal + r.interest), 0) AS pi
        FROM repayments r
        WHERE r.loan_id = loan_figures.loan_id AND r.kind = 'repayment' AND r.reversed_on IS NULL AND r.paid_on <= as_of
    ), schedule AS (
        SELECT i.due_on, sum(i.principal + i.interest) OVER (ORDER BY i.n) AS cumulative
        FROM loan_installments i WHERE i.loan_id = loan_figures.loan_id
    ), live AS (
        SELECT loan.disbursed_on <= as_of AND (loan.written_off_on IS NULL OR loan.written_off_on > as_of) AS yes FROM loan
    )
    SELECT
        CASE WHEN live.yes THEN loan.principal - paid.principal ELSE 0 END,
        CASE WHEN live.yes THEN coalesce(as_of - (SELECT min(s.due_on) FROM schedule s WHERE s.due_on < as_of AND s.cumulative > paid.pi), 0)
             ELSE 0 END,
        CASE WHEN live.yes THEN greatest(coalesce((SELECT max(s.cumulative) FROM schedule s WHERE s.due_on < as_of), 0) - paid.pi, 0)
             ELSE 0 END
    FROM loan, paid, live
$$;
