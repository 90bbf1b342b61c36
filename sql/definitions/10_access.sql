-- Access rules enforced by PostgreSQL itself (SPEC §1): the acting organization, user and role
-- as the transaction set them, the mentor's families and what hangs below them, the check of a
-- request's token, and every row-level security policy. The roles and the table and column
-- privileges are the baseline's (sql/001_baseline.sql); row-level security is enabled there.
--
-- Tenants. Requests run as `ravnaq_app` or `ravnaq_officer` with `ravnaq.organization_id` set, so
-- the `tenant` policy of every table keeps each organization's rows from every other: even a query
-- without a WHERE clause sees only the actor's organization.
--
-- Mentors. When the transaction's `ravnaq.role` is not admin, coordinator or grant_officer
-- (a mentor, or nothing set at all), RESTRICTIVE policies leave only the rows of the families
-- assigned today (in the organization's time zone) to the acting user, `ravnaq.user_id`: the
-- families, their members, the mentor's own assignments of them, projects and their status
-- changes, monthly project reports, loans with their installments, repayments and history,
-- grants with their tranches and expenses, the enrollments and attendance of the families'
-- members, visits, plan goals, referrals, household incomes, assessments, the family's history,
-- its members' work changes and its alerts' acknowledgements. Courses and sessions stay visible.
-- The same expression checks new and changed rows, so a mentor cannot write outside those
-- families either. A family assigned to a mentor in the past is not theirs any more: they
-- neither read nor record anything of it (404), not even
-- something dated in the time it was theirs — late paperwork of that time goes through a
-- coordinator. What a current mentor records must be dated within their assignment (the
-- services answer 403 with the reason otherwise). The services check the same rules first, so
-- that a refusal names the reason; these are the floor that holds even when a service forgets.
--
-- Speed. Each policy reads `(SELECT ravnaq_sees_all_families()) OR key = ANY ((SELECT ids())::uuid[])`.
-- Both sub-selects are uncorrelated, so PostgreSQL computes each once per statement (an
-- InitPlan); for admins, coordinators and grant officers the first is true and the second is
-- never run, so their plans keep their index scans and pay one boolean test per row. The
-- mentor's ids come from SECURITY DEFINER functions, one per level (families → projects →
-- loans and grants; families → members → enrollments): they run with the owner's rights, which
-- row-level security does not apply to, so the policy on mentor_assignments can ask
-- mentor_assignments without recursing into itself. Tables that have no family_id (loans,
-- installments, repayments, grants, …) do not get one: a denormalized column would need a
-- trigger or a wider foreign key on every insert, repayments included, while these id arrays
-- cost nothing unless the actor is a mentor, and a mentor has tens of families.
--
-- Functions that run with their owner's rights look names up in public, and in the session's
-- temporary schema only last, so a temporary table can never stand in for api_tokens, users or
-- mentor_assignments inside them.

CREATE OR REPLACE FUNCTION ravnaq_org() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('ravnaq.organization_id', true), '')::uuid;

CREATE OR REPLACE FUNCTION ravnaq_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('ravnaq.user_id', true), '')::uuid;

-- Whether the actor's role sees every family of the organization; false for a mentor, and for a
-- transaction that set no role.
CREATE OR REPLACE FUNCTION ravnaq_sees_all_families() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(current_setting('ravnaq.role', true) IN ('admin', 'coordinator', 'grant_officer'), false);

-- Personal data (member names, PINFL, birth dates, the address below the district, visit
-- notes) is hidden from grant officers (SPEC §1): queries that return it may ask this first.
CREATE OR REPLACE FUNCTION ravnaq_sees_personal_data() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN current_setting('ravnaq.role', true) IS DISTINCT FROM 'grant_officer';

-- The families assigned today to the acting mentor (none for the other roles), and below them
-- the ids of their projects, loans, grants, members and enrollments. Owner's rights (see the
-- header); PL/pgSQL so that each connection plans their queries once, and parallel safe so that
-- large scans keep their parallel plans (a Gather evaluates every InitPlan up front: for the
-- other roles these return at once).
CREATE OR REPLACE FUNCTION ravnaq_mentor_families() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF ravnaq_sees_all_families() THEN
        RETURN '{}';
    END IF;
    RETURN (SELECT coalesce(array_agg(a.family_id), '{}')
            FROM mentor_assignments a JOIN organizations o ON o.id = a.organization_id
            WHERE a.mentor_id = ravnaq_user() AND a.organization_id = ravnaq_org()
              AND a.from_on <= (now() AT TIME ZONE o.time_zone)::date
              AND (a.to_on IS NULL OR a.to_on > (now() AT TIME ZONE o.time_zone)::date));
END $$;

-- ravnaq_mentor_<table>(): the ids of the table's rows whose column is among the mentor's ids
-- of the level above.
CREATE OR REPLACE FUNCTION ravnaq_mentor_projects() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(id), '{}') FROM projects WHERE family_id = ANY (ravnaq_mentor_families()));
END $$;

CREATE OR REPLACE FUNCTION ravnaq_mentor_loans() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(id), '{}') FROM loans WHERE project_id = ANY (ravnaq_mentor_projects()));
END $$;

CREATE OR REPLACE FUNCTION ravnaq_mentor_grants() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(id), '{}') FROM grants WHERE project_id = ANY (ravnaq_mentor_projects()));
END $$;

CREATE OR REPLACE FUNCTION ravnaq_mentor_members() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(id), '{}') FROM members WHERE family_id = ANY (ravnaq_mentor_families()));
END $$;

CREATE OR REPLACE FUNCTION ravnaq_mentor_enrollments() RETURNS uuid[]
LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT coalesce(array_agg(id), '{}') FROM enrollments WHERE member_id = ANY (ravnaq_mentor_members()));
END $$;

-- The services' own test of a family: the policies' rule, as an expression PostgreSQL can
-- inline — one comparison per row for the other roles instead of a function call with a
-- sub-query, and for a mentor only rows the policies already let through reach it. Lists and
-- reads of families, projects and loans ask it.
CREATE OR REPLACE FUNCTION ravnaq_may_see_family(family uuid) RETURNS boolean LANGUAGE sql STABLE
    RETURN ravnaq_sees_all_families() OR family = ANY (ravnaq_mentor_families());

-- A request's token is checked again inside the request's own transaction, in the statement
-- that sets the actor: the server may remember which user a token belongs to (and so take one
-- pooled connection per request instead of two), but a token revoked a moment ago, or a user
-- whose role is no longer the one remembered, is refused at once. NULL (the CLI) has no token.
-- A browser session's id (`rvs_…`) is checked the same way: open, used within the last 12 hours,
-- its user not revoked. It reads api_tokens and web_sessions, which the request roles may not,
-- so it runs with its owner's rights.
-- PL/pgSQL, so that each connection plans its two look-ups once: as a SQL function (which
-- PostgreSQL cannot inline, being SECURITY DEFINER) its body was parsed and planned at every
-- request, 0.17 of its 0.18 ms — half of a case file's time in the database (issue 18).
CREATE OR REPLACE FUNCTION ravnaq_token_in_force(token text, user_id uuid, role text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF token IS NULL THEN
        RETURN true;
    ELSIF left(token, 4) = 'rvs_' THEN
        RETURN EXISTS (
            SELECT 1 FROM web_sessions s JOIN users u ON u.id = s.user_id
            WHERE s.id_hash = sha256(convert_to(token, 'UTF8')) AND s.ended_at IS NULL
              AND s.last_seen_at > now() - interval '12 hours' AND u.revoked_at IS NULL
              AND u.id = ravnaq_token_in_force.user_id AND u.role = ravnaq_token_in_force.role);
    ELSE
        RETURN EXISTS (
            SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = sha256(convert_to(token, 'UTF8')) AND t.revoked_at IS NULL
              AND u.id = ravnaq_token_in_force.user_id AND u.role = ravnaq_token_in_force.role);
    END IF;
END $$;

-- Revoking a user, by an admin of the user's organization acting in a request: the user is
-- marked revoked, and every token and browser session of theirs ends in the same transaction.
-- Tokens and sessions are the owner's alone, hence the owner's rights; the caller's role and
-- organization are checked here, not only in Swift (the CLI sets both as the operator). Answers
-- how many tokens and sessions ended, NULL when the organization has no such user.
CREATE OR REPLACE FUNCTION ravnaq_revoke_user(revoked uuid) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    ended integer;
    sessions integer;
BEGIN
    IF current_setting('ravnaq.role', true) IS DISTINCT FROM 'admin' THEN
        RAISE EXCEPTION 'only admins revoke users' USING ERRCODE = 'insufficient_privilege';
    END IF;
    UPDATE users SET revoked_at = coalesce(revoked_at, now()) WHERE id = revoked AND organization_id = ravnaq_org();
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE api_tokens SET revoked_at = now() WHERE user_id = revoked AND revoked_at IS NULL;
    GET DIAGNOSTICS ended = ROW_COUNT;
    UPDATE web_sessions SET ended_at = now() WHERE user_id = revoked AND ended_at IS NULL;
    GET DIAGNOSTICS sessions = ROW_COUNT;
    RETURN ended + sessions;
END $$;

-- Tenants: every table of an organization's rows, and the organization itself.
-- (PostgreSQL 15 has no CREATE OR REPLACE POLICY: each is dropped and made again.)
DROP POLICY IF EXISTS tenant ON organizations;
CREATE POLICY tenant ON organizations USING (id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON users;
CREATE POLICY tenant ON users USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON api_tokens;
CREATE POLICY tenant ON api_tokens USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON sign_in_links;
CREATE POLICY tenant ON sign_in_links USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON web_sessions;
CREATE POLICY tenant ON web_sessions USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON audit_log;
CREATE POLICY tenant ON audit_log USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON programmes;
CREATE POLICY tenant ON programmes USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON approvals;
CREATE POLICY tenant ON approvals USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON loan_restructurings;
CREATE POLICY tenant ON loan_restructurings USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON calendars;
CREATE POLICY tenant ON calendars USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON holidays;
CREATE POLICY tenant ON holidays USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON imports;
CREATE POLICY tenant ON imports USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON families;
CREATE POLICY tenant ON families USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON members;
CREATE POLICY tenant ON members USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON mentor_assignments;
CREATE POLICY tenant ON mentor_assignments USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON projects;
CREATE POLICY tenant ON projects USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON project_status_changes;
CREATE POLICY tenant ON project_status_changes USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON accounts;
CREATE POLICY tenant ON accounts USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON ledger_transactions;
CREATE POLICY tenant ON ledger_transactions USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON ledger_day_totals;
CREATE POLICY tenant ON ledger_day_totals USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON ledger_unsummed;
CREATE POLICY tenant ON ledger_unsummed USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON postings;
CREATE POLICY tenant ON postings USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON programme_funds;
CREATE POLICY tenant ON programme_funds USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON loans;
CREATE POLICY tenant ON loans USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON loan_installments;
CREATE POLICY tenant ON loan_installments USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON repayments;
CREATE POLICY tenant ON repayments USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON loan_histories;
CREATE POLICY tenant ON loan_histories USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON grants;
CREATE POLICY tenant ON grants USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON grant_tranches;
CREATE POLICY tenant ON grant_tranches USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON grant_expenses;
CREATE POLICY tenant ON grant_expenses USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON idempotency_keys;
CREATE POLICY tenant ON idempotency_keys USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON courses;
CREATE POLICY tenant ON courses USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON course_sessions;
CREATE POLICY tenant ON course_sessions USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON enrollments;
CREATE POLICY tenant ON enrollments USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON attendance;
CREATE POLICY tenant ON attendance USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON visits;
CREATE POLICY tenant ON visits USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON plan_goals;
CREATE POLICY tenant ON plan_goals USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON referrals;
CREATE POLICY tenant ON referrals USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON period_locks;
CREATE POLICY tenant ON period_locks USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON project_reports;
CREATE POLICY tenant ON project_reports USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON household_incomes;
CREATE POLICY tenant ON household_incomes USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON assessments;
CREATE POLICY tenant ON assessments USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON family_histories;
CREATE POLICY tenant ON family_histories USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON member_work_changes;
CREATE POLICY tenant ON member_work_changes USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON alert_acknowledgements;
CREATE POLICY tenant ON alert_acknowledgements USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());
DROP POLICY IF EXISTS tenant ON notifications;
CREATE POLICY tenant ON notifications USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org());


-- Mentors: one restrictive policy per table, on the column that leads to a family and the
-- function that lists the mentor's values of it.
DROP POLICY IF EXISTS mentor_families ON families;
CREATE POLICY mentor_families ON families AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON members;
CREATE POLICY mentor_families ON members AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON mentor_assignments;
CREATE POLICY mentor_families ON mentor_assignments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON projects;
CREATE POLICY mentor_families ON projects AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON visits;
CREATE POLICY mentor_families ON visits AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON plan_goals;
CREATE POLICY mentor_families ON plan_goals AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON referrals;
CREATE POLICY mentor_families ON referrals AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON household_incomes;
CREATE POLICY mentor_families ON household_incomes AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON assessments;
CREATE POLICY mentor_families ON assessments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON family_histories;
CREATE POLICY mentor_families ON family_histories AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON member_work_changes;
CREATE POLICY mentor_families ON member_work_changes AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON alert_acknowledgements;
CREATE POLICY mentor_families ON alert_acknowledgements AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR family_id = ANY ((SELECT ravnaq_mentor_families())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON project_status_changes;
CREATE POLICY mentor_families ON project_status_changes AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR project_id = ANY ((SELECT ravnaq_mentor_projects())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON project_reports;
CREATE POLICY mentor_families ON project_reports AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR project_id = ANY ((SELECT ravnaq_mentor_projects())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON loans;
CREATE POLICY mentor_families ON loans AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR project_id = ANY ((SELECT ravnaq_mentor_projects())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON grants;
CREATE POLICY mentor_families ON grants AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR project_id = ANY ((SELECT ravnaq_mentor_projects())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON loan_installments;
CREATE POLICY mentor_families ON loan_installments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR loan_id = ANY ((SELECT ravnaq_mentor_loans())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON repayments;
CREATE POLICY mentor_families ON repayments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR loan_id = ANY ((SELECT ravnaq_mentor_loans())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON loan_histories;
CREATE POLICY mentor_families ON loan_histories AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR loan_id = ANY ((SELECT ravnaq_mentor_loans())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON grant_tranches;
CREATE POLICY mentor_families ON grant_tranches AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR grant_id = ANY ((SELECT ravnaq_mentor_grants())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON grant_expenses;
CREATE POLICY mentor_families ON grant_expenses AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR grant_id = ANY ((SELECT ravnaq_mentor_grants())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON enrollments;
CREATE POLICY mentor_families ON enrollments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR member_id = ANY ((SELECT ravnaq_mentor_members())::uuid[]));
DROP POLICY IF EXISTS mentor_families ON attendance;
CREATE POLICY mentor_families ON attendance AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR enrollment_id = ANY ((SELECT ravnaq_mentor_enrollments())::uuid[]));

-- Of a family's assignments, a mentor sees only their own.
DROP POLICY IF EXISTS mentor_own_assignments ON mentor_assignments;
CREATE POLICY mentor_own_assignments ON mentor_assignments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR mentor_id = (SELECT ravnaq_user()));

-- The audit log is for admins (SPEC §1); its before/after copies hold personal data of every
-- family, so the other roles read none of it here either. (Writing it is the audit trigger's,
-- which needs no SELECT.)
DROP POLICY IF EXISTS admins_read ON audit_log;
CREATE POLICY admins_read ON audit_log AS RESTRICTIVE FOR SELECT
    USING (current_setting('ravnaq.role', true) = 'admin');
