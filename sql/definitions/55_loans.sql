-- Loans (SPEC §4): the schedule's rule, each loan's kept history (the table loan_histories is
-- the baseline's) and the one read model of a loan read from it (loan_state): every read of a
-- loan's figures as of a date — its page, its schedule, the lists, the overdue list, the case
-- file, PAR, the portfolio, graduation — comes from here. Swift's replay (LoanReplay) allocates a
-- repayment when it is written, and is the tests' oracle.
--
-- Late fees are part of the history. A loan's fee (its programme's when it was opened) falls on
-- an installment still not fully paid at the end of due date + N + 1 days (a repayment of that
-- day counts first), once or again every month after while it stays unpaid.
-- Repayments go to the oldest obligation first and an installment's fee is charged only while
-- it is unpaid, so money always fills the obligations in schedule order: what was repaid by a
-- day covers an installment exactly when it reaches everything scheduled through it plus the
-- fees charged on it and before it. That makes each fee a decision on the history alone
-- (late_fee_charges), and every figure a lookup in cumulative arrays.

-- A loan's schedule is stored in one statement (at disbursement): the rows a statement adds for
-- a loan must be all of its installments — none there before, counted through the primary key —
-- and repay its principal exactly. Checked from the rows the statement added, not by joining
-- the whole table (quadratic over a bulk load's COPYs); the loan is found by its key.
CREATE OR REPLACE FUNCTION loan_schedule_sums() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- Per version of the schedule: version 1 repays the loan's principal, a later one the
    -- principal of its restructuring.
    SELECT l.number, a.version, v.principal, a.total INTO bad
    FROM (SELECT loan_id, version, sum(principal) AS total, count(*) AS n FROM added GROUP BY loan_id, version) a
    CROSS JOIN LATERAL (SELECT number, principal FROM loans WHERE id = a.loan_id) l
    CROSS JOIN LATERAL (SELECT CASE WHEN a.version = 1 THEN l.principal
                                    ELSE (SELECT r.principal FROM loan_restructurings r WHERE r.loan_id = a.loan_id AND r.version = a.version)
                               END AS principal) v
    WHERE a.total IS DISTINCT FROM v.principal
       OR (SELECT count(*) FROM loan_installments i WHERE i.loan_id = a.loan_id AND i.version = a.version) <> a.n
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'version % of the schedule of loan % must be stored once and repay its principal of % (this one repays %)',
            bad.version, bad.number, bad.principal, bad.total
            USING ERRCODE = 'P0001', CONSTRAINT = 'loan-schedule-sum';
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER schedule_sums AFTER INSERT ON loan_installments REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION loan_schedule_sums();
CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON loan_installments
    FOR EACH ROW EXECUTE FUNCTION refuse_change();


-- The kept history. A figure as of a day is a binary search: `width_bucket(day, dates)` is how
-- many elements of the sorted `dates` are on or before the day (0 for none), which indexes the
-- cumulative arrays beside it. Repayments go to the oldest installment first, so what was paid
-- by a day covers exactly the installments whose cumulative schedule it reaches:
-- `width_bucket(paid, scheduled)` counts them, and the next one is the oldest not fully paid.

-- The cumulative amount on a day (0 before the first date). Inlined by PostgreSQL.
CREATE OR REPLACE FUNCTION amount_through(dates date[], amounts numeric[], on_date date) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(amounts[width_bucket(on_date, dates)], 0);

-- Days past due on a day: since the oldest installment that what was paid by then does not
-- cover in full fell due (0 while none has). An installment short by at most the loan's
-- arrears tolerance counts as covered: money fills the installments in order, so only the
-- oldest one not covered can be short, and "paid + tolerance reaches its cumulative schedule"
-- says it. The one definition that loan_figures(), the portfolio and graduation read.
-- Inlined by PostgreSQL.
CREATE OR REPLACE FUNCTION loan_days_past_due(due_on date[], scheduled numeric[], paid_on date[], paid numeric[], tolerance numeric,
                                              as_of date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(greatest(as_of - due_on[width_bucket(amount_through(paid_on, paid, as_of) + tolerance, scheduled) + 1], 0), 0);

-- The due date of the oldest installment that all of a loan's repayments do not cover (NULL
-- when they cover every one). While no repayment is dated after a day — none ever is after
-- today: a repayment cannot be dated in the future — the loan's days past due on that day are
-- the day minus this date, when it is earlier (loan_days_past_due says the same). Indexed, so
-- that today's overdue list (Loans.late) reads the late loans most days late first instead of
-- working out every loan's figures.
CREATE OR REPLACE FUNCTION loan_late_from(due_on date[], scheduled numeric[], paid numeric[], tolerance numeric) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN due_on[width_bucket(coalesce(paid[cardinality(paid)], 0) + tolerance, scheduled) + 1];

CREATE INDEX IF NOT EXISTS loan_histories_late_from_covered
    ON loan_histories (organization_id, loan_late_from(due_on, scheduled, covered, tolerance));

-- How many of the sorted dates fall from `from_on` (NULL: the beginning) through `through`.
CREATE OR REPLACE FUNCTION dates_between(dates date[], from_on date, through date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN greatest(width_bucket(through, dates) - coalesce(width_bucket(from_on - 1, dates), 0), 0);

-- "Is this loan live on this day": disbursed by the day and not written off by it. The one
-- definition that the loan's figures, the portfolio and graduation read.
CREATE OR REPLACE FUNCTION loan_live_on(disbursed_on date, written_off_on date, on_day date) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN coalesce(disbursed_on <= on_day AND (written_off_on IS NULL OR written_off_on > on_day), false);

-- The late fees a loan is charged, from its schedule (due_on, cumulative scheduled) and what its
-- repayments paid through each day (paid_on; cumulative repaid: principal + interest + fees;
-- cumulative paid: principal + interest). A fee is `fee` (fixed) or `percent` of what is unpaid
-- of its installment's principal and interest that day, rounded half-up to `digits` — principal
-- and interest, like everything, are paid in schedule order, so that is what `paid` leaves of
-- the installment; it falls at due date + after_days + 1 and,
-- with `monthly`, again on the same day of each following month, at most
-- `monthly_limit` times an installment (a history is worked out for every day ahead, so it must
-- end). A fee falls only on an installment still not covered that day: what was repaid through
-- the day does not reach everything scheduled through it plus the fees charged so far on it and
-- before it. Charges are decided in date order, then installment order — the order Swift's
-- LoanReplay charges them — and each is written in that order: the day it falls, its
-- installment's position (an index of due_on) and the fees charged through it. An installment
-- with nothing due on it is never unpaid, and none falls on an installment from the day a
-- restructuring replaced it (`closes_on`; `repaid` and `paid` count what it settled). (Once covered, an installment stays covered: a fee
-- falls on an earlier one only while it is not covered, and then neither is this one.)
CREATE OR REPLACE FUNCTION late_fee_charges(due_on date[], scheduled numeric[], paid_on date[], repaid numeric[], paid numeric[], fee numeric,
                                            percent numeric, after_days integer, monthly boolean, digits integer, closes_on date[],
                                            OUT fee_on date[], OUT fee_at integer[], OUT fees numeric[])
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    monthly_limit constant integer := 12;
    n integer := coalesce(cardinality(due_on), 0);
    on_installment numeric[];  -- fees charged so far on each installment
    charged numeric := 0;
    before_k numeric;
    due numeric;
    unpaid numeric;
    amount numeric;
    paid_by numeric;
    event record;
BEGIN
    fee_on := '{}'; fee_at := '{}'; fees := '{}';
    IF (coalesce(fee, 0) <= 0 AND coalesce(percent, 0) <= 0) OR after_days IS NULL OR after_days < 0 OR n = 0 THEN
        RETURN;
    END IF;
    on_installment := array_fill(0::numeric, ARRAY[n]);
    FOR event IN
        SELECT k, (due_on[k] + after_days + 1 + make_interval(months => m))::date AS falls_on
        FROM generate_series(1, n) k, generate_series(0, CASE WHEN monthly THEN monthly_limit - 1 ELSE 0 END) m
        WHERE scheduled[k] > coalesce(scheduled[k - 1], 0)
        ORDER BY 2, 1
    LOOP
        -- A restructuring replaces an installment from its day on: no fee falls on it after.
        CONTINUE WHEN event.falls_on >= closes_on[event.k];
        before_k := 0;
        FOR j IN 1 .. event.k - 1 LOOP
            before_k := before_k + on_installment[j];
        END LOOP;
        paid_by := amount_through(paid_on, repaid, event.falls_on);
        CONTINUE WHEN paid_by >= scheduled[event.k] + before_k + on_installment[event.k];
        due := scheduled[event.k] - coalesce(scheduled[event.k - 1], 0);
        unpaid := due - least(greatest(amount_through(paid_on, paid, event.falls_on) - coalesce(scheduled[event.k - 1], 0), 0), due);
        amount := CASE WHEN coalesce(fee, 0) > 0 THEN fee ELSE round(unpaid * percent / 100, digits) END;
        CONTINUE WHEN amount <= 0;
        on_installment[event.k] := on_installment[event.k] + amount;
        charged := charged + amount;
        fee_on := fee_on || event.falls_on;
        fee_at := fee_at || event.k;
        fees := fees || charged;
    END LOOP;
END $$;

-- The history rows of the given loans, computed from their repayments, restructurings,
-- installments (every version, in version order) and their own late fee. A restructuring is an
-- element of the paid_on arrays after its day's repayments: it moves no money, but covers what
-- the version it replaced left unpaid. That version's installments due after it are dated the
-- day before it in `due_on` (the arrays stay sorted, and no figure of an earlier day changes:
-- they were not due by then); `counted_due_on` keeps only the installments that fell due before
-- they were replaced, for the on-time rate. An early payoff's waived interest (interest_to_date)
-- is settled by its own repayment: covered, and never paid.
CREATE OR REPLACE FUNCTION loan_history_rows(loan_ids uuid[]) RETURNS SETOF loan_histories
LANGUAGE sql STABLE AS $$
    WITH chosen AS (
        SELECT l.id, l.organization_id, pj.family_id, l.late_fee, l.late_fee_percent, l.late_fee_after_days,
               -- Every currency lent in has two minor digits (the ledger's numeric(18,2)).
               l.late_fee_repeat = 'monthly' AS monthly, 2 AS digits, l.arrears_tolerance
        FROM loans l JOIN projects pj ON pj.id = l.project_id
        WHERE l.id = ANY (loan_ids)
    ), events AS (
        SELECT r.loan_id, r.paid_on AS on_day, 0 AS kind_order, r.id,
               CASE WHEN r.kind = 'repayment' THEN r.principal + r.interest ELSE 0 END AS pi,
               CASE WHEN r.kind = 'repayment' THEN r.principal ELSE 0 END AS principal,
               r.amount AS money,
               CASE WHEN r.kind = 'repayment' THEN r.fees ELSE 0 END AS fees,
               r.interest_waived AS settled_pi, r.interest_waived AS settled_all, 0::numeric AS capitalized
        FROM repayments r JOIN chosen c ON c.id = r.loan_id
        WHERE r.reversed_on IS NULL
        UNION ALL
        SELECT s.loan_id, s.on_date, 1, s.id, 0, 0, 0, 0, s.settled, s.settled + s.settled_fees, s.capitalized
        FROM loan_restructurings s JOIN chosen c ON c.id = s.loan_id
    ), payments AS (
        -- One element per repayment or restructuring in date order: the last element of a day
        -- holds the day's totals, and that is the one width_bucket() finds.
        SELECT r.loan_id, array_agg(r.on_day ORDER BY r.on_day, r.kind_order, r.id) AS paid_on,
               array_agg(r.paid ORDER BY r.on_day, r.kind_order, r.id) AS paid,
               array_agg(r.principal_paid ORDER BY r.on_day, r.kind_order, r.id) AS principal_paid,
               array_agg(r.collected ORDER BY r.on_day, r.kind_order, r.id) AS collected,
               array_agg(r.fees_paid ORDER BY r.on_day, r.kind_order, r.id) AS fees_paid,
               array_agg(r.paid + r.fees_paid + r.settled ORDER BY r.on_day, r.kind_order, r.id) AS repaid,
               array_agg(r.paid + r.settled_pi ORDER BY r.on_day, r.kind_order, r.id) AS covered,
               array_agg(r.settled ORDER BY r.on_day, r.kind_order, r.id) AS settled,
               array_agg(r.capitalized ORDER BY r.on_day, r.kind_order, r.id) AS capitalized
        FROM (SELECT e.loan_id, e.on_day, e.kind_order, e.id,
                     sum(e.pi) OVER w AS paid, sum(e.principal) OVER w AS principal_paid, sum(e.money) OVER w AS collected,
                     sum(e.fees) OVER w AS fees_paid, sum(e.settled_pi) OVER w AS settled_pi, sum(e.settled_all) OVER w AS settled,
                     sum(e.capitalized) OVER w AS capitalized
              FROM events e
              WINDOW w AS (PARTITION BY e.loan_id ORDER BY e.on_day, e.kind_order, e.id ROWS UNBOUNDED PRECEDING)) r
        GROUP BY r.loan_id
    ), installments AS (
        SELECT i.loan_id, i.version, i.due_on, i.n, r.on_date AS replaced_on,
               sum(i.principal + i.interest) OVER (PARTITION BY i.loan_id ORDER BY i.version, i.due_on, i.n) AS scheduled
        FROM loan_installments i JOIN chosen c ON c.id = i.loan_id
        LEFT JOIN loan_restructurings r ON r.loan_id = i.loan_id AND r.version = i.version + 1
    ), versions AS (
        SELECT i.loan_id, array_agg(coalesce(r.on_date, '-infinity') ORDER BY i.version) AS version_from,
               array_agg(i.scheduled ORDER BY i.version) AS version_end
        FROM (SELECT loan_id, version, max(scheduled) AS scheduled FROM installments GROUP BY loan_id, version) i
        LEFT JOIN loan_restructurings r ON r.loan_id = i.loan_id AND r.version = i.version
        GROUP BY i.loan_id
    ), schedules AS (
        SELECT i.loan_id, array_agg(least(i.due_on, i.replaced_on - 1) ORDER BY i.version, i.due_on, i.n) AS due_on,
               array_agg(i.scheduled ORDER BY i.version, i.due_on, i.n) AS scheduled,
               array_agg(i.replaced_on ORDER BY i.version, i.due_on, i.n) AS closes_on,
               coalesce(array_agg(i.due_on ORDER BY i.version, i.due_on, i.n)
                            FILTER (WHERE i.replaced_on IS NULL OR i.due_on < i.replaced_on), '{}') AS counted_due_on,
               coalesce(array_agg(i.due_on ORDER BY i.version, i.due_on, i.n)
                            FILTER (WHERE (i.replaced_on IS NULL OR i.due_on < i.replaced_on)
                                      AND amount_through(p.paid_on, p.covered, i.due_on) >= i.scheduled), '{}') AS on_time_due_on
        FROM installments i LEFT JOIN payments p ON p.loan_id = i.loan_id
        GROUP BY i.loan_id
    )
    SELECT c.id, c.organization_id, c.family_id,
           coalesce(p.paid_on, '{}'), coalesce(p.paid, '{}'), coalesce(p.principal_paid, '{}'), coalesce(p.collected, '{}'),
           coalesce(s.due_on, '{}'), coalesce(s.scheduled, '{}'), coalesce(s.on_time_due_on, '{}'),
           coalesce(p.fees_paid, '{}'), f.fee_on, f.fee_at, f.fees, c.arrears_tolerance,
           coalesce(p.covered, '{}'), coalesce(p.settled, '{}'), coalesce(p.capitalized, '{}'), coalesce(s.counted_due_on, '{}'),
           coalesce(v.version_from, '{}'), coalesce(v.version_end, '{}')
    FROM chosen c
    LEFT JOIN payments p ON p.loan_id = c.id
    LEFT JOIN schedules s ON s.loan_id = c.id
    LEFT JOIN versions v ON v.loan_id = c.id
    CROSS JOIN LATERAL late_fee_charges(s.due_on, s.scheduled, p.paid_on, p.repaid, p.covered, c.late_fee, c.late_fee_percent,
                                        c.late_fee_after_days, c.monthly, c.digits, s.closes_on) f
$$;

-- Writes the given loans' rows afresh. Owner's rights: requests only read the histories.
-- The rows are locked first, in id order, as the family histories' are: a concurrent
-- transaction that wrote one of these loans has then committed, and the computation (its own
-- statement, so a new snapshot) sees its rows rather than overwriting its figures with older
-- ones. A load's new loans have no row yet, so it locks nothing. PL/pgSQL, so that each
-- connection plans the statements once.
CREATE OR REPLACE FUNCTION refresh_loan_histories(loan_ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM loan_histories WHERE loan_id = ANY (loan_ids) ORDER BY loan_id FOR UPDATE;
    INSERT INTO loan_histories SELECT * FROM loan_history_rows(loan_ids)
    ON CONFLICT (loan_id) DO UPDATE SET
        family_id = excluded.family_id, paid_on = excluded.paid_on, paid = excluded.paid, principal_paid = excluded.principal_paid,
        collected = excluded.collected, due_on = excluded.due_on, scheduled = excluded.scheduled,
        on_time_due_on = excluded.on_time_due_on, fees_paid = excluded.fees_paid, fee_on = excluded.fee_on,
        fee_at = excluded.fee_at, fees = excluded.fees, tolerance = excluded.tolerance, covered = excluded.covered,
        settled = excluded.settled, capitalized = excluded.capitalized, counted_due_on = excluded.counted_due_on,
        version_from = excluded.version_from, version_end = excluded.version_end;
END $$;

-- Every loan of an organization, for bulk loads that ran with triggers off: planned for the real
-- number of ids (the triggers' plan is made for a few).
CREATE OR REPLACE FUNCTION refresh_loan_histories(org uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    SELECT refresh_loan_histories(ARRAY(SELECT id FROM loans WHERE organization_id = org))
$$;

-- A cumulative array with one element more at position `at`: the total before it plus
-- `amount`, and every later total raised by `amount`.
CREATE OR REPLACE FUNCTION cumulative_inserted(totals numeric[], at integer, amount numeric) RETURNS numeric[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
    result numeric[] := totals[:at - 1] || (coalesce(totals[at - 1], 0) + amount);
BEGIN
    FOR k IN at .. coalesce(cardinality(totals), 0) LOOP
        result := result || (totals[k] + amount);
    END LOOP;
    RETURN result;
END $$;

-- A new repayment or recovery of a loan with one schedule version, put into the loan's history
-- in place: exactly what loan_history_rows() computes, without recomputing the rest (issue 18,
-- item 5: the refresh was the largest part of a repayment's work in the database). False, and
-- nothing written, for a loan that needs the refresh. With one version there is no
-- restructuring, so every installment counts, none is replaced, and every element of paid_on is
-- a repayment or recovery not reversed. Then:
--   * the row's element goes after every element dated up to its day, less the same day's rows
--     whose id is greater (the refresh orders a day's rows by id);
--   * each cumulative array gets the total before it plus this row's figures (the events of
--     loan_history_rows()), and every later total is raised by them;
--   * on_time_due_on keeps its dates before the row's day, which the row cannot change, and
--     takes every installment due from that day on that the new totals cover by its due day
--     (one version is sorted by due date, so the order is the refresh's);
--   * the late fees are worked out again by late_fee_charges() over the new arrays (no
--     installment is replaced, so none closes).
-- It changes a row that is exact (as the triggers keep every row); a bulk load that ran with
-- triggers off refreshes its loans' rows before any repayment comes (refresh_loan_histories(org)).
-- Procedural on purpose: as one SQL statement the same work cost more than the refresh, each
-- of its sub-selects an executor to start. LoanHistoryInPlaceTests holds it to the refresh.
CREATE OR REPLACE FUNCTION loan_history_put(added repayments) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
    h loan_histories;
    l record;
    charges record;
    at integer;
    pi numeric := CASE WHEN added.kind = 'repayment' THEN added.principal + added.interest ELSE 0 END;
    repaid numeric[] := '{}';
    on_time date[] := '{}';
    due date;
BEGIN
    -- Locked already by keep_loan_histories() with the statement's other rows (in id order);
    -- locked here again so that the function stands alone: a concurrent writer of this loan has
    -- committed, and the statements after it (each a new snapshot) see its repayments too.
    SELECT * INTO h FROM loan_histories WHERE loan_id = added.loan_id FOR UPDATE;
    IF NOT FOUND OR cardinality(h.version_from) > 1 OR added.reversed_on IS NOT NULL THEN
        RETURN false;
    END IF;
    at := coalesce(width_bucket(added.paid_on, h.paid_on), 0) + 1
          - (SELECT count(*) FROM repayments r
             WHERE r.loan_id = added.loan_id AND r.paid_on = added.paid_on AND r.reversed_on IS NULL AND r.id > added.id)::integer;
    h.paid_on := h.paid_on[:at - 1] || added.paid_on || h.paid_on[at:];
    h.paid := cumulative_inserted(h.paid, at, pi);
    h.principal_paid := cumulative_inserted(h.principal_paid, at, CASE WHEN added.kind = 'repayment' THEN added.principal ELSE 0 END);
    h.collected := cumulative_inserted(h.collected, at, added.amount);
    h.fees_paid := cumulative_inserted(h.fees_paid, at, CASE WHEN added.kind = 'repayment' THEN added.fees ELSE 0 END);
    h.covered := cumulative_inserted(h.covered, at, pi + added.interest_waived);
    h.settled := cumulative_inserted(h.settled, at, added.interest_waived);
    h.capitalized := cumulative_inserted(h.capitalized, at, 0);
    FOREACH due IN ARRAY h.on_time_due_on LOOP
        IF due < added.paid_on THEN
            on_time := on_time || due;
        END IF;
    END LOOP;
    FOR k IN 1 .. coalesce(cardinality(h.due_on), 0) LOOP
        IF h.due_on[k] >= added.paid_on AND amount_through(h.paid_on, h.covered, h.due_on[k]) >= h.scheduled[k] THEN
            on_time := on_time || h.due_on[k];
        END IF;
    END LOOP;
    h.on_time_due_on := on_time;
    SELECT late_fee, late_fee_percent, late_fee_after_days, late_fee_repeat = 'monthly' AS monthly INTO l
    FROM loans WHERE id = added.loan_id;
    FOR k IN 1 .. cardinality(h.paid_on) LOOP
        repaid := repaid || (h.paid[k] + h.fees_paid[k] + h.settled[k]);
    END LOOP;
    SELECT * INTO charges
    FROM late_fee_charges(h.due_on, h.scheduled, h.paid_on, repaid, h.covered, l.late_fee, l.late_fee_percent,
                          l.late_fee_after_days, l.monthly, 2, NULL);
    h.fee_on := charges.fee_on;
    h.fee_at := charges.fee_at;
    h.fees := charges.fees;
    UPDATE loan_histories SET
        paid_on = h.paid_on, paid = h.paid, principal_paid = h.principal_paid, collected = h.collected, fees_paid = h.fees_paid,
        covered = h.covered, settled = h.settled, capitalized = h.capitalized, on_time_due_on = h.on_time_due_on,
        fee_on = h.fee_on, fee_at = h.fee_at, fees = h.fees
    WHERE loan_id = added.loan_id;
    RETURN true;
END $$;

-- Statement-level triggers: one refresh for the loans a statement touched. The refresh runs a
-- plan made once for a few ids (index scans): left to choose, PostgreSQL kept planning it afresh
-- for each repayment, which cost twice what running it does (0.9 ms against 0.35 ms). A
-- statement's only new repayment of a loan is put into its history in place when it can be
-- (loan_history_put()); everything else — a reversal, a deletion, a restructured loan, several
-- rows of one loan in a statement (an import) — is refreshed in full.
CREATE OR REPLACE FUNCTION keep_loan_histories() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    added repayments;
    kept uuid[] := '{}';
    rest uuid[];
BEGIN
    IF TG_TABLE_NAME = 'repayments' AND TG_OP = 'INSERT' THEN
        -- Every row this statement will write, locked at once in id order, as the refresh locks
        -- them: two imports touching the same loans in other mixes cannot deadlock.
        PERFORM 1 FROM loan_histories WHERE loan_id IN (SELECT loan_id FROM touched) ORDER BY loan_id FOR UPDATE;
        FOR added IN
            SELECT t.* FROM touched t
            WHERE NOT EXISTS (SELECT 1 FROM touched o WHERE o.loan_id = t.loan_id AND o.id <> t.id)
            ORDER BY t.loan_id
        LOOP
            IF loan_history_put(added) THEN
                kept := kept || added.loan_id;
            END IF;
        END LOOP;
    END IF;
    IF TG_TABLE_NAME = 'loans' THEN
        rest := ARRAY(SELECT DISTINCT id FROM touched);
    ELSE
        rest := ARRAY(SELECT DISTINCT loan_id FROM touched WHERE loan_id <> ALL (kept));
    END IF;
    IF cardinality(rest) > 0 THEN
        PERFORM refresh_loan_histories(rest);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER keep_histories AFTER INSERT ON loans REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE OR REPLACE TRIGGER keep_histories AFTER INSERT ON loan_installments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON repayments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE ON repayments REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON repayments REFERENCING OLD TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();
CREATE OR REPLACE TRIGGER keep_histories AFTER INSERT ON loan_restructurings REFERENCING NEW TABLE AS touched
    FOR EACH STATEMENT EXECUTE FUNCTION keep_loan_histories();

-- What an early payoff waived is decided when it is recorded; reversing the payoff undoes it
-- whole (a reversed repayment counts for nothing), so the amount itself never changes.
CREATE OR REPLACE TRIGGER waiver_kept BEFORE UPDATE OF interest_waived ON repayments
    FOR EACH ROW WHEN (NEW.interest_waived IS DISTINCT FROM OLD.interest_waived) EXECUTE FUNCTION refuse_change();

-- A loan moved to another project, or a project to another family, changes the family its
-- history is filed under (which graduation reads). The services do neither today; a row trigger
-- with WHEN costs the other updates of loans and projects nothing.
CREATE OR REPLACE FUNCTION keep_loan_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    IF TG_TABLE_NAME = 'loans' THEN
        PERFORM refresh_loan_histories(ARRAY[NEW.id]);
    ELSE
        PERFORM refresh_loan_histories(ARRAY(SELECT id FROM loans WHERE project_id = NEW.id));
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER keep_loan_histories_update AFTER UPDATE OF project_id ON loans FOR EACH ROW
    WHEN (OLD.project_id IS DISTINCT FROM NEW.project_id) EXECUTE FUNCTION keep_loan_history();
CREATE OR REPLACE TRIGGER keep_loan_histories_update AFTER UPDATE OF family_id ON projects FOR EACH ROW
    WHEN (OLD.family_id IS DISTINCT FROM NEW.family_id) EXECUTE FUNCTION keep_loan_history();

-- Only the triggers and bulk loads (the owner) write histories.
REVOKE EXECUTE ON FUNCTION refresh_loan_histories(uuid[]), refresh_loan_histories(uuid), keep_loan_histories(), keep_loan_history(),
    loan_history_put(repayments) FROM PUBLIC;

-- A loan as of a day, from its row and its history's: the one definition of its figures.
--   status               approved (not disbursed by the day), written_off (by the day), repaid
--                        (everything scheduled and every fee charged is paid), else active;
--   outstanding_principal, days_past_due, overdue (what fell due before the day, fees
--                        included, not paid by the end of it), total_owed (all that is left:
--                        principal, interest, fees charged) — zero unless the loan is live;
--   paid_*               the split of the repayments through the day (recoveries are not
--                        repayments), and fees_charged through the day.
-- Inlined by PostgreSQL into the caller's query, like the history's own lookups.
CREATE OR REPLACE FUNCTION loan_state(l loans, h loan_histories, as_of date)
RETURNS TABLE (status text, outstanding_principal numeric, days_past_due integer, overdue numeric, total_owed numeric,
               paid_principal numeric, paid_interest numeric, paid_fees numeric, fees_charged numeric)
LANGUAGE sql STABLE PARALLEL SAFE ROWS 1 AS $$
    SELECT CASE WHEN NOT coalesce(l.disbursed_on <= as_of, false) THEN 'approved'
                WHEN l.written_off_on <= as_of THEN 'written_off'
                WHEN x.covered >= x.owed THEN 'repaid'
                ELSE 'active' END,
           CASE WHEN x.live THEN l.principal + x.capitalized - x.principal_paid ELSE 0 END,
           CASE WHEN x.live THEN loan_days_past_due(h.due_on, h.scheduled, h.paid_on, h.covered, h.tolerance, as_of) ELSE 0 END,
           CASE WHEN x.live THEN greatest(amount_through(h.due_on, h.scheduled, as_of - 1) + x.fees - x.covered, 0) ELSE 0 END,
           CASE WHEN x.live THEN x.owed - x.covered ELSE 0 END,
           x.principal_paid, x.paid - x.principal_paid, x.repaid - x.paid, x.fees
    -- repaid: the money of repayments; covered: that and what restructurings settled.
    FROM (SELECT y.*, y.paid + amount_through(h.paid_on, h.fees_paid, as_of) AS repaid,
                 y.paid + amount_through(h.paid_on, h.fees_paid, as_of) + amount_through(h.paid_on, h.settled, as_of) AS covered,
                 -- Everything scheduled by the versions in force on the day.
                 amount_through(h.version_from, h.version_end, as_of) + y.fees AS owed
          FROM (SELECT loan_live_on(l.disbursed_on, l.written_off_on, as_of) AS live,
                       amount_through(h.paid_on, h.paid, as_of) AS paid,
                       amount_through(h.paid_on, h.principal_paid, as_of) AS principal_paid,
                       amount_through(h.paid_on, h.capitalized, as_of) AS capitalized,
                       amount_through(h.fee_on, h.fees, as_of) AS fees) y) x
$$;

-- loan_state() of one loan named by id (none when it is not seen).
CREATE OR REPLACE FUNCTION loan_figures(loan_id uuid, as_of date)
RETURNS TABLE (status text, outstanding_principal numeric, days_past_due integer, overdue numeric, total_owed numeric,
               paid_principal numeric, paid_interest numeric, paid_fees numeric, fees_charged numeric)
LANGUAGE sql STABLE ROWS 1 AS $$
    SELECT s.* FROM loans l JOIN loan_histories h ON h.loan_id = l.id CROSS JOIN LATERAL loan_state(l, h, as_of) s
    WHERE l.id = loan_figures.loan_id
$$;

-- A version of a loan's schedule as of a day: each installment with the fee charged on it by
-- then, what was paid on it (money fills the obligations in schedule order, every version's in
-- turn: an installment gets what the repayments through the day — and what restructurings
-- settled — left after everything before it), the interest an early payoff waived on it, and
-- its status — paid (all charged on it is covered), late (due before the day), partial
-- (something paid), pending. A version replaced by a restructuring is read as of a day before
-- its replacement (Loans.schedule picks the day).
--
-- The waiver is the payoff's own (repayments.interest_waived), on the version in force: it takes
-- the interest of the last installments first, up to each one's, which is where the replay's
-- per-installment rule puts it (money fills from the front, so only the tail's interest is ever
-- unpaid beyond what accrued). What was paid is then the money alone.
CREATE OR REPLACE FUNCTION loan_schedule(loan_id uuid, as_of date, wanted integer)
RETURNS TABLE (n integer, due_on date, principal numeric, interest numeric, fees numeric, total numeric, paid numeric, waived numeric,
               status text)
LANGUAGE sql STABLE AS $$
    SELECT i.n, i.due_on, i.principal, i.interest, f.through - f.before, t.total, p.paid, w.waived,
           CASE WHEN p.paid + w.waived = t.total THEN 'paid' WHEN i.due_on < as_of THEN 'late'
                WHEN p.paid > 0 THEN 'partial' ELSE 'pending' END
    FROM loan_histories h
    CROSS JOIN LATERAL (SELECT coalesce(sum(r.interest_waived), 0) AS waived FROM repayments r
                        WHERE r.loan_id = h.loan_id AND r.interest_waived > 0 AND r.reversed_on IS NULL AND r.paid_on <= as_of) x
    -- Once per loan: all that its repayments through the day paid, and restructurings settled.
    CROSS JOIN LATERAL (SELECT amount_through(h.paid_on, h.paid, as_of) + amount_through(h.paid_on, h.fees_paid, as_of)
                               + amount_through(h.paid_on, h.settled, as_of) - x.waived AS repaid) d
    -- Each installment's place (k), and its waiver with the waivers before it: the money fills
    -- what the waivers left owed, in order.
    CROSS JOIN LATERAL (
        SELECT j.*, coalesce(sum(j.waived) OVER (ORDER BY j.k ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS waived_before
        FROM (SELECT i.*, CASE WHEN i.in_force THEN least(i.interest, greatest(x.waived - i.interest_after, 0)) ELSE 0 END AS waived
              FROM (SELECT i.*, row_number() OVER (ORDER BY i.version, i.due_on, i.n) AS k,
                           coalesce(sum(i.interest) OVER (PARTITION BY i.version ORDER BY i.due_on DESC, i.n DESC
                                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS interest_after,
                           i.version = max(i.version) OVER () AS in_force
                    FROM loan_installments i WHERE i.loan_id = h.loan_id) i) j) i
    CROSS JOIN LATERAL (SELECT i.waived) w
    CROSS JOIN LATERAL (
        -- The fees fallen by the day on installments before this one and through it. Monthly
        -- fees make the charges of several installments interleave by date, so they are summed
        -- rather than read as a prefix (one loan's charges: a few dozen at most).
        SELECT coalesce(sum(c.fee) FILTER (WHERE c.at < i.k), 0) AS before, coalesce(sum(c.fee) FILTER (WHERE c.at <= i.k), 0) AS through
        FROM unnest(h.fee_on, h.fee_at, h.fees) WITH ORDINALITY AS c0 (fee_on, at, through, j)
        CROSS JOIN LATERAL (SELECT c0.at, c0.through - coalesce(h.fees[c0.j - 1], 0) AS fee) c
        WHERE c0.fee_on <= as_of) f
    CROSS JOIN LATERAL (SELECT i.principal + i.interest + f.through - f.before AS total) t
    CROSS JOIN LATERAL (SELECT least(greatest(d.repaid - coalesce(h.scheduled[i.k - 1], 0) + i.waived_before - f.before, 0),
                                     t.total - w.waived) AS paid) p
    WHERE h.loan_id = loan_schedule.loan_id AND i.version = wanted
    ORDER BY i.due_on, i.n
$$;

-- Portfolio at risk: the outstanding principal of the loans late beyond a threshold over that
-- of all live loans; rounded half-up to 6 decimals, null when nothing is outstanding. The one
-- definition that GET /loans/par and the portfolio report read.
CREATE OR REPLACE FUNCTION portfolio_at_risk(at_risk numeric, outstanding numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN round(coalesce(at_risk, 0) / nullif(outstanding, 0), 6);

-- Four eyes (issue 16): a request is decided once. Its decision is the only change it takes,
-- by someone other than who asked (approvals_four_eyes), and what was asked stays as asked.
CREATE OR REPLACE FUNCTION approval_decided_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status <> 'pending' THEN
        RAISE EXCEPTION 'this request was already %', OLD.status USING ERRCODE = 'P0001', CONSTRAINT = 'approval-decided';
    END IF;
    IF (NEW.loan_id, NEW.kind, NEW.on_date, NEW.reason, NEW.requested_by, NEW.requested_at)
       IS DISTINCT FROM (OLD.loan_id, OLD.kind, OLD.on_date, OLD.reason, OLD.requested_by, OLD.requested_at) THEN
        RAISE EXCEPTION 'what a request asked for does not change' USING ERRCODE = 'P0001', CONSTRAINT = 'approval-decided';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER decided_once BEFORE UPDATE ON approvals
    FOR EACH ROW EXECUTE FUNCTION approval_decided_once();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON approvals
    FOR EACH ROW EXECUTE FUNCTION audit_change();
