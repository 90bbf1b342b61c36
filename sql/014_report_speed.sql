-- Reports and graduation readiness, set-based (SPEC §7, §8): what 012 asked once per loan or
-- family (loan_figures(), family_mentor_email(), poverty_line()) is answered here for a whole
-- organization in a few passes with aggregates. The passes read whole tables, which no index
-- shortens; one family's graduation reads its rows through the existing per-family indexes.
--
-- Every function takes the organization explicitly: requests run under row-level security,
-- and `x.organization_id = org` lets PostgreSQL check the policy once per statement instead of
-- once per row. `one_family` (NULL: every family) narrows a function to one family's rows;
-- the SQL functions are inlined by PostgreSQL, which then drops the unused branch.

-- The poverty line of every month from the first line up to a date (a month's line is the one in
-- force on its first day): a few hundred rows to join incomes to, instead of a lookup per income.
-- Each line holds from the first month that begins on or after its date until the next line's.
CREATE FUNCTION poverty_line_months(through date) RETURNS TABLE (period date, amount numeric)
LANGUAGE plpgsql STABLE PARALLEL SAFE ROWS 60 AS $$
BEGIN
    -- PL/pgSQL, so that PostgreSQL plans with its real size (a few dozen rows) and hashes it.
    RETURN QUERY
    SELECT m::date, l.amount
    FROM (SELECT p.amount, date_trunc('month', p.effective_on - 1) + interval '1 month' AS first_month,
                 lead(date_trunc('month', p.effective_on - 1) + interval '1 month') OVER (ORDER BY p.effective_on) AS next_month
          FROM poverty_lines p) l
    CROSS JOIN LATERAL generate_series(l.first_month, least(l.next_month - interval '1 month', through), interval '1 month') m;
END $$;

-- The programme that decides for a family (SPEC §7): the programme of its latest loan or grant.
CREATE FUNCTION family_programmes(org uuid, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, programme_id uuid) LANGUAGE sql STABLE AS $$
    SELECT DISTINCT ON (x.family_id) x.family_id, x.programme_id
    FROM (SELECT pj.family_id, l.programme_id, l.created_at FROM loans l JOIN projects pj ON pj.id = l.project_id
          WHERE l.organization_id = org AND pj.organization_id = org AND (one_family IS NULL OR pj.family_id = one_family)
          UNION ALL
          SELECT pj.family_id, g.programme_id, g.created_at FROM grants g JOIN projects pj ON pj.id = g.project_id
          WHERE g.organization_id = org AND pj.organization_id = org AND (one_family IS NULL OR pj.family_id = one_family)) x
    ORDER BY x.family_id, x.created_at DESC
$$;

-- Graduation readiness (SPEC §7) of every family of an organization (or one) as of a date: the
-- programme's settings (defaults 3 months, SSM 3, 30 days, 1 course), the five criteria, and
-- whether a loan is in arrears. The one definition: `Graduation` and the outcomes report both
-- read it. A family is `ready` when all five criteria hold and no loan is past due (`at_risk`
-- outranks `ready`; a criterion that got worse since last month cannot be met now).
--
-- Days past due over a limit t without replaying each loan: the oldest installment not fully
-- paid fell due before as_of − t exactly when the principal and interest due before as_of − t
-- add up to more than was paid by as_of (repayments go to the oldest installment first).
CREATE FUNCTION graduation_criteria(org uuid, as_of date, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, income_months integer, min_ssm integer, max_dpd integer, courses integer,
               income_above_line boolean, project_profitable boolean, no_loan_over_30_dpd boolean,
               ssm_core_domains boolean, course_completed boolean, in_arrears boolean, ready boolean)
LANGUAGE sql STABLE AS $$
    WITH settings AS (
        SELECT f.id AS family_id,
               coalesce((pg.graduation ->> 'income_months')::int, 3) AS income_months,
               coalesce((pg.graduation ->> 'min_ssm')::int, 3) AS min_ssm,
               coalesce((pg.graduation ->> 'max_dpd')::int, 30) AS max_dpd,
               coalesce((pg.graduation ->> 'courses')::int, 1) AS courses
        FROM families f
        LEFT JOIN family_programmes(org, one_family) fp ON fp.family_id = f.id
        LEFT JOIN programmes pg ON pg.id = fp.programme_id
        WHERE f.organization_id = org AND (one_family IS NULL OR f.id = one_family)
    ), months AS (
        -- The family's reported months up to as_of's month, the latest first.
        SELECT h.family_id, h.period, coalesce(h.total >= pl.amount * h.household_size, false) AS above,
               row_number() OVER (PARTITION BY h.family_id ORDER BY h.period DESC) AS recency
        FROM household_incomes h
        LEFT JOIN poverty_line_months(as_of) pl ON pl.period = h.period
        WHERE h.organization_id = org AND h.period <= as_of AND (one_family IS NULL OR h.family_id = one_family)
    ), recent AS (
        -- The last N of them (the programme's income_months).
        SELECT m.family_id, m.period, m.above, s.income_months
        FROM months m JOIN settings s ON s.family_id = m.family_id AND m.recency <= s.income_months
    ), recent_nets AS (
        -- The net income of the family's projects in each of those months.
        SELECT r.family_id, r.period, sum(pr.revenue - pr.costs) AS net
        FROM recent r
        JOIN projects pj ON pj.family_id = r.family_id
        JOIN project_reports pr ON pr.project_id = pj.id AND pr.period = r.period
        WHERE pj.organization_id = org AND pr.organization_id = org
        GROUP BY r.family_id, r.period
    ), income AS (
        SELECT r.family_id, count(*) = min(r.income_months) AS enough, bool_and(r.above) AS above,
               bool_and(coalesce(n.net, 0) > 0) AS profitable
        FROM recent r LEFT JOIN recent_nets n ON n.family_id = r.family_id AND n.period = r.period
        GROUP BY r.family_id
    ), live_loans AS (
        SELECT l.id, s.family_id, s.max_dpd
        FROM loans l JOIN projects pj ON pj.id = l.project_id JOIN settings s ON s.family_id = pj.family_id
        WHERE l.organization_id = org AND pj.organization_id = org AND l.disbursed_on <= as_of AND (l.written_off_on IS NULL OR l.written_off_on > as_of)
    ), paid AS (
        SELECT r.loan_id, sum(r.principal + r.interest) AS paid
        FROM repayments r JOIN live_loans ll ON ll.id = r.loan_id
        WHERE r.organization_id = org AND r.kind = 'repayment' AND r.reversed_on IS NULL AND r.paid_on <= as_of
        GROUP BY r.loan_id
    ), due AS (
        SELECT ll.family_id, ll.id AS loan_id, sum(i.principal + i.interest) AS due,
               coalesce(sum(i.principal + i.interest) FILTER (WHERE i.due_on < as_of - ll.max_dpd), 0) AS due_over_limit
        FROM loan_installments i JOIN live_loans ll ON ll.id = i.loan_id
        WHERE i.organization_id = org AND i.due_on < as_of
        GROUP BY ll.family_id, ll.id
    ), arrears AS (
        SELECT d.family_id, bool_or(d.due > coalesce(p.paid, 0)) AS late,
               bool_or(d.due_over_limit > coalesce(p.paid, 0)) AS over_limit
        FROM due d LEFT JOIN paid p ON p.loan_id = d.loan_id
        GROUP BY d.family_id
    ), latest_assessment AS (
        SELECT DISTINCT ON (a.family_id) a.family_id, a.income, a.employment, a.food
        FROM assessments a
        WHERE a.organization_id = org AND a.assessed_on <= as_of AND (one_family IS NULL OR a.family_id = one_family)
        ORDER BY a.family_id, a.assessed_on DESC, a.recorded_at DESC
    ), completed AS (
        SELECT m.family_id, count(*) AS courses
        FROM enrollments e JOIN members m ON m.id = e.member_id
        WHERE e.organization_id = org AND m.organization_id = org AND e.completed AND e.completed_on <= as_of
          AND (one_family IS NULL OR m.family_id = one_family)
        GROUP BY m.family_id
    ), criteria AS (
        SELECT s.*,
               coalesce(i.enough AND i.above, false) AS income_above_line,
               coalesce(i.enough AND i.profitable, false) AS project_profitable,
               NOT coalesce(a.over_limit, false) AS no_loan_over_30_dpd,
               coalesce(la.income >= s.min_ssm AND la.employment >= s.min_ssm AND la.food >= s.min_ssm, false) AS ssm_core_domains,
               coalesce(c.courses, 0) >= s.courses AS course_completed,
               coalesce(a.late, false) AS in_arrears
        FROM settings s
        LEFT JOIN income i ON i.family_id = s.family_id
        LEFT JOIN arrears a ON a.family_id = s.family_id
        LEFT JOIN latest_assessment la ON la.family_id = s.family_id
        LEFT JOIN completed c ON c.family_id = s.family_id
    )
    SELECT c.family_id, c.income_months, c.min_ssm, c.max_dpd, c.courses, c.income_above_line, c.project_profitable,
           c.no_loan_over_30_dpd, c.ssm_core_domains, c.course_completed, c.in_arrears,
           c.income_above_line AND c.project_profitable AND c.no_loan_over_30_dpd AND c.ssm_core_domains
               AND c.course_completed AND NOT c.in_arrears
    FROM criteria c
$$;

-- Lets PostgreSQL use parallel workers for the passes that band incomes.
ALTER FUNCTION income_band(numeric, integer, numeric) PARALLEL SAFE;
