-- Graduation readiness (SPEC §7), read from the families' kept histories: the programme's
-- settings, the six criteria and whether a loan is in arrears. `Graduation` reads it for one
-- family, the outcomes report for a whole organization.

-- The programmes' settings, NULL where a programme sets none. Grouped by the key, so that
-- PostgreSQL reads each programme's JSON once rather than once per family, and knows there is
-- one row per programme: a query that joins it and uses none of it drops the join.
CREATE OR REPLACE FUNCTION graduation_settings(org uuid)
RETURNS TABLE (programme_id uuid, income_months integer, min_ssm integer, max_dpd integer, courses integer, count_benefits boolean)
LANGUAGE sql STABLE AS $$
    SELECT pg.id, (pg.graduation ->> 'income_months')::int, (pg.graduation ->> 'min_ssm')::int, (pg.graduation ->> 'max_dpd')::int,
           (pg.graduation ->> 'courses')::int, (pg.graduation ->> 'count_benefits')::boolean
    FROM programmes pg WHERE pg.organization_id = org
    GROUP BY pg.id
$$;

-- The windows of the criteria (issue 16), one home for graduation_of() and for the details that
-- `Graduation` writes beside it: the latest income month counted must be on or after
-- graduation_latest_month_from(as_of), the first day of the month before as_of's; the latest
-- assessment on or after graduation_assessed_from(as_of), 7 months before as_of; and no loan may
-- be written off after graduation_written_off_after(as_of), 12 months before as_of (up to as_of).
-- Calendar months, by PostgreSQL's date arithmetic (31 July − 7 months = 31 December, 31 March −
-- 1 month = 28 or 29 February).
CREATE OR REPLACE FUNCTION graduation_latest_month_from(as_of date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (date_trunc('month', as_of::timestamp) - interval '1 month')::date;

CREATE OR REPLACE FUNCTION graduation_assessed_from(as_of date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (as_of - interval '7 months')::date;

CREATE OR REPLACE FUNCTION graduation_written_off_after(as_of date) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (as_of - interval '12 months')::date;

-- The one definition of the criteria: a family's, from its history row, as of a date, under its
-- programme's settings (NULL: the defaults 3 months, SSM 3, 30 days, 1 course, benefits not
-- counted).
--
-- Income months (issue 16): the N counted are the N elements before width_bucket(as_of,
-- income_on), and they hold only when they are N consecutive calendar months (months are one
-- row each, so the first of them is N − 1 months before the last) and the last is as_of's
-- month or the one before; otherwise income_above_line and project_profitable both fail. Each
-- month's income is against the line of its month (the latest that took effect by its first
-- day; none in force fails the month), without the month's benefits unless count_benefits
-- (benefits for low-income families stop above the line, so counting them is circular); the
-- net income its projects reported for the same month must be positive.
--
-- The latest assessment up to as_of counts only when at most 7 months old (assessed on or
-- after graduation_assessed_from(as_of)); the completions up to as_of are counted as the
-- assessments are found, by binary search. no_recent_write_off: no loan of the family written
-- off in (as_of − 12 months, as_of] (graduation_written_off_after), from the kept write-off
-- dates. The family is in arrears when a live loan (disbursed, not written off by as_of) is
-- past due (loan_live_on, loan_days_past_due: 55_loans.sql), and over the limit when one is
-- more than max_dpd days past due. A family is `ready` when all six criteria hold and no loan
-- is past due (`at_risk` outranks `ready`).
--
-- PostgreSQL inlines it into the caller's scan of family_histories (a lateral call): the report
-- reads each family's row once for its keys, figures and readiness. `ready` tests the criteria
-- cheapest first, so that for most families the income months and the loans are never looked
-- at (PostgreSQL's executor evaluates an AND left to right and stops at the first false: what
-- it does, though the documentation does not promise it; the figures are the same either
-- way, only the time differs): the completions, the assessment and the write-offs are read
-- from the row itself (binary searches, bytes), then the months; the loans are looked up per
-- family for the same reason. The history comes as separate columns rather than the row: the
-- sub-queries would otherwise make PostgreSQL build every family's whole row.
CREATE OR REPLACE FUNCTION graduation_of(org uuid, as_of date, family_id uuid, income_on date[], income_total numeric[],
                              income_benefits numeric[], household_size integer[], report_on date[], report_net numeric[],
                              assessed_on date[], scores bytea, completed_on date[], written_off_on date[],
                              programme_income_months integer, programme_min_ssm integer, programme_max_dpd integer,
                              programme_courses integer, programme_count_benefits boolean)
RETURNS TABLE (income_months integer, min_ssm integer, max_dpd integer, courses integer, count_benefits boolean,
               income_above_line boolean, project_profitable boolean, no_loan_over_30_dpd boolean,
               ssm_core_domains boolean, course_completed boolean, no_recent_write_off boolean, in_arrears boolean, ready boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.income_months, c.min_ssm, c.max_dpd, c.courses, c.count_benefits, c.income_above_line, c.project_profitable,
           NOT coalesce(c.days_past_due > c.max_dpd, false), c.ssm_core_domains, c.course_completed, c.no_recent_write_off,
           coalesce(c.days_past_due > 0, false),
           c.course_completed AND c.ssm_core_domains AND c.no_recent_write_off AND c.income_above_line AND c.project_profitable
               AND NOT coalesce(c.days_past_due > 0, false) AND NOT coalesce(c.days_past_due > c.max_dpd, false)
    FROM (SELECT s.income_months, s.min_ssm, s.max_dpd, s.courses, s.count_benefits,
                 s.consecutive AND (
                     SELECT bool_and(coalesce(income_total[k] - CASE WHEN s.count_benefits THEN 0 ELSE income_benefits[k] END
                                              >= household_size[k]
                                                 * (SELECT array_agg(p.amount ORDER BY p.effective_on) FROM poverty_lines p)
                                                       [width_bucket(income_on[k], (SELECT array_agg(p.effective_on ORDER BY p.effective_on) FROM poverty_lines p))],
                                              false))
                     FROM generate_series(s.incomes - s.income_months + 1, s.incomes) k) AS income_above_line,
                 -- The projects' net income of the same month (none reported: not profitable).
                 s.consecutive AND (
                     SELECT bool_and(coalesce(CASE WHEN report_on[j] = income_on[k] THEN report_net[j] END > 0, false))
                     FROM generate_series(s.incomes - s.income_months + 1, s.incomes) k, width_bucket(income_on[k], report_on) j
                 ) AS project_profitable,
                 -- The live loans' days past due, by loan_state()'s own definitions. The loan's
                 -- row is a scalar sub-query by its key, not a join: the reports run with nested
                 -- loops off, and a join here was a hash of every loan for each family (10 s
                 -- instead of 0.5 s for outcomes at 100 000 families).
                 (SELECT max(loan_days_past_due(lh.due_on, lh.scheduled, lh.paid_on, lh.covered, lh.tolerance, as_of))
                  FROM loan_histories lh
                  WHERE lh.family_id = graduation_of.family_id AND lh.organization_id = org
                    AND (SELECT loan_live_on(l.disbursed_on, l.written_off_on, as_of) FROM loans l WHERE l.id = lh.loan_id)) AS days_past_due,
                 -- The scores first: a byte each, read in place; the date is an array's element.
                 coalesce(ssm_score(scores, s.assessed, 1) >= s.min_ssm AND ssm_score(scores, s.assessed, 2) >= s.min_ssm
                              AND ssm_score(scores, s.assessed, 4) >= s.min_ssm
                              AND assessed_on[s.assessed] >= graduation_assessed_from(as_of), false) AS ssm_core_domains,
                 width_bucket(as_of, completed_on) >= s.courses AS course_completed,
                 -- As many write-offs up to as_of as up to 12 months before: none in between.
                 width_bucket(as_of, written_off_on) = width_bucket(graduation_written_off_after(as_of), written_off_on) AS no_recent_write_off
          FROM (SELECT t.*,
                       -- The last N months up to as_of are there, consecutive, and recent.
                       t.income_months >= 1 AND t.incomes >= t.income_months
                           AND income_on[t.incomes] >= graduation_latest_month_from(as_of)
                           AND income_on[t.incomes - t.income_months + 1]
                               = (income_on[t.incomes] - make_interval(months => t.income_months - 1))::date AS consecutive
                FROM (SELECT coalesce(programme_income_months, 3) AS income_months, coalesce(programme_min_ssm, 3) AS min_ssm,
                             coalesce(programme_max_dpd, 30) AS max_dpd, coalesce(programme_courses, 1) AS courses,
                             coalesce(programme_count_benefits, false) AS count_benefits,
                             width_bucket(as_of, income_on) AS incomes,
                             nullif(width_bucket(as_of, assessed_on), 0) AS assessed) t) s) c
$$;

-- Every family of an organization (or one, `one_family`) as of a date.
CREATE OR REPLACE FUNCTION graduation_criteria(org uuid, as_of date, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, income_months integer, min_ssm integer, max_dpd integer, courses integer, count_benefits boolean,
               income_above_line boolean, project_profitable boolean, no_loan_over_30_dpd boolean,
               ssm_core_domains boolean, course_completed boolean, no_recent_write_off boolean, in_arrears boolean, ready boolean)
LANGUAGE sql STABLE AS $$
    SELECT h.family_id, g.*
    FROM family_histories h
    LEFT JOIN graduation_settings(org) s ON s.programme_id = h.programme_id
    CROSS JOIN LATERAL graduation_of(org, as_of, h.family_id, h.income_on, h.income_total, h.income_benefits, h.household_size,
                                     h.report_on, h.report_net, h.assessed_on, h.scores, h.completed_on, h.written_off_on,
                                     s.income_months, s.min_ssm, s.max_dpd, s.courses, s.count_benefits) g
    WHERE h.organization_id = org AND (one_family IS NULL OR h.family_id = one_family)
$$;

-- What donors break reports down by (issue 15): per family of the acting organization, the
-- sex of its head (the first member registered as head; 'unknown' when none or erased) and
-- whether a member has a disability. Grant officers may not read members' sex: the reports
-- they run read it here, only as these per-family traits, never a name.
CREATE OR REPLACE FUNCTION report_family_traits(org uuid)
RETURNS TABLE (family_id uuid, head_sex text, disability text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT f.id,
           coalesce((SELECT h.sex FROM members h WHERE h.family_id = f.id AND h.relation = 'head' AND h.erased_on IS NULL
                     ORDER BY h.created_at, h.id LIMIT 1), 'unknown'),
           CASE WHEN EXISTS (SELECT 1 FROM members d WHERE d.family_id = f.id AND d.disability) THEN 'with_disability'
                ELSE 'without_disability' END
    FROM families f
    WHERE f.organization_id = org AND org = ravnaq_org()
$$;
