-- Each family's kept history (the table family_histories is the baseline's, with the benefits and
-- write-offs of sql/007_graduation_rules.sql): one row per family
-- of sorted arrays, kept by triggers as incomes, project reports, assessments, completions,
-- projects, loans and grants are written, so that the outcomes and training reports and
-- graduation readiness (SPEC §7, §8) answer "as of any date" from one row per family instead of
-- replaying every family's history per request. A figure as of a day is a binary search, as for
-- loans (55_loans.sql): `width_bucket(day, dates)` indexes the arrays beside the dates.

-- A domain's score in the family's `assessment`-th assessment (1-based, NULL for none; domain 1
-- is income). Callers pass nullif(width_bucket(…), 0), so that no assessment yet reads NULL.
CREATE OR REPLACE FUNCTION ssm_score(scores bytea, assessment integer, domain integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN get_byte(scores, (assessment - 1) * 15 + (domain - 1));

-- A domain's change since intake, from its byte `at` in ssm_changes ((assessment − 1) × 15 +
-- domain − 1; a report computes the assessment's part once for all 15); NULL when there is none.
CREATE OR REPLACE FUNCTION ssm_change(changes bytea, at integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(get_byte(changes, at), 0) - 5;

-- The history rows of the given families, computed from their rows in the other tables.
-- Set-based, filtered by the ids: for a few families every pass goes through the per-family
-- indexes; for a whole organization PostgreSQL scans and hashes instead.
CREATE OR REPLACE FUNCTION family_history_rows(family_ids uuid[]) RETURNS SETOF family_histories
LANGUAGE sql STABLE AS $$
    WITH report_months AS (
        SELECT pj.family_id, pr.period, sum(pr.revenue - pr.costs) AS net, sum(pr.members_working + pr.hired_workers) AS jobs
        FROM projects pj JOIN project_reports pr ON pr.project_id = pj.id
        WHERE pj.family_id = ANY (family_ids)
        GROUP BY pj.family_id, pr.period
    ), reports AS (
        SELECT m.family_id, array_agg(m.period ORDER BY m.period) AS report_on, array_agg(m.net ORDER BY m.period) AS report_net,
               array_agg(m.jobs ORDER BY m.period) AS report_jobs
        FROM report_months m GROUP BY m.family_id
    ), incomes AS (
        SELECT h.family_id, array_agg(h.period ORDER BY h.period) AS income_on, array_agg(h.total ORDER BY h.period) AS income_total,
               array_agg(h.household_size ORDER BY h.period) AS household_size, array_agg(h.benefits ORDER BY h.period) AS income_benefits
        FROM household_incomes h WHERE h.family_id = ANY (family_ids)
        GROUP BY h.family_id
    ), assessed AS (
        -- n: the assessment's place in the family's order; intake_at: the place of its intake.
        SELECT r.*, min(r.n) FILTER (WHERE r.kind = 'intake') OVER (PARTITION BY r.family_id) AS intake_at
        FROM (SELECT a.*, row_number() OVER (PARTITION BY a.family_id ORDER BY a.assessed_on, a.recorded_at, a.id) AS n
              FROM assessments a WHERE a.family_id = ANY (family_ids)) r
    ), assessments AS (
        -- Scores are 0–5, so each is one hex digit, and so is a change + 5 (1–9).
        SELECT a.family_id, array_agg(a.assessed_on ORDER BY a.n) AS assessed_on,
               string_agg(decode('0' || array_to_string(ARRAY[
                   a.income, a.employment, a.housing, a.food, a.childcare, a.children_education, a.adult_education, a.health,
                   a.life_skills, a.family_relations, a.community, a.legal, a.mobility, a.safety, a.credit], '0'), 'hex'),
                   ''::bytea ORDER BY a.n) AS scores,
               string_agg(decode('0' || array_to_string(ARRAY[
                   CASE WHEN a.n > i.n AND a.income > 0 AND i.income > 0 THEN a.income - i.income + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.employment > 0 AND i.employment > 0 THEN a.employment - i.employment + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.housing > 0 AND i.housing > 0 THEN a.housing - i.housing + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.food > 0 AND i.food > 0 THEN a.food - i.food + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.childcare > 0 AND i.childcare > 0 THEN a.childcare - i.childcare + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.children_education > 0 AND i.children_education > 0
                        THEN a.children_education - i.children_education + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.adult_education > 0 AND i.adult_education > 0
                        THEN a.adult_education - i.adult_education + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.health > 0 AND i.health > 0 THEN a.health - i.health + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.life_skills > 0 AND i.life_skills > 0 THEN a.life_skills - i.life_skills + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.family_relations > 0 AND i.family_relations > 0
                        THEN a.family_relations - i.family_relations + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.community > 0 AND i.community > 0 THEN a.community - i.community + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.legal > 0 AND i.legal > 0 THEN a.legal - i.legal + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.mobility > 0 AND i.mobility > 0 THEN a.mobility - i.mobility + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.safety > 0 AND i.safety > 0 THEN a.safety - i.safety + 5 ELSE 0 END,
                   CASE WHEN a.n > i.n AND a.credit > 0 AND i.credit > 0 THEN a.credit - i.credit + 5 ELSE 0 END], '0'), 'hex'),
                   ''::bytea ORDER BY a.n) AS ssm_changes
        FROM assessed a
        -- The intake as of each assessment: the `intake` one once done, the first before.
        JOIN assessed i ON i.family_id = a.family_id AND i.n = CASE WHEN a.intake_at <= a.n THEN a.intake_at ELSE 1 END
        GROUP BY a.family_id
    ), completions AS (
        SELECT m.family_id, coalesce(array_agg(e.completed_on ORDER BY e.completed_on) FILTER (WHERE e.completed), '{}') AS completed_on,
               array_agg(e.id ORDER BY e.id) AS enrollment_ids, array_agg(e.course_id ORDER BY e.id) AS enrollment_course_ids,
               array_agg(e.completed_on ORDER BY e.id) AS enrollment_completed_on
        FROM members m JOIN enrollments e ON e.member_id = m.id
        WHERE m.family_id = ANY (family_ids)
        GROUP BY m.family_id
    ), fundings AS (
        SELECT DISTINCT ON (x.family_id) x.family_id, x.programme_id
        FROM (SELECT pj.family_id, l.programme_id, l.created_at, l.id FROM projects pj JOIN loans l ON l.project_id = pj.id
              WHERE pj.family_id = ANY (family_ids)
              UNION ALL
              SELECT pj.family_id, g.programme_id, g.created_at, g.id FROM projects pj JOIN grants g ON g.project_id = pj.id
              WHERE pj.family_id = ANY (family_ids)) x
        ORDER BY x.family_id, x.created_at DESC, x.id DESC
    ), write_offs AS (
        SELECT pj.family_id, array_agg(l.written_off_on ORDER BY l.written_off_on) AS written_off_on
        FROM projects pj JOIN loans l ON l.project_id = pj.id
        WHERE pj.family_id = ANY (family_ids) AND l.written_off_on IS NOT NULL
        GROUP BY pj.family_id
    ), mentors AS (
        SELECT a.family_id, array_agg(a.from_on ORDER BY a.from_on) AS from_on, array_agg(coalesce(a.to_on, 'infinity') ORDER BY a.from_on) AS to_on,
               array_agg(u.email ORDER BY a.from_on) AS emails
        FROM mentor_assignments a JOIN users u ON u.id = a.mentor_id
        WHERE a.family_id = ANY (family_ids)
        GROUP BY a.family_id
    ), family_visits AS (
        SELECT v.family_id, array_agg(v.visited_on ORDER BY v.visited_on, v.created_at, v.id) AS visited_on,
               array_agg(v.next_visit_on ORDER BY v.visited_on, v.created_at, v.id) AS next_visit_on
        FROM visits v WHERE v.family_id = ANY (family_ids)
        GROUP BY v.family_id
    ), latest_projects AS (
        SELECT DISTINCT ON (pj.family_id) pj.family_id, pj.type
        FROM projects pj WHERE pj.family_id = ANY (family_ids)
        ORDER BY pj.family_id, pj.created_at DESC, pj.id DESC
    )
    SELECT f.id, f.organization_id, f.region, f.district, f.status, f.status_on,
           coalesce(m.from_on, '{}'), coalesce(m.to_on, '{}'), coalesce(m.emails, '{}'),
           m.from_on[cardinality(m.from_on)], m.to_on[cardinality(m.to_on)], m.emails[cardinality(m.emails)], fu.programme_id, lp.type,
           coalesce(i.income_on, '{}'), coalesce(i.income_total, '{}'), coalesce(i.household_size, '{}'),
           i.income_on[1], i.income_total[1], i.household_size[1],
           i.income_on[cardinality(i.income_on)], i.income_total[cardinality(i.income_total)], i.household_size[cardinality(i.household_size)],
           coalesce(r.report_on, '{}'), coalesce(r.report_net, '{}'), coalesce(r.report_jobs, '{}'),
           r.report_on[cardinality(r.report_on)], r.report_net[cardinality(r.report_net)], r.report_jobs[cardinality(r.report_jobs)],
           coalesce(a.assessed_on, '{}'), coalesce(a.scores, ''), coalesce(a.ssm_changes, ''),
           coalesce(c.completed_on, '{}'), coalesce(c.enrollment_ids, '{}'), coalesce(c.enrollment_course_ids, '{}'),
           coalesce(c.enrollment_completed_on, '{}'), coalesce(i.income_benefits, '{}'), coalesce(w.written_off_on, '{}'),
           coalesce(v.visited_on, '{}'), coalesce(v.next_visit_on, '{}')
    FROM families f
    LEFT JOIN mentors m ON m.family_id = f.id
    LEFT JOIN fundings fu ON fu.family_id = f.id
    LEFT JOIN latest_projects lp ON lp.family_id = f.id
    LEFT JOIN incomes i ON i.family_id = f.id
    LEFT JOIN reports r ON r.family_id = f.id
    LEFT JOIN assessments a ON a.family_id = f.id
    LEFT JOIN completions c ON c.family_id = f.id
    LEFT JOIN write_offs w ON w.family_id = f.id
    LEFT JOIN family_visits v ON v.family_id = f.id
    WHERE f.id = ANY (family_ids)
$$;

-- Writes the given families' rows afresh. Owner's rights: requests only read the histories.
-- The rows are locked first, in id order, so that the computation (a new snapshot in the next
-- statement) sees what a concurrent transaction that wrote the same family committed, instead
-- of overwriting its row with figures that miss its change. PL/pgSQL, so that each connection
-- plans the statement once, not at every write.
CREATE OR REPLACE FUNCTION refresh_family_histories(family_ids uuid[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    PERFORM 1 FROM family_histories WHERE family_id = ANY (family_ids) ORDER BY family_id FOR UPDATE;
    INSERT INTO family_histories SELECT * FROM family_history_rows(family_ids)
    ON CONFLICT (family_id) DO UPDATE SET
        region = excluded.region, district = excluded.district, status = excluded.status, status_on = excluded.status_on,
        mentor_from_on = excluded.mentor_from_on, mentor_to_on = excluded.mentor_to_on, mentor_emails = excluded.mentor_emails,
        last_mentor_from_on = excluded.last_mentor_from_on, last_mentor_to_on = excluded.last_mentor_to_on,
        last_mentor_email = excluded.last_mentor_email,
        programme_id = excluded.programme_id, project_type = excluded.project_type,
        income_on = excluded.income_on, income_total = excluded.income_total, household_size = excluded.household_size,
        first_income_on = excluded.first_income_on, first_income_total = excluded.first_income_total,
        first_household_size = excluded.first_household_size, last_income_on = excluded.last_income_on,
        last_income_total = excluded.last_income_total, last_household_size = excluded.last_household_size,
        report_on = excluded.report_on, report_net = excluded.report_net, report_jobs = excluded.report_jobs,
        last_report_on = excluded.last_report_on, last_report_net = excluded.last_report_net, last_report_jobs = excluded.last_report_jobs,
        assessed_on = excluded.assessed_on, scores = excluded.scores, ssm_changes = excluded.ssm_changes,
        completed_on = excluded.completed_on, enrollment_ids = excluded.enrollment_ids,
        enrollment_course_ids = excluded.enrollment_course_ids, enrollment_completed_on = excluded.enrollment_completed_on,
        income_benefits = excluded.income_benefits, written_off_on = excluded.written_off_on,
        visited_on = excluded.visited_on, next_visit_on = excluded.next_visit_on;
END $$;

-- Every family of an organization, for bulk loads that ran with triggers off: planned for the
-- real number of ids (a plan cached for the few ids of a trigger would walk the indexes).
CREATE OR REPLACE FUNCTION refresh_family_histories(org uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    SELECT refresh_family_histories(ARRAY(SELECT id FROM families WHERE organization_id = org))
$$;

-- Statement-level triggers: one refresh for the families a statement wrote rows of (before and
-- after, for an update). As for loans, the refresh runs a plan made once for a few ids rather
-- than one planned afresh at every write.
CREATE OR REPLACE FUNCTION keep_family_histories() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    ids uuid[];
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'families' THEN ids := ARRAY(SELECT id FROM changed);
    WHEN 'project_reports', 'loans', 'grants' THEN
        ids := ARRAY(SELECT pj.family_id FROM changed c JOIN projects pj ON pj.id = c.project_id);
    WHEN 'enrollments' THEN
        ids := ARRAY(SELECT m.family_id FROM changed c JOIN members m ON m.id = c.member_id);
    ELSE
        ids := ARRAY(SELECT family_id FROM changed);
    END CASE;
    IF TG_OP = 'UPDATE' THEN
        IF TG_TABLE_NAME = 'project_reports' THEN
            ids := ids || ARRAY(SELECT pj.family_id FROM changed_before c JOIN projects pj ON pj.id = c.project_id);
        ELSE
            ids := ids || ARRAY(SELECT family_id FROM changed_before);
        END IF;
    END IF;
    PERFORM refresh_family_histories(ARRAY(SELECT DISTINCT unnest(ids)));
    RETURN NULL;
END $$;

-- Row-level triggers for the updates that rarely change a history (a loan's status changes at
-- every disbursement, an enrollment's at every attendance, a family's consent is recorded):
-- their WHEN skips the rest at no cost. The families before and after. A loan's write-off is
-- one of them: graduation reads the write-off dates (80_graduation.sql).
CREATE OR REPLACE FUNCTION keep_family_history() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    CASE TG_TABLE_NAME
    WHEN 'loans', 'grants' THEN
        PERFORM refresh_family_histories(ARRAY(SELECT family_id FROM projects WHERE id IN (OLD.project_id, NEW.project_id)));
    WHEN 'enrollments' THEN
        PERFORM refresh_family_histories(ARRAY(SELECT family_id FROM members WHERE id IN (OLD.member_id, NEW.member_id)));
    WHEN 'families' THEN
        PERFORM refresh_family_histories(ARRAY[NEW.id]);
    WHEN 'users' THEN
        PERFORM refresh_family_histories(ARRAY(SELECT DISTINCT family_id FROM mentor_assignments WHERE mentor_id = NEW.id));
    ELSE
        PERFORM refresh_family_histories(ARRAY[OLD.family_id, NEW.family_id]);
    END CASE;
    RETURN NULL;
END $$;

-- A new family starts with an empty row.
CREATE OR REPLACE TRIGGER keep_histories AFTER INSERT ON families REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();

-- Any change to a month's income or report, an assessment or a mentor assignment.
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE ON household_incomes
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE ON project_reports
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE ON assessments
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE ON mentor_assignments
    REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();

-- Rows added or removed.
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON household_incomes
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON household_incomes
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON project_reports
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON project_reports
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON assessments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON assessments
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON mentor_assignments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON mentor_assignments
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON projects
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON projects
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON loans
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON loans
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON grants
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON grants
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON enrollments
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON enrollments
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_insert AFTER INSERT ON visits
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
CREATE OR REPLACE TRIGGER keep_histories_delete AFTER DELETE ON visits
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();

-- The rare updates, row by row, with their WHEN.
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF region, district, status, status_on ON families FOR EACH ROW
    WHEN ((OLD.region, OLD.district, OLD.status, OLD.status_on) IS DISTINCT FROM (NEW.region, NEW.district, NEW.status, NEW.status_on))
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF email ON users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF family_id, type, created_at ON projects FOR EACH ROW
    WHEN ((OLD.family_id, OLD.type, OLD.created_at) IS DISTINCT FROM (NEW.family_id, NEW.type, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF project_id, programme_id, created_at, written_off_on ON loans FOR EACH ROW
    WHEN ((OLD.project_id, OLD.programme_id, OLD.created_at, OLD.written_off_on)
          IS DISTINCT FROM (NEW.project_id, NEW.programme_id, NEW.created_at, NEW.written_off_on))
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF project_id, programme_id, created_at ON grants FOR EACH ROW
    WHEN ((OLD.project_id, OLD.programme_id, OLD.created_at) IS DISTINCT FROM (NEW.project_id, NEW.programme_id, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF member_id, completed, completed_on ON enrollments FOR EACH ROW
    WHEN ((OLD.member_id, OLD.completed, OLD.completed_on) IS DISTINCT FROM (NEW.member_id, NEW.completed, NEW.completed_on))
    EXECUTE FUNCTION keep_family_history();
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF family_id ON members FOR EACH ROW
    WHEN (OLD.family_id IS DISTINCT FROM NEW.family_id)
    EXECUTE FUNCTION keep_family_history();
-- A visit's notes change (erasure) without touching its days.
CREATE OR REPLACE TRIGGER keep_histories_update AFTER UPDATE OF family_id, visited_on, next_visit_on, created_at ON visits FOR EACH ROW
    WHEN ((OLD.family_id, OLD.visited_on, OLD.next_visit_on, OLD.created_at)
          IS DISTINCT FROM (NEW.family_id, NEW.visited_on, NEW.next_visit_on, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();

-- Only the triggers and bulk loads (the owner) write histories.
REVOKE EXECUTE ON FUNCTION refresh_family_histories(uuid[]), refresh_family_histories(uuid), keep_family_histories(),
    keep_family_history() FROM PUBLIC;
