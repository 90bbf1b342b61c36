-- Each loan's history as a few sorted arrays in one row, kept by triggers as repayments and
-- schedules are written, so that the reports (SPEC §8) answer "as of any date" from one row per
-- loan instead of replaying every repayment and installment of the organization per request.
--
-- A figure as of a day is a binary search: `width_bucket(day, dates)` is how many elements of
-- the sorted `dates` are on or before the day (0 for none), which indexes the cumulative arrays
-- beside it. Repayments go to the oldest installment first (sql/004), so what was paid by a day
-- covers exactly the installments whose cumulative schedule it reaches: `width_bucket(paid,
-- scheduled)` counts them, and the next one is the oldest not fully paid.
--
-- As everywhere in the reports and in loan_figures(), a reversed repayment counts on no day, and
-- the rest count with their current allocation.
CREATE TABLE loan_histories (
    loan_id          uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    -- The repayments and recoveries not reversed, by date (a day may repeat); through each:
    paid_on          date[] NOT NULL,
    paid             numeric[] NOT NULL,  -- principal + interest of repayments
    principal_paid   numeric[] NOT NULL,  -- principal of repayments
    collected        numeric[] NOT NULL,  -- amounts of repayments and recoveries
    -- The installments in schedule order (due date, then number); through each:
    due_on           date[] NOT NULL,
    scheduled        numeric[] NOT NULL,  -- principal + interest due
    -- The due dates of the installments paid in full by the end of their due day.
    on_time_due_on   date[] NOT NULL,
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT loan_histories_paid_aligned CHECK (
        cardinality(paid) = cardinality(paid_on) AND cardinality(principal_paid) = cardinality(paid_on)
        AND cardinality(collected) = cardinality(paid_on)),
    CONSTRAINT loan_histories_schedule_aligned CHECK (cardinality(scheduled) = cardinality(due_on))
)
-- A loan's row is written again at every repayment: room left on its page lets the new version
-- stay there (a HOT update, no index touched). At 100 000 families this took the benchmark's
-- repayment from 639 to 773 transactions a second in pgbench (925 without the history).
WITH (fillfactor = 60);
CREATE INDEX loan_histories_family ON loan_histories (family_id);

-- The cumulative amount on a day (0 before the first date). Inlined by PostgreSQL.
CREATE FUNCTION amount_through(dates date[], amounts numeric[], on_date date) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(amounts[width_bucket(on_date, dates)], 0);

-- Days past due on a day: since the oldest installment that what was paid by then does not
-- cover in full fell due (0 while none has). The one definition that loan_figures(), the
-- portfolio and graduation read. Inlined by PostgreSQL.
CREATE FUNCTION loan_days_past_due(due_on date[], scheduled numeric[], paid_on date[], paid numeric[], as_of date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(greatest(as_of - due_on[width_bucket(amount_through(paid_on, paid, as_of), scheduled) + 1], 0), 0);

-- How many of the sorted dates fall from `from_on` (NULL: the beginning) through `through`.
CREATE FUNCTION dates_between(dates date[], from_on date, through date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(width_bucket(through, dates) - coalesce(width_bucket(from_on - 1, dates), 0), 0);

-- The history rows of the given loans, computed from their repayments and installments.
CREATE FUNCTION loan_history_rows(loan_ids uuid[]) RETURNS SETOF loan_histories
LANGUAGE sql STABLE AS $$
    WITH chosen AS (
        SELECT l.id, l.organization_id, pj.family_id
        FROM loans l JOIN projects pj ON pj.id = l.project_id
        WHERE l.id = ANY (loan_ids)
    ), payments AS (
        -- One element per repayment in date order: the last element of a day holds the day's
        -- totals, and that is the one width_bucket() finds.
        SELECT r.loan_id, array_agg(r.paid_on ORDER BY r.paid_on, r.id) AS paid_on,
               array_agg(r.paid ORDER BY r.paid_on, r.id) AS paid,
               array_agg(r.principal_paid ORDER BY r.paid_on, r.id) AS principal_paid,
               array_agg(r.collected ORDER BY r.paid_on, r.id) AS collected
        FROM (SELECT r.loan_id, r.paid_on, r.id,
                     sum(CASE WHEN r.kind = 'repayment' THEN r.principal + r.interest ELSE 0 END) OVER w AS paid,
                     sum(CASE WHEN r.kind = 'repayment' THEN r.principal ELSE 0 END) OVER w AS principal_paid,
                     sum(r.amount) OVER w AS collected
              FROM repayments r JOIN chosen c ON c.id = r.loan_id
              WHERE r.reversed_on IS NULL
              WINDOW w AS (PARTITION BY r.loan_id ORDER BY r.paid_on, r.id ROWS UNBOUNDED PRECEDING)) r
        GROUP BY r.loan_id
    ), installments AS (
        SELECT i.loan_id, i.due_on, i.n,
               sum(i.principal + i.interest) OVER (PARTITION BY i.loan_id ORDER BY i.due_on, i.n) AS scheduled
        FROM loan_installments i JOIN chosen c ON c.id = i.loan_id
    ), schedules AS (
        SELECT i.loan_id, array_agg(i.due_on ORDER BY i.due_on, i.n) AS due_on,
               array_agg(i.scheduled ORDER BY i.due_on, i.n) AS scheduled,
               coalesce(array_agg(i.due_on ORDER BY i.due_on, i.n)
                            FILTER (WHERE amount_through(p.paid_on, p.paid, i.due_on) >= i.scheduled), '{}') AS on_time_due_on
        FROM installments i LEFT JOIN payments p ON p.loan_id = i.loan_id
        GROUP BY i.loan_id
    )
    SELECT c.id, c.organization_id, c.family_id,
           coalesce(p.paid_on, '{}'), coalesce(p.paid, '{}'), coalesce(p.principal_paid, '{}'), coalesce(p.collected, '{}'),
           coalesce(s.due_on, '{}'), coalesce(s.scheduled, '{}'), coalesce(s.on_time_due_on, '{}')
    FROM chosen c
    LEFT JOIN payments p ON p.loan_id = c.id
    LEFT JOIN schedules s ON s.loan_id = c.id
$$;

-- Writes the given loans' rows afresh. Owner's rights: requests only read the histories.
-- The rows are locked first, in id order, as the family histories' are (sql/020): a concurrent
-- transaction that wrote one of these loans has then committed, and the computation (its own
-- statement, so a new snapshot) sees its rows rather than overwriting its figures with older
-- ones. A load's new loans have no row yet, so it locks nothing. PL/pgSQL, so that each
-- connection plans the statements once.
CREATE FUNCTION refresh_loan_histories(loan_ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM loan_histories WHERE loan_id = ANY (loan_ids) ORDER BY loan_id FOR UPDATE;
    INSERT INTO loan_histories SELECT * FROM loan_history_rows(loan_ids)
    ON CONFLICT (loan_id) DO UPDATE SET
        family_id = excluded.family_id, paid_on = excluded.paid_on, paid = excluded.paid, principal_paid = excluded.principal_paid,
        collected = excluded.collected, due_on = excluded.due_on, scheduled = excluded.scheduled,
        on_time_due_on = excluded.on_time_due_on;
END $$;

-- Every loan of an organization, for bulk loads that ran with triggers off: planned for the real
-- number of ids (the triggers' plan is made for a few).
CREATE FUNCTION refresh_loan_histories(org uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    SELECT refresh_loan_histories(ARRAY(SELECT id FROM loans WHERE organization_id = org))
$$;

-- Statement-level triggers: one refresh for the loans a statement touched. The refresh runs a
-- plan made once for a few ids (index scans): left to choose, PostgreSQL kept planning it afresh
-- for each repayment, which cost twice what running it does (0.9 ms against 0.35 ms).
CREATE FUNCTION keep_loan_histories() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF TG_TABLE_NAME = 'loans' THEN
        PERFORM refresh_loan_histories(ARRAY(SELECT DISTINCT id FROM touched));
    ELSE
        PERFORM refresh_loan_histories(ARRAY(SELECT DISTINCT loan_id FROM touched));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER keep_histories AFTER INSERT ON loans REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE TRIGGER keep_histories AFTER INSERT ON loan_installments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE TRIGGER keep_histories_insert AFTER INSERT ON repayments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE TRIGGER keep_histories_update AFTER UPDATE ON repayments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE TRIGGER keep_histories_delete AFTER DELETE ON repayments REFERENCING OLD TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();

-- A loan moved to another project, or a project to another family, changes the family its
-- history is filed under (which graduation reads). The services do neither today; a row trigger
-- with WHEN costs the other updates of loans and projects nothing.
CREATE FUNCTION keep_loan_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF TG_TABLE_NAME = 'loans' THEN
        PERFORM refresh_loan_histories(ARRAY[NEW.id]);
    ELSE
        PERFORM refresh_loan_histories(ARRAY(SELECT id FROM loans WHERE project_id = NEW.id));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER keep_loan_histories_update AFTER UPDATE OF project_id ON loans FOR EACH ROW
    WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id) EXECUTE FUNCTION keep_loan_history();
CREATE TRIGGER keep_loan_histories_update AFTER UPDATE OF family_id ON projects FOR EACH ROW
    WHEN (OLD.family_id IS DISTINCT FROM NEW.family_id) EXECUTE FUNCTION keep_loan_history();

-- loan_figures() (sql/004) answered from the kept history: one row read instead of a replay of
-- the loan's repayments and schedule, for the case file, the loan lists and the overdue list.
-- Overdue is what fell due before as_of and was not paid by then. Now a set-returning function
-- (of one row), which PostgreSQL inlines into the calling query: the overdue list then joins
-- the histories of all loans at once instead of calling the function once per loan.
DROP FUNCTION loan_figures(uuid, date);
CREATE FUNCTION loan_figures(loan_id uuid, as_of date)
RETURNS TABLE (outstanding_principal numeric, days_past_due integer, overdue numeric)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT CASE WHEN x.live THEN l.principal - amount_through(h.paid_on, h.principal_paid, as_of) ELSE 0 END,
           CASE WHEN x.live THEN loan_days_past_due(h.due_on, h.scheduled, h.paid_on, h.paid, as_of) ELSE 0 END,
           CASE WHEN x.live THEN greatest(amount_through(h.due_on, h.scheduled, as_of - 1) - x.paid, 0) ELSE 0 END
    FROM loans l
    JOIN loan_histories h ON h.loan_id = l.id
    CROSS JOIN LATERAL (SELECT coalesce(l.disbursed_on <= as_of AND (l.written_off_on IS NULL OR l.written_off_on > as_of), false) AS live,
                               amount_through(h.paid_on, h.paid, as_of) AS paid) x
    WHERE l.id = loan_figures.loan_id
$$;

-- The loans list pages by (created_at, id) within an organization: with this index a page reads
-- its own rows, not every loan of the organization first.
CREATE INDEX loans_org_created ON loans (organization_id, created_at, id);

ALTER TABLE loan_histories ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON loan_histories USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
CREATE POLICY mentor_families ON loan_histories AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR loan_id = ANY ((SELECT ravnaq_mentor_loans())::uuid[]));
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON loan_histories FROM ravnaq_app;
-- Only the triggers and bulk loads (the owner) write histories.
REVOKE EXECUTE ON FUNCTION refresh_loan_histories(uuid[]), refresh_loan_histories(uuid), keep_loan_histories(), keep_loan_history()
    FROM PUBLIC;

-- The loans that exist when this migration runs.
SELECT refresh_loan_histories(ARRAY(SELECT id FROM loans));

-- Statistics for the planner at once, rather than at the next autovacuum.
ANALYZE loan_histories;
