-- The double-entry ledger (SPEC §3). A ledger transaction is two or more postings whose debits
-- equal their credits; PostgreSQL itself refuses anything else, and nobody may change or
-- delete a ledger row: a mistake is corrected by a reversing transaction.

CREATE TABLE accounts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code IN ('cash', 'loans_receivable', 'interest_income', 'fee_income',
                                                   'grant_expense', 'loan_loss_expense', 'donor_funds')),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    UNIQUE (organization_id, code, currency),
    UNIQUE (organization_id, id, currency)
);

-- The chart of accounts of an organization in a currency, made on first use.
CREATE FUNCTION ensure_accounts(org uuid, cur text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO accounts (organization_id, code, currency)
    SELECT org, code, cur
    FROM unnest(ARRAY['cash', 'loans_receivable', 'interest_income', 'fee_income', 'grant_expense',
                      'loan_loss_expense', 'donor_funds']) AS code
    ON CONFLICT DO NOTHING
$$;

CREATE TABLE ledger_transactions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    occurred_on      date NOT NULL,
    currency         text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('donor_funds', 'loan_disbursement', 'repayment', 'recovery',
                                                   'reallocation', 'write_off', 'grant_disbursement', 'reversal')),
    memo             text NOT NULL DEFAULT '',
    -- The transaction this one reverses; each can be reversed once.
    reverses         uuid UNIQUE REFERENCES ledger_transactions,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    recorded_by      text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user),
    UNIQUE (organization_id, id, currency)
);
CREATE INDEX ledger_transactions_date ON ledger_transactions (organization_id, occurred_on);

-- A posting's amount is signed: positive is a debit, negative a credit.
CREATE TABLE postings (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    transaction_id   uuid NOT NULL,
    account_id       uuid NOT NULL,
    currency         text NOT NULL,
    amount           numeric(18, 2) NOT NULL CONSTRAINT postings_amount_not_zero CHECK (amount <> 0),
    -- Same organization and currency as the transaction and the account.
    FOREIGN KEY (organization_id, transaction_id, currency) REFERENCES ledger_transactions (organization_id, id, currency),
    FOREIGN KEY (organization_id, account_id, currency) REFERENCES accounts (organization_id, id, currency)
);
CREATE INDEX postings_transaction ON postings (transaction_id);
CREATE INDEX postings_account ON postings (account_id);

-- Balanced, checked once per INSERT statement over the rows it added (bulk loads included):
-- every transaction touched must have at least two postings summing to zero.
CREATE FUNCTION postings_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT p.transaction_id, sum(p.amount) AS total, count(*) AS n INTO bad
    FROM postings p
    WHERE p.transaction_id IN (SELECT DISTINCT transaction_id FROM added)
    GROUP BY p.transaction_id
    HAVING sum(p.amount) <> 0 OR count(*) < 2
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: debits minus credits = %, over % postings',
            bad.transaction_id, bad.total, bad.n
            USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER balanced AFTER INSERT ON postings REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION postings_balance();

-- A transaction with no postings at all is caught at commit.
CREATE FUNCTION ledger_transaction_has_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % has no postings', NEW.id
            USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER has_postings AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_has_postings();

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON postings FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON ledger_transactions FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON postings FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

-- The ledger is its own record of who did what; its header goes to the audit log too.
CREATE TRIGGER audit AFTER INSERT ON ledger_transactions FOR EACH ROW EXECUTE FUNCTION audit_change();

-- Donor money received for a programme (debit cash, credit donor_funds).
CREATE TABLE programme_funds (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    programme_id     uuid NOT NULL,
    received_on      date NOT NULL,
    amount           numeric(18, 2) NOT NULL CHECK (amount > 0),
    transaction_id   uuid NOT NULL REFERENCES ledger_transactions,
    FOREIGN KEY (organization_id, programme_id) REFERENCES programmes (organization_id, id)
);
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programme_funds FOR EACH ROW EXECUTE FUNCTION audit_change();
