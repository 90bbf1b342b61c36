-- Two mends found in review.
--
-- A loan's schedule is stored in one statement: the rows a statement adds for a loan must be all
-- of its installments (none there before) and repay its principal exactly. Checking only the
-- added rows (sql/015) let a second, complete schedule for the same loan through.
CREATE OR REPLACE FUNCTION loan_schedule_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT l.number, l.principal, a.total, a.n INTO bad
    FROM (SELECT loan_id, sum(principal) AS total, count(*) AS n FROM added GROUP BY loan_id) a
    CROSS JOIN LATERAL (SELECT number, principal FROM loans WHERE id = a.loan_id) l
    WHERE a.total <> l.principal
       OR (SELECT count(*) FROM loan_installments i WHERE i.loan_id = a.loan_id) <> a.n
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'the schedule of loan % must be stored once and repay its principal of % (this one repays %)',
            bad.number, bad.principal, bad.total
            USING ERRCODE = 'P0001', CONSTRAINT = 'loan-schedule-sum';
    END IF;
    RETURN NULL;
END $$;

-- Functions that run with their owner's rights look names up in public, and in the session's
-- temporary schema only last, so a temporary table can never stand in for api_tokens, users or
-- mentor_assignments inside them.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
    END LOOP;
END $$;
