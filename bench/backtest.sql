-- The back-test of smart monitoring (issue 17), on a generated organization (psql -v code=BENCH):
-- the alerts as of every 14th day of the past year, against when the loans reached more than 30
-- days past due. On generated data it shows the mechanics, not real-world accuracy: the
-- generator decides which families decline before their arrears (Sources/RavnaqCore/Seed).
--
-- A flag: an alert whose signals about the family itself weigh at least 25 on a sample day (all
--   but visit_overdue and records_missing, which are about the mentor's and the paperwork's
--   rounds — and the generator makes only each family's last two visits), of a family not
--   already in arrears that day (no loan_in_arrears among its reasons).
-- Recall: of the families whose loan reached DPD > 30 on day T, with T − 120 within the sampled
--   year, the share flagged on a sample day from T − 120 to T − 30.
-- Precision: of the families' first flags (flagged on a sample day and not on the one before) at
--   least 90 days before today, so that what followed can be seen, the share followed by a loan
--   reaching DPD > 30 within 90 days; the rest were followed by no arrears.
\set ON_ERROR_STOP on
\pset footer off
SET jit = off;
SELECT id AS org, (now() AT TIME ZONE time_zone)::date AS today FROM organizations WHERE code = :'code' \gset

CREATE TEMP TABLE samples AS
    SELECT (:'today'::date - 7 - 14 * n) AS on_day FROM generate_series(0, 25) n;

CREATE TEMP TABLE flags AS
    SELECT s.on_day, a.family_id
    FROM samples s CROSS JOIN LATERAL family_alert_signals(:'org', s.on_day) a
    GROUP BY s.on_day, a.family_id
    HAVING NOT bool_or(a.code = 'loan_in_arrears')
       AND sum(a.weight) FILTER (WHERE a.code NOT IN ('visit_overdue', 'records_missing')) >= 25;

-- The day each family's loan first reached DPD > 30: nothing is repaid after a generated loan
-- stops, so it is 31 days after its oldest installment that the repayments do not cover.
CREATE TEMP TABLE arrears AS
    SELECT lh.family_id, min(loan_late_from(lh.due_on, lh.scheduled, lh.covered, lh.tolerance) + 31) AS reached_on
    FROM loan_histories lh JOIN loans l ON l.id = lh.loan_id
    WHERE lh.organization_id = :'org' AND l.disbursed_on IS NOT NULL
    GROUP BY lh.family_id
    HAVING min(loan_late_from(lh.due_on, lh.scheduled, lh.covered, lh.tolerance) + 31) <= :'today'::date;

CREATE TEMP TABLE first_flags AS
    SELECT f.family_id, f.on_day FROM flags f
    WHERE NOT EXISTS (SELECT 1 FROM flags p WHERE p.family_id = f.family_id AND p.on_day = f.on_day - 14);

SELECT 'recall' AS figure, count(*) FILTER (WHERE hit) AS hits, count(*) AS of,
       round(100.0 * count(*) FILTER (WHERE hit) / nullif(count(*), 0), 1) AS percent
FROM (SELECT a.family_id, EXISTS (SELECT 1 FROM flags f WHERE f.family_id = a.family_id
                                  AND f.on_day BETWEEN a.reached_on - 120 AND a.reached_on - 30) AS hit
      FROM arrears a WHERE a.reached_on - 120 >= (SELECT min(on_day) FROM samples)) r
UNION ALL
SELECT 'precision', count(*) FILTER (WHERE followed), count(*),
       round(100.0 * count(*) FILTER (WHERE followed) / nullif(count(*), 0), 1)
FROM (SELECT ff.family_id, EXISTS (SELECT 1 FROM arrears a WHERE a.family_id = ff.family_id
                                   AND a.reached_on > ff.on_day AND a.reached_on <= ff.on_day + 90) AS followed
      FROM first_flags ff WHERE ff.on_day <= :'today'::date - 90) p;
