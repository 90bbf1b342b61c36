-- The trial balance at 100 000 families (issue 14: the books page under 200 ms). Summing two
-- million postings for every read took seconds; instead each account's debits and credits are
-- kept summed by value date, and a trial balance as of a day adds up those sums (a few thousand
-- rows). The postings stay the record: the sums are derived from them, by PostgreSQL alone.
--
-- Writers do not touch the sums (a row per account and day updated by every repayment would
-- make concurrent repayments wait on each other, and could deadlock two that post to the same
-- accounts in another order): each new ledger transaction leaves a note in ledger_unsummed, and
-- the next trial balance of the organization sums the days noted, first (ledger_sum_noted_days(),
-- sql/definitions/30_ledger.sql).
CREATE TABLE ledger_day_totals (
    organization_id  uuid NOT NULL,
    account_id       uuid NOT NULL REFERENCES accounts,
    occurred_on      date NOT NULL,
    debit            numeric NOT NULL CHECK (debit >= 0),
    credit           numeric NOT NULL CHECK (credit >= 0),
    PRIMARY KEY (organization_id, account_id, occurred_on)
);

CREATE TABLE ledger_unsummed (
    transaction_id   uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    occurred_on      date NOT NULL
);
CREATE INDEX ledger_unsummed_organization ON ledger_unsummed (organization_id);

-- The books kept so far, summed once.
INSERT INTO ledger_day_totals (organization_id, account_id, occurred_on, debit, credit)
SELECT t.organization_id, p.account_id, t.occurred_on,
       coalesce(sum(p.amount) FILTER (WHERE p.amount > 0), 0), coalesce(-sum(p.amount) FILTER (WHERE p.amount < 0), 0)
FROM postings p JOIN ledger_transactions t ON t.id = p.transaction_id
GROUP BY t.organization_id, p.account_id, t.occurred_on;

-- Only PostgreSQL's own functions write them; requests read the sums of their organization.
REVOKE ALL ON ledger_day_totals, ledger_unsummed FROM ravnaq_app, ravnaq_officer;
GRANT SELECT ON ledger_day_totals TO ravnaq_app, ravnaq_officer;
ALTER TABLE ledger_day_totals ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_unsummed ENABLE ROW LEVEL SECURITY;
