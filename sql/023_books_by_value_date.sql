-- The books by value date (issue 20). A reversal used to be posted on the day it was recorded,
-- and the new allocation of the later repayments as one sum on that day too, while the
-- portfolio counts a reversed repayment on no day and every other one with its current
-- allocation on its own date; so between those dates loans_receivable and the portfolio's
-- outstanding principal disagreed. The services now post both on the repayments' own dates
-- (Loans.reverse). This moves what was posted before to those dates, without changing a row of
-- the ledger: for each organization, currency, day and account, what the repayments and
-- recoveries of the loans with a reversal come to on that day (each not reversed, with its
-- current allocation, on its own date) less what their transactions, their reversals and every
-- reallocation posted on that day, booked as one balanced reallocation per organization,
-- currency and day. Reallocations are posted only by reversals, so each belongs to one of
-- these loans. A database without reversals gets nothing; run again, this finds nothing to move.

SELECT set_config('ravnaq.actor', 'sql/023_books_by_value_date', true);

CREATE TEMPORARY TABLE value_date_moves ON COMMIT DROP AS
WITH reversed_loans AS (
    SELECT DISTINCT loan_id FROM repayments WHERE reversed_on IS NOT NULL
), counted AS (
    SELECT r.organization_id, l.currency, r.paid_on AS day, e.code, e.amount
    FROM repayments r
    JOIN reversed_loans USING (loan_id)
    JOIN loans l ON l.id = r.loan_id
    CROSS JOIN LATERAL (VALUES ('cash', r.amount), ('loans_receivable', -r.principal), ('interest_income', -r.interest),
                               ('fee_income', -r.fees),
                               ('loan_loss_expense', CASE WHEN r.kind = 'recovery' THEN -r.amount ELSE 0 END)) e (code, amount)
    WHERE r.reversed_on IS NULL
), posted AS (
    SELECT t.organization_id, t.currency, t.occurred_on AS day, a.code, p.amount
    FROM ledger_transactions t
    JOIN postings p ON p.transaction_id = t.id
    JOIN accounts a ON a.id = p.account_id
    WHERE t.kind = 'reallocation'
       OR t.id IN (SELECT r.transaction_id FROM repayments r JOIN reversed_loans USING (loan_id)
                   UNION ALL
                   SELECT r.reversal_transaction FROM repayments r JOIN reversed_loans USING (loan_id))
)
SELECT organization_id, currency, day, code, sum(amount) AS amount
FROM (SELECT * FROM counted UNION ALL SELECT organization_id, currency, day, code, -amount FROM posted) m
GROUP BY organization_id, currency, day, code
HAVING sum(amount) <> 0;

CREATE TEMPORARY TABLE value_date_transactions ON COMMIT DROP AS
SELECT gen_random_uuid() AS id, organization_id, currency, day
FROM value_date_moves GROUP BY organization_id, currency, day;

INSERT INTO ledger_transactions (id, organization_id, occurred_on, currency, kind, memo)
SELECT id, organization_id, day, currency, 'reallocation',
       'reversals and reallocations of repayments posted before sql/023 moved to the repayments'' own dates'
FROM value_date_transactions;

-- All postings in one statement: the balance trigger (sql/003) checks every transaction.
INSERT INTO postings (organization_id, transaction_id, account_id, currency, amount)
SELECT m.organization_id, t.id, a.id, m.currency, m.amount
FROM value_date_moves m
JOIN value_date_transactions t USING (organization_id, currency, day)
JOIN accounts a ON a.organization_id = m.organization_id AND a.currency = m.currency AND a.code = m.code;
