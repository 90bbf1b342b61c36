-- Each family's history as a few sorted arrays in one row, kept by triggers as incomes, project
-- reports, assessments, completions, projects, loans and grants are written, so that the
-- outcomes and training reports and graduation readiness (SPEC §7, §8) answer "as of any date"
-- from one row per family instead of replaying every family's history per request.
--
-- As in sql/019, a figure as of a day is a binary search: `width_bucket(day, dates)` is how
-- many elements of the sorted `dates` are on or before the day (0 for none), and indexes the
-- arrays beside it; `array[0]` is NULL. The poverty line is not kept here: lines can be added,
-- so bands are computed when read, from the few months a report looks at.
--
-- The row also carries the family's own keys (region, district, status) and its mentors over
-- time, so that a report reads one table per family instead of joining families and mentor
-- assignments of the whole organization as well.
CREATE TABLE family_histories (
    family_id        uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    -- As in `families`.
    region           text NOT NULL,
    district         text NOT NULL,
    status           text NOT NULL,
    status_on        date,
    -- Its mentor assignments by from_on (they never overlap; mentor_to_on 'infinity' while
    -- open), with the mentor's email, the key a report groups by; the last one again on its own.
    mentor_from_on   date[] NOT NULL,
    mentor_to_on     date[] NOT NULL,
    mentor_emails    text[] NOT NULL,
    last_mentor_from_on date,
    last_mentor_to_on date,
    last_mentor_email text,
    -- The programme of the family's latest loan or grant (by created_at; ties by id).
    programme_id     uuid,
    -- The type of its latest project (by created_at).
    project_type     text,
    -- Household income per reported month, by month; the first and the last month's again on
    -- their own. Reports read them for every family, and a column costs far less to read than an
    -- array's element: as of today (on or after the last element) a report reads no array at all.
    income_on        date[] NOT NULL,
    income_total     numeric[] NOT NULL,
    household_size   integer[] NOT NULL,
    first_income_on  date,
    first_income_total numeric,
    first_household_size integer,
    last_income_on   date,
    last_income_total numeric,
    last_household_size integer,
    -- The months any of its projects reported, by month: net income (revenue − costs) and jobs
    -- (members working + hired workers), summed over the projects.
    report_on        date[] NOT NULL,
    report_net       numeric[] NOT NULL,
    report_jobs      bigint[] NOT NULL,
    last_report_on   date,
    last_report_net  numeric,
    last_report_jobs bigint,
    -- Its assessments in (assessed_on, recorded_at) order. Per assessment 15 bytes, one per
    -- domain in the order of the columns of `assessments`: `scores` the scores (0–5); and
    -- `ssm_changes` the change since the intake as it stood then (the `intake` assessment if
    -- done by then, else the first), plus 5, or 0 where there is none (the assessment is that
    -- intake, or either score is 0). Bytes rather than smallint arrays: get_byte() reads a
    -- stored value in place, where an array subscript copies the array first (several times
    -- slower over 15 domains of 100 000 families).
    assessed_on      date[] NOT NULL,
    scores           bytea NOT NULL,
    ssm_changes      bytea NOT NULL,
    -- The completion dates of its members' courses, by date.
    completed_on     date[] NOT NULL,
    -- Its members' enrollments (in no particular order): the course and the completion date (NULL
    -- while not completed), so that the training report need not find the family of each.
    enrollment_ids   uuid[] NOT NULL,
    enrollment_course_ids uuid[] NOT NULL,
    enrollment_completed_on date[] NOT NULL,
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT family_histories_mentors_aligned CHECK (
        cardinality(mentor_to_on) = cardinality(mentor_from_on) AND cardinality(mentor_emails) = cardinality(mentor_from_on)),
    CONSTRAINT family_histories_incomes_aligned CHECK (
        cardinality(income_total) = cardinality(income_on) AND cardinality(household_size) = cardinality(income_on)),
    CONSTRAINT family_histories_reports_aligned CHECK (
        cardinality(report_net) = cardinality(report_on) AND cardinality(report_jobs) = cardinality(report_on)),
    CONSTRAINT family_histories_enrollments_aligned CHECK (
        cardinality(enrollment_course_ids) = cardinality(enrollment_ids) AND cardinality(enrollment_completed_on) = cardinality(enrollment_ids)),
    CONSTRAINT family_histories_assessments_aligned CHECK (
        length(scores) = 15 * cardinality(assessed_on) AND length(ssm_changes) = 15 * cardinality(assessed_on))
);

-- A domain's score in the family's `assessment`-th assessment (1-based, NULL for none; domain 1
-- is income). Callers pass nullif(width_bucket(…), 0), so that no assessment yet reads NULL.
CREATE FUNCTION ssm_score(scores bytea, assessment integer, domain integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN get_byte(scores, (assessment - 1) * 15 + (domain - 1));

-- A domain's change since intake, from its byte `at` in ssm_changes ((assessment − 1) × 15 +
-- domain − 1; a report computes the assessment's part once for all 15); NULL when there is none.
CREATE FUNCTION ssm_change(changes bytea, at integer) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN nullif(get_byte(changes, at), 0) - 5;

-- The history rows of the given families, computed from their rows in the other tables.
-- Set-based, filtered by the ids: for a few families every pass goes through the per-family
-- indexes; for a whole organization PostgreSQL scans and hashes instead.
CREATE FUNCTION family_history_rows(family_ids uuid[]) RETURNS SETOF family_histories
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
               array_agg(h.household_size ORDER BY h.period) AS household_size
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
    ), mentors AS (
        SELECT a.family_id, array_agg(a.from_on ORDER BY a.from_on) AS from_on, array_agg(coalesce(a.to_on, 'infinity') ORDER BY a.from_on) AS to_on,
               array_agg(u.email ORDER BY a.from_on) AS emails
        FROM mentor_assignments a JOIN users u ON u.id = a.mentor_id
        WHERE a.family_id = ANY (family_ids)
        GROUP BY a.family_id
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
           coalesce(c.enrollment_completed_on, '{}')
    FROM families f
    LEFT JOIN mentors m ON m.family_id = f.id
    LEFT JOIN fundings fu ON fu.family_id = f.id
    LEFT JOIN latest_projects lp ON lp.family_id = f.id
    LEFT JOIN incomes i ON i.family_id = f.id
    LEFT JOIN reports r ON r.family_id = f.id
    LEFT JOIN assessments a ON a.family_id = f.id
    LEFT JOIN completions c ON c.family_id = f.id
    WHERE f.id = ANY (family_ids)
$$;

-- Writes the given families' rows afresh. Owner's rights: requests only read the histories.
-- The rows are locked first, in id order, so that the computation (a new snapshot in the next
-- statement) sees what a concurrent transaction that wrote the same family committed, instead
-- of overwriting its row with figures that miss its change. PL/pgSQL, so that each connection
-- plans the statement once, not at every write.
CREATE FUNCTION refresh_family_histories(family_ids uuid[]) RETURNS void
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
        enrollment_course_ids = excluded.enrollment_course_ids, enrollment_completed_on = excluded.enrollment_completed_on;
END $$;

-- Every family of an organization, for bulk loads that ran with triggers off: planned for the
-- real number of ids (a plan cached for the few ids of a trigger would walk the indexes).
CREATE FUNCTION refresh_family_histories(org uuid) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
    SELECT refresh_family_histories(ARRAY(SELECT id FROM families WHERE organization_id = org))
$$;

-- Statement-level triggers: one refresh for the families a statement wrote rows of (before and
-- after, for an update). As for loans (sql/019), the refresh runs a plan made once for a few ids
-- rather than one planned afresh at every write.
CREATE FUNCTION keep_family_histories() RETURNS trigger
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
-- their WHEN skips the rest at no cost. The families before and after.
CREATE FUNCTION keep_family_history() RETURNS trigger
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
CREATE TRIGGER keep_histories AFTER INSERT ON families REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories();
DO $$
DECLARE
    t text;
BEGIN
    -- Any change to a month's income or report, an assessment or a mentor assignment.
    FOREACH t IN ARRAY ARRAY['household_incomes', 'project_reports', 'assessments', 'mentor_assignments'] LOOP
        EXECUTE format('CREATE TRIGGER keep_histories_update AFTER UPDATE ON %I
                            REFERENCING OLD TABLE AS changed_before NEW TABLE AS changed
                            FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories()', t);
    END LOOP;
    -- Rows added or removed.
    FOREACH t IN ARRAY ARRAY['household_incomes', 'project_reports', 'assessments', 'mentor_assignments', 'projects', 'loans', 'grants',
                             'enrollments'] LOOP
        EXECUTE format('CREATE TRIGGER keep_histories_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS changed
                            FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories()', t);
        EXECUTE format('CREATE TRIGGER keep_histories_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS changed
                            FOR EACH STATEMENT EXECUTE FUNCTION keep_family_histories()', t);
    END LOOP;
END $$;
CREATE TRIGGER keep_histories_update AFTER UPDATE OF region, district, status, status_on ON families FOR EACH ROW
    WHEN ((OLD.region, OLD.district, OLD.status, OLD.status_on) IS DISTINCT FROM (NEW.region, NEW.district, NEW.status, NEW.status_on))
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF email ON users FOR EACH ROW
    WHEN (OLD.email IS DISTINCT FROM NEW.email)
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF family_id, type, created_at ON projects FOR EACH ROW
    WHEN ((OLD.family_id, OLD.type, OLD.created_at) IS DISTINCT FROM (NEW.family_id, NEW.type, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF project_id, programme_id, created_at ON loans FOR EACH ROW
    WHEN ((OLD.project_id, OLD.programme_id, OLD.created_at) IS DISTINCT FROM (NEW.project_id, NEW.programme_id, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF project_id, programme_id, created_at ON grants FOR EACH ROW
    WHEN ((OLD.project_id, OLD.programme_id, OLD.created_at) IS DISTINCT FROM (NEW.project_id, NEW.programme_id, NEW.created_at))
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF member_id, completed, completed_on ON enrollments FOR EACH ROW
    WHEN ((OLD.member_id, OLD.completed, OLD.completed_on) IS DISTINCT FROM (NEW.member_id, NEW.completed, NEW.completed_on))
    EXECUTE FUNCTION keep_family_history();
CREATE TRIGGER keep_histories_update AFTER UPDATE OF family_id ON members FOR EACH ROW
    WHEN (OLD.family_id IS DISTINCT FROM NEW.family_id)
    EXECUTE FUNCTION keep_family_history();

ALTER TABLE family_histories ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON family_histories USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
CREATE POLICY mentor_families ON family_histories AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON family_histories FROM ravnaq_app;
-- Only the triggers and bulk loads (the owner) write histories.
REVOKE EXECUTE ON FUNCTION refresh_family_histories(uuid[]), refresh_family_histories(uuid), keep_family_histories(),
    keep_family_history() FROM PUBLIC;

-- Graduation readiness (SPEC §7) as in sql/014 — same decisions — read from the histories.
-- The programmes' settings, NULL where a programme sets none. Grouped by the key, so that
-- PostgreSQL reads each programme's JSON once rather than once per family, and knows there is
-- one row per programme: a query that joins it and uses none of it drops the join.
CREATE FUNCTION graduation_settings(org uuid)
RETURNS TABLE (programme_id uuid, income_months integer, min_ssm integer, max_dpd integer, courses integer)
LANGUAGE sql STABLE AS $$
    SELECT pg.id, (pg.graduation ->> 'income_months')::int, (pg.graduation ->> 'min_ssm')::int, (pg.graduation ->> 'max_dpd')::int,
           (pg.graduation ->> 'courses')::int
    FROM programmes pg WHERE pg.organization_id = org
    GROUP BY pg.id
$$;

-- The one definition of the criteria: a family's, from its history row, as of a date, under its
-- programme's settings (NULL: the defaults 3 months, SSM 3, 30 days, 1 course). The last N
-- reported months up to as_of are the N elements before width_bucket(as_of, income_on), each
-- against the line of its month (the latest that took effect by its first day) and the net
-- income its projects reported for it; the latest assessment and the completions up to as_of
-- are counted the same way; the family is in arrears when a live loan (disbursed, not written
-- off by as_of) is past due (loan_days_past_due, sql/019), and over the limit when one is more
-- than max_dpd days past due.
--
-- PostgreSQL inlines it into the caller's scan of family_histories (a lateral call): the report
-- reads each family's row once for its keys, figures and readiness. `ready` tests the criteria
-- cheapest first, so that for most families the income months and the loans are never looked
-- at (PostgreSQL's executor evaluates an AND left to right and stops at the first false: what
-- it does, though the documentation does not promise it; the figures are the same either
-- way, only the time differs); the loans are
-- looked up per family for the same reason. The history comes as separate columns rather than
-- the row: the sub-queries would otherwise make PostgreSQL build every family's whole row.
CREATE FUNCTION graduation_of(org uuid, as_of date, family_id uuid, income_on date[], income_total numeric[], household_size integer[],
                              report_on date[], report_net numeric[], assessed_on date[], scores bytea, completed_on date[],
                              programme_income_months integer, programme_min_ssm integer, programme_max_dpd integer,
                              programme_courses integer)
RETURNS TABLE (income_months integer, min_ssm integer, max_dpd integer, courses integer,
               income_above_line boolean, project_profitable boolean, no_loan_over_30_dpd boolean,
               ssm_core_domains boolean, course_completed boolean, in_arrears boolean, ready boolean)
LANGUAGE sql STABLE AS $$
    SELECT c.income_months, c.min_ssm, c.max_dpd, c.courses, c.income_above_line, c.project_profitable,
           NOT coalesce(c.days_past_due > c.max_dpd, false), c.ssm_core_domains, c.course_completed,
           coalesce(c.days_past_due > 0, false),
           c.course_completed AND c.ssm_core_domains AND c.income_above_line AND c.project_profitable
               AND NOT coalesce(c.days_past_due > 0, false) AND NOT coalesce(c.days_past_due > c.max_dpd, false)
    FROM (SELECT s.income_months, s.min_ssm, s.max_dpd, s.courses,
                 s.income_months >= 1 AND s.incomes >= s.income_months AND (
                     SELECT bool_and(coalesce(income_total[k] >= household_size[k]
                                                  * (SELECT array_agg(p.amount ORDER BY p.effective_on) FROM poverty_lines p)
                                                        [width_bucket(income_on[k], (SELECT array_agg(p.effective_on ORDER BY p.effective_on) FROM poverty_lines p))],
                                              false))
                     FROM generate_series(s.incomes - s.income_months + 1, s.incomes) k) AS income_above_line,
                 -- The projects' net income of the same month (none reported: not profitable).
                 s.income_months >= 1 AND s.incomes >= s.income_months AND (
                     SELECT bool_and(coalesce(CASE WHEN report_on[j] = income_on[k] THEN report_net[j] END > 0, false))
                     FROM generate_series(s.incomes - s.income_months + 1, s.incomes) k, width_bucket(income_on[k], report_on) j
                 ) AS project_profitable,
                 (SELECT max(loan_days_past_due(lh.due_on, lh.scheduled, lh.paid_on, lh.paid, as_of))
                  FROM loan_histories lh
                  WHERE lh.family_id = graduation_of.family_id AND lh.organization_id = org
                    AND (SELECT l.disbursed_on <= as_of AND (l.written_off_on IS NULL OR l.written_off_on > as_of)
                         FROM loans l WHERE l.id = lh.loan_id)) AS days_past_due,
                 coalesce(ssm_score(scores, s.assessed, 1) >= s.min_ssm AND ssm_score(scores, s.assessed, 2) >= s.min_ssm
                              AND ssm_score(scores, s.assessed, 4) >= s.min_ssm, false) AS ssm_core_domains,
                 width_bucket(as_of, completed_on) >= s.courses AS course_completed
          FROM (SELECT coalesce(programme_income_months, 3) AS income_months, coalesce(programme_min_ssm, 3) AS min_ssm,
                       coalesce(programme_max_dpd, 30) AS max_dpd, coalesce(programme_courses, 1) AS courses,
                       width_bucket(as_of, income_on) AS incomes,
                       nullif(width_bucket(as_of, assessed_on), 0) AS assessed) s) c
$$;

-- The family's programme and the poverty line per month were asked of these (sql/014) by the
-- reports and graduation that now read the histories.
DROP FUNCTION family_programmes(uuid, uuid);
DROP FUNCTION poverty_line_months(date);

-- Same signature and columns as in sql/014; `Graduation` reads it for one family.
CREATE OR REPLACE FUNCTION graduation_criteria(org uuid, as_of date, one_family uuid DEFAULT NULL)
RETURNS TABLE (family_id uuid, income_months integer, min_ssm integer, max_dpd integer, courses integer,
               income_above_line boolean, project_profitable boolean, no_loan_over_30_dpd boolean,
               ssm_core_domains boolean, course_completed boolean, in_arrears boolean, ready boolean)
LANGUAGE sql STABLE AS $$
    SELECT h.family_id, g.*
    FROM family_histories h
    LEFT JOIN graduation_settings(org) s ON s.programme_id = h.programme_id
    CROSS JOIN LATERAL graduation_of(org, as_of, h.family_id, h.income_on, h.income_total, h.household_size, h.report_on, h.report_net,
                                     h.assessed_on, h.scores, h.completed_on, s.income_months, s.min_ssm, s.max_dpd, s.courses) g
    WHERE h.organization_id = org AND (one_family IS NULL OR h.family_id = one_family)
$$;

-- The families that exist when this migration runs.
SELECT refresh_family_histories(ARRAY(SELECT id FROM families));

-- Statistics for the planner at once, rather than at the next autovacuum.
ANALYZE family_histories;
