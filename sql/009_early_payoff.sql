-- Early payoff with interest to date (issue 16). A programme's `early_payoff` says how a loan
-- settled before its end is charged interest: `full_interest` (every remaining installment's) or
-- `interest_to_date` (only what accrued by the payoff day, for declining-balance loans). A loan
-- keeps its programme's rule from the day it was opened, as it keeps the other servicing terms.
ALTER TABLE programmes ADD COLUMN early_payoff text NOT NULL DEFAULT 'full_interest'
    CHECK (early_payoff IN ('full_interest', 'interest_to_date'));
ALTER TABLE loans ADD COLUMN early_payoff text NOT NULL DEFAULT 'full_interest'
    CHECK (early_payoff IN ('full_interest', 'interest_to_date'));

-- The interest a repayment waived before it was allocated: an early payoff under
-- `interest_to_date`, which paid exactly what settled the loan on its day. Zero for every other
-- repayment, and for recoveries. Not money: it moves nothing in the ledger (interest is income
-- when it is paid), but the history counts it as covered, as it counts what a restructuring
-- settled (sql/definitions/55_loans.sql).
ALTER TABLE repayments ADD COLUMN interest_waived numeric(18, 2) NOT NULL DEFAULT 0
    CONSTRAINT repayments_interest_waived CHECK (interest_waived >= 0 AND (interest_waived = 0 OR kind = 'repayment'));

-- loan_schedule() now shows each installment's waived interest (sql/definitions/55_loans.sql
-- makes it again): a function's columns change only by dropping it.
DROP FUNCTION IF EXISTS loan_schedule(uuid, date, integer);
