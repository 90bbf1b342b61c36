-- Smart monitoring (issue 17): the signals that a family is slipping, as of any date, and the
-- transparent score over them. `Alerts` (Sources/RavnaqCore/Monitoring) lists them, words the
-- reasons and keeps acknowledgements; the benchmark back-tests them.
--
-- Each signal is a stable code with the figures behind it (a JSON object); the score is the sum
-- of the weights of a family's signals, each code counted once, under the weights of the
-- family's programme (its latest loan or grant's: family_histories.programme_id) over the
-- defaults below. A weight of 0 turns a signal off.

-- The signal codes and their default weights: the one list (README, "Smart monitoring").
CREATE OR REPLACE FUNCTION alert_default_weights() RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN '{"loan_in_arrears": 50, "repayment_late": 30, "net_income_falling": 25, "income_below_line": 25,
         "grant_unaccounted": 20, "visit_overdue": 15, "ssm_domain_dropped": 15, "member_stopped_working": 15,
         "records_missing": 10}'::jsonb;

-- An alert's level from its score: high from 50 (a new high alert is sent to the mentor),
-- medium from 25, low below.
CREATE OR REPLACE FUNCTION alert_level(score integer) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN score >= 50 THEN 'high' WHEN score >= 25 THEN 'medium' ELSE 'low' END;

-- YYYY-MM of a month's first day.
CREATE OR REPLACE FUNCTION alert_month(month date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_char(month, 'YYYY-MM');

-- Members' work history: a row when a member is added and whenever `works` changes (with the
-- value before, `worked_before`), dated the organization's today. A bulk load with triggers off
-- (`ravnaq seed generate` as a superuser) writes the members' rows afterwards, as it writes the
-- histories.
CREATE OR REPLACE FUNCTION keep_member_work_changes() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    INSERT INTO member_work_changes (organization_id, member_id, family_id, changed_on, works, worked_before)
    SELECT NEW.organization_id, NEW.id, NEW.family_id, (now() AT TIME ZONE o.time_zone)::date, NEW.works,
           CASE TG_OP WHEN 'UPDATE' THEN OLD.works END
    FROM organizations o WHERE o.id = NEW.organization_id;
    RETURN NULL;
END $$;
REVOKE EXECUTE ON FUNCTION keep_member_work_changes() FROM PUBLIC;

CREATE OR REPLACE TRIGGER keep_work_changes AFTER INSERT ON members FOR EACH ROW EXECUTE FUNCTION keep_member_work_changes();
CREATE OR REPLACE TRIGGER keep_work_changes_update AFTER UPDATE OF works ON members FOR EACH ROW
    WHEN (OLD.works IS DISTINCT FROM NEW.works) EXECUTE FUNCTION keep_member_work_changes();

-- Withdrawing consent (Families.withdrawConsent) erases a family's personal data; the notes of
-- its alerts' acknowledgements are among it, like a visit's notes. The table is kept, never
-- changed by requests, so the erasure runs with its owner's rights, for the acting organization.
CREATE OR REPLACE FUNCTION erase_acknowledgement_notes(family uuid) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    WITH erased AS (
        UPDATE alert_acknowledgements SET note = NULL
        WHERE family_id = erase_acknowledgement_notes.family AND organization_id = ravnaq_org() AND note IS NOT NULL
        RETURNING 1)
    SELECT count(*)::int FROM erased
$$;

-- Every signal of every family of an organization (or of `one_family`), one row per family and
-- code; family_alert_signals() keeps those of the families active on the day. Row-level
-- security applies: a mentor's call sees only their families. The signals (README, "Smart
-- monitoring", says the same):
--
--   net_income_falling     the net income of the last 3 months reported fell twice in a row, by at
--                          least a tenth in all (three months in a row of ordinary ups and downs
--                          fall by chance one time in nine), the latest of them at most 2 months
--                          before the day's month (a month counts once it has ended, here and for
--                          incomes);
--   records_missing        after the 10th, last month's project report or household income is
--                          missing, for a family with an active project started by then;
--   repayment_late         its most overdue live loan is 1–30 days past due;
--   loan_in_arrears        … more than 30 days (not in the issue's list: a family that far
--                          behind needs its mentor more than any other);
--   visit_overdue          the visit its current mentor planned (or, before any, the
--                          assignment's first day) fell due more than 14 days ago;
--   ssm_domain_dropped     a domain scored lower in the latest assessment (at most 7 months
--                          old) than in the one before (0, not applicable, never counts);
--   income_below_line      the latest month's per-capita income (last month's or this one's)
--                          is below the poverty line, and the month recorded before was not;
--   member_stopped_working a member stopped working in the last 90 days and has not started again;
--   grant_unaccounted      of a grant's money disbursed 60 days or more before the day, its
--                          expenses through the day account for less than half.
--
-- One scan of the histories gives five signals (the visits are kept there too); the loans, the
-- work changes and the grants are each read from their own rows.
CREATE OR REPLACE FUNCTION family_signals(org uuid, as_of date, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, code text, figures json)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    -- Five signals from one scan of the histories: the elements each reads are taken out once
    -- (e: slices start at 1; every subscript of a stored array decompresses it again), the five
    -- tests are plain expressions on them (c), and only a family that passes one goes on to the
    -- figures (s). At 100 000 families a sub-query per signal and row cost about 9 µs a family.
    SELECT h.family_id, s.code, s.figures
    FROM family_histories h
    -- The poverty lines, each sub-select read once for the statement (uncorrelated, so an
    -- init plan, which a parallel scan shares; aggregated in a join, they may be planned inside
    -- the loop over the families and read again for each).
    CROSS JOIN (SELECT (SELECT array_agg(p.amount ORDER BY p.effective_on) FROM poverty_lines p) AS amount,
                       (SELECT array_agg(p.effective_on ORDER BY p.effective_on) FROM poverty_lines p) AS effective_on,
                       (SELECT min(p.amount) FROM poverty_lines p) AS lowest, (SELECT max(p.amount) FROM poverty_lines p) AS highest) lines
    -- Months count once they have ended: reports and incomes up to last month's.
    CROSS JOIN LATERAL (SELECT width_bucket(m.last_month, h.report_on) AS r, width_bucket(m.last_month, h.income_on) AS i,
                               width_bucket(as_of, h.assessed_on) AS a, width_bucket(as_of, h.mentor_from_on) AS m,
                               width_bucket(as_of, h.visited_on) AS v, m.last_month
                        FROM (SELECT (date_trunc('month', as_of::timestamp) - interval '1 month')::date AS last_month) m) k
    CROSS JOIN LATERAL (SELECT h.report_on[k.r - 2:k.r] AS report_on, h.report_net[k.r - 2:k.r] AS report_net,
                               h.income_on[k.i - 1:k.i] AS income_on, h.income_total[k.i - 1:k.i] AS income_total,
                               h.household_size[k.i - 1:k.i] AS household_size, h.assessed_on[k.a - 1:k.a] AS assessed_on,
                               CASE WHEN k.a >= 2 THEN substring(h.scores FROM (k.a - 2) * 15 + 1 FOR 30) END AS scores,
                               coalesce(h.report_on[width_bucket(k.last_month, h.report_on)] = k.last_month, false) AS reported,
                               coalesce(h.income_on[width_bucket(k.last_month, h.income_on)] = k.last_month, false) AS income_recorded,
                               h.mentor_from_on[k.m] AS mentor_from_on, h.mentor_to_on[k.m] AS mentor_to_on, h.mentor_emails[k.m] AS mentor,
                               h.visited_on[k.v] AS visited_on, h.next_visit_on[k.v] AS next_visit_on) e
    -- The current mentor's visit due: the one their latest visit planned, or the assignment's
    -- first day before any (k.m = 0: no mentor on the day, all of these are null).
    CROSS JOIN LATERAL (SELECT CASE WHEN e.visited_on >= e.mentor_from_on THEN e.visited_on END AS last_visit_on,
                               CASE WHEN e.visited_on >= e.mentor_from_on THEN e.next_visit_on ELSE e.mentor_from_on END AS visit_due_on) d
    CROSS JOIN LATERAL (
        SELECT coalesce(k.r >= 3 AND e.report_on[3] >= (k.last_month - interval '1 month')::date
                        AND e.report_net[1] > e.report_net[2] AND e.report_net[2] > e.report_net[3]
                        AND e.report_net[1] - e.report_net[3] >= abs(e.report_net[1]) / 10, false) AS falling,
               extract(day FROM as_of) > 10 AND NOT (e.reported AND e.income_recorded) AS missing,
               coalesce(k.a >= 2 AND e.assessed_on[2] >= graduation_assessed_from(as_of)
                        AND (get_byte(e.scores, 15) BETWEEN 1 AND get_byte(e.scores, 0) - 1 OR get_byte(e.scores, 16) BETWEEN 1 AND get_byte(e.scores, 1) - 1 OR get_byte(e.scores, 17) BETWEEN 1 AND get_byte(e.scores, 2) - 1
                                   OR get_byte(e.scores, 18) BETWEEN 1 AND get_byte(e.scores, 3) - 1 OR get_byte(e.scores, 19) BETWEEN 1 AND get_byte(e.scores, 4) - 1 OR get_byte(e.scores, 20) BETWEEN 1 AND get_byte(e.scores, 5) - 1
                                   OR get_byte(e.scores, 21) BETWEEN 1 AND get_byte(e.scores, 6) - 1 OR get_byte(e.scores, 22) BETWEEN 1 AND get_byte(e.scores, 7) - 1 OR get_byte(e.scores, 23) BETWEEN 1 AND get_byte(e.scores, 8) - 1
                                   OR get_byte(e.scores, 24) BETWEEN 1 AND get_byte(e.scores, 9) - 1 OR get_byte(e.scores, 25) BETWEEN 1 AND get_byte(e.scores, 10) - 1 OR get_byte(e.scores, 26) BETWEEN 1 AND get_byte(e.scores, 11) - 1
                                   OR get_byte(e.scores, 27) BETWEEN 1 AND get_byte(e.scores, 12) - 1 OR get_byte(e.scores, 28) BETWEEN 1 AND get_byte(e.scores, 13) - 1 OR get_byte(e.scores, 29) BETWEEN 1 AND get_byte(e.scores, 14) - 1), false) AS dropped,
               -- Against the lowest and highest line first: a subscript of the lines' arrays
               -- costs more than the test itself, and few families are near a line.
               coalesce(k.i >= 2 AND e.income_on[2] >= k.last_month
                        AND e.income_total[2] < e.household_size[2] * lines.highest AND e.income_total[1] >= e.household_size[1] * lines.lowest
                        AND e.income_total[2] < e.household_size[2] * lines.amount[width_bucket(e.income_on[2], lines.effective_on)]
                        AND e.income_total[1] >= e.household_size[1] * lines.amount[width_bucket(e.income_on[1], lines.effective_on)], false) AS below,
               coalesce(e.mentor_to_on > as_of AND as_of - d.visit_due_on > 14, false) AS overdue) c
    CROSS JOIN LATERAL (
        SELECT 'net_income_falling' AS code,
               json_build_object('months', json_build_array(alert_month(e.report_on[1]), alert_month(e.report_on[2]), alert_month(e.report_on[3])),
                                  'net', json_build_array(e.report_net[1]::numeric(18,2)::text, e.report_net[2]::numeric(18,2)::text,
                                                           e.report_net[3]::numeric(18,2)::text)) AS figures
        WHERE c.falling
        UNION ALL
        -- Last month's records are due only of a family with an active project started by then.
        SELECT 'records_missing',
               json_build_object('month', alert_month(k.last_month), 'project_report', NOT e.reported, 'household_income', NOT e.income_recorded)
        WHERE c.missing
          AND EXISTS (SELECT 1 FROM projects p WHERE p.family_id = h.family_id AND p.status = 'active' AND p.started_on <= k.last_month)
        UNION ALL
        SELECT 'ssm_domain_dropped',
               json_build_object('assessed_on', json_build_array(e.assessed_on[1], e.assessed_on[2]),
                                  'domains', (SELECT json_agg(json_build_object('domain', n.domain, 'from', get_byte(e.scores, n.at::int - 1),
                                                                                  'to', get_byte(e.scores, 14 + n.at::int)) ORDER BY n.at)
                                              FROM unnest(ARRAY['income', 'employment', 'housing', 'food', 'childcare', 'children_education',
                                                                'adult_education', 'health', 'life_skills', 'family_relations', 'community',
                                                                'legal', 'mobility', 'safety', 'credit']) WITH ORDINALITY n (domain, at)
                                              WHERE get_byte(e.scores, 14 + n.at::int) BETWEEN 1 AND get_byte(e.scores, n.at::int - 1) - 1))
        WHERE c.dropped
        UNION ALL
        SELECT 'income_below_line',
               json_build_object('months', json_build_array(alert_month(e.income_on[1]), alert_month(e.income_on[2])),
                                  'per_capita', json_build_array(round(e.income_total[1] / e.household_size[1], 2)::text,
                                                                  round(e.income_total[2] / e.household_size[2], 2)::text),
                                  'line', json_build_array(lines.amount[width_bucket(e.income_on[1], lines.effective_on)]::numeric(18,2)::text,
                                                            lines.amount[width_bucket(e.income_on[2], lines.effective_on)]::numeric(18,2)::text))
        WHERE c.below
        UNION ALL
        SELECT 'visit_overdue',
               json_build_object('due_on', d.visit_due_on, 'days_overdue', as_of - d.visit_due_on, 'last_visit_on', d.last_visit_on,
                                 'mentor', e.mentor)
        WHERE c.overdue
    ) s
    WHERE h.organization_id = org AND (one_family IS NULL OR h.family_id = one_family)
      AND (c.falling OR c.missing OR c.dropped OR c.below OR c.overdue)
    UNION ALL
    -- The family's most overdue live loan.
    (SELECT DISTINCT ON (x.family_id) x.family_id, CASE WHEN x.days_past_due > 30 THEN 'loan_in_arrears' ELSE 'repayment_late' END,
           json_build_object('loan', x.number, 'days_past_due', x.days_past_due, 'overdue', x.overdue::numeric(18,2)::text, 'currency', x.currency)
    FROM (SELECT lh.family_id, l.number, l.currency, s.days_past_due, s.overdue
          FROM loan_histories lh JOIN loans l ON l.id = lh.loan_id CROSS JOIN LATERAL loan_state(l, lh, as_of) s
          WHERE lh.organization_id = org AND (one_family IS NULL OR lh.family_id = one_family) AND loan_live_on(l.disbursed_on, l.written_off_on, as_of)
            AND loan_days_past_due(lh.due_on, lh.scheduled, lh.paid_on, lh.covered, lh.tolerance, as_of) > 0) x
    ORDER BY x.family_id, x.days_past_due DESC, x.number)
    UNION ALL
    -- A stop in the last 90 days (the partial index holds the stops), and no change since.
    SELECT r.family_id, 'member_stopped_working',
           json_build_object('members', json_agg(json_build_object('relation', m.relation, 'name', m.full_name, 'stopped_on', r.changed_on)
                                                   ORDER BY r.changed_on, m.relation))
    FROM member_work_changes r
    JOIN members m ON m.id = r.member_id
    WHERE r.organization_id = org AND NOT r.works AND r.worked_before AND r.changed_on > as_of - 90 AND r.changed_on <= as_of
      AND (one_family IS NULL OR r.family_id = one_family)
      AND NOT EXISTS (SELECT 1 FROM member_work_changes n WHERE n.member_id = r.member_id AND (n.changed_on, n.id) > (r.changed_on, r.id)
                      AND n.changed_on <= as_of)
    GROUP BY r.family_id
    UNION ALL
    -- The family's grant with the least accounted for.
    (SELECT DISTINCT ON (g.family_id) g.family_id, 'grant_unaccounted',
           json_build_object('grant', g.number, 'disbursed', g.disbursed::numeric(18,2)::text, 'spent', g.spent::numeric(18,2)::text,
                              'currency', g.currency, 'utilization_percent', floor(100 * g.spent / g.disbursed)::int)
    FROM (SELECT p.family_id, gr.number, gr.currency,
                 (SELECT sum(t.amount) FROM grant_tranches t WHERE t.grant_id = gr.id AND t.disbursed_on <= as_of - 60) AS disbursed,
                 (SELECT coalesce(sum(e.amount), 0) FROM grant_expenses e WHERE e.grant_id = gr.id AND e.spent_on <= as_of) AS spent
          FROM grants gr JOIN projects p ON p.id = gr.project_id
          WHERE gr.organization_id = org AND (one_family IS NULL OR p.family_id = one_family)) g
    WHERE g.disbursed > 0 AND 2 * g.spent < g.disbursed
    ORDER BY g.family_id, g.spent / g.disbursed, g.number)
$$;

-- The signals of the families active on the day (status active, or changed after the day), each
-- with its weight under the family's programme over the defaults; a signal weighing 0 is left
-- out. A family's score is the sum of its signals' weights: the alerts' list (Alerts) orders the
-- families by it and puts together the reasons of a page's families only.
CREATE OR REPLACE FUNCTION family_alert_signals(org uuid, as_of date, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, code text, weight integer, figures json)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT s.family_id, s.code, w.weight, s.figures
    FROM family_signals(org, as_of, one_family) s
    -- The family: active on the day, and its programme's weights.
    JOIN family_histories fh ON fh.family_id = s.family_id
    LEFT JOIN programmes pg ON pg.id = fh.programme_id
    CROSS JOIN LATERAL (SELECT coalesce((pg.alert_weights ->> s.code)::int, (alert_default_weights() ->> s.code)::int) AS weight) w
    WHERE (fh.status = 'active' OR fh.status_on > as_of) AND w.weight > 0
$$;
