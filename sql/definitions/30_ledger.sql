-- The double-entry ledger (SPEC §3): the rules PostgreSQL itself holds it to. A ledger
-- transaction is two or more postings whose debits equal their credits, and nobody may change
-- or delete a ledger row: a mistake is corrected by a reversing transaction. The tables are the
-- baseline's.

-- The chart of accounts of an organization in a currency.
CREATE OR REPLACE FUNCTION ensure_accounts(org uuid, cur text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO accounts (organization_id, code, currency)
    SELECT org, code, cur
    FROM unnest(ARRAY['cash', 'loans_receivable', 'interest_income', 'fee_income', 'grant_expense',
                      'loan_loss_expense', 'donor_funds', 'recovery_income']) AS code
    ON CONFLICT DO NOTHING
$$;

-- A programme's currency always has its chart of accounts, made when the programme is: every
-- loan, grant and donor receipt belongs to a programme in its currency, so the ledger never
-- asks for the accounts (ensure_accounts, an INSERT … ON CONFLICT of eight rows) before a
-- posting — one statement fewer on each repayment.
CREATE OR REPLACE FUNCTION programme_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ensure_accounts(NEW.organization_id, NEW.currency);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER accounts AFTER INSERT OR UPDATE OF currency ON programmes
    FOR EACH ROW EXECUTE FUNCTION programme_accounts();

-- Balanced, checked once per INSERT statement from the rows it added (bulk loads included):
-- every transaction touched must have at least two postings summing to zero. Not by joining
-- them back to the whole table, which scanned all of `postings` for every COPY of a bulk load
-- (quadratic); this costs the same for one repayment or a million. It is exactly as strict:
-- ledger rows are append-only, so if every earlier statement added balanced postings to a
-- transaction, its whole is balanced exactly when this statement's part is; and a part of one
-- posting cannot balance, because no amount is zero.
CREATE OR REPLACE FUNCTION postings_balance() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT transaction_id, sum(amount) AS total, count(*) AS n INTO bad
    FROM added
    GROUP BY transaction_id
    HAVING sum(amount) <> 0 OR count(*) < 2
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced: debits minus credits = %, over % postings',
            bad.transaction_id, bad.total, bad.n
            USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER balanced AFTER INSERT ON postings REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION postings_balance();

-- A transaction with no postings at all is caught at commit. (A constraint trigger cannot be
-- replaced in place: dropped and made again.)
CREATE OR REPLACE FUNCTION ledger_transaction_has_postings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM postings WHERE transaction_id = NEW.id) THEN
        RAISE EXCEPTION 'ledger transaction % has no postings', NEW.id
            USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS has_postings ON ledger_transactions;
CREATE CONSTRAINT TRIGGER has_postings AFTER INSERT ON ledger_transactions
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_transaction_has_postings();

-- Append-only (refuse_change and refuse_truncate are the audit log's, 20_audit.sql).
CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER append_only_truncate BEFORE TRUNCATE ON ledger_transactions
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();
CREATE OR REPLACE TRIGGER append_only_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

-- The sums by value date (sql/004_ledger_day_totals.sql). A new transaction leaves a note of its
-- day; its postings come in the same transaction, so when the note is seen, they are too.
CREATE OR REPLACE FUNCTION ledger_note_unsummed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO ledger_unsummed (transaction_id, organization_id, occurred_on) VALUES (NEW.id, NEW.organization_id, NEW.occurred_on);
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER note_unsummed AFTER INSERT ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION ledger_note_unsummed();

-- Adds the postings of the transactions an organization's notes name to the sums of their days,
-- and takes the notes away. One at a time per organization (the lock), each statement reading
-- what was committed when it runs: a note and its transaction's postings are committed together,
-- so a note taken brings all of them, exactly once; a note made meanwhile stays for the next time.
-- The work is that of the new transactions only (their postings found by transaction).
CREATE OR REPLACE FUNCTION ledger_sum_noted_days(org uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM ledger_unsummed WHERE organization_id = org) THEN
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger_day_totals:' || org::text, 0));
    WITH taken AS (DELETE FROM ledger_unsummed WHERE organization_id = org RETURNING transaction_id, occurred_on),
    added AS (
        SELECT p.account_id, n.occurred_on,
               coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0) AS debit,
               coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0), 0) AS credit
        FROM taken n JOIN postings p ON p.transaction_id = n.transaction_id
        GROUP BY p.account_id, n.occurred_on)
    INSERT INTO ledger_day_totals AS d (organization_id, account_id, occurred_on, debit, credit)
    SELECT org, account_id, occurred_on, debit, credit FROM added
    ON CONFLICT (organization_id, account_id, occurred_on)
    DO UPDATE SET debit = d.debit + excluded.debit, credit = d.credit + excluded.credit;
END $$;

-- Every day of an organization summed anew (a bulk load, which runs with triggers off).
CREATE OR REPLACE FUNCTION ledger_sum_all_days(org uuid) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('ledger_day_totals:' || org::text, 0));
    DELETE FROM ledger_unsummed WHERE organization_id = org;
    DELETE FROM ledger_day_totals WHERE organization_id = org;
    INSERT INTO ledger_day_totals (organization_id, account_id, occurred_on, debit, credit)
    SELECT org, p.account_id, t.occurred_on,
           coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0), coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0), 0)
    FROM ledger_transactions t JOIN postings p ON p.transaction_id = t.id
    WHERE t.organization_id = org
    GROUP BY p.account_id, t.occurred_on;
END $$;
