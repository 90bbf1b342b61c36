-- Access rules enforced by PostgreSQL itself (SPEC §1), on top of the tenant policies of 011.
-- The services check the same rules first, so that a refusal names the reason; these are the
-- floor that holds even when a service forgets, or a query is written without a WHERE clause.
--
-- Mentors. When the transaction's `ravnaq.role` is not admin, coordinator or grant_officer
-- (a mentor, or nothing set at all), RESTRICTIVE policies leave only the rows of the families
-- assigned today (in the organization's time zone) to the acting user, `ravnaq.user_id`: the
-- families, their members, the mentor's own assignments of them, projects and their status
-- changes, monthly project reports, loans with their installments and repayments, grants with
-- their tranches and expenses, the enrollments and attendance of the families' members, visits,
-- plan goals, referrals, household incomes and assessments. Courses and sessions stay visible.
-- The same expression checks new and changed rows, so a mentor cannot write outside those
-- families either. A family assigned to a mentor in the past is not theirs any more: they
-- neither read nor record anything of it (404), not even something dated in the time it was
-- theirs — late paperwork of that time goes through a coordinator. What a current mentor records
-- must be dated within their assignment (the services answer 403 with the reason otherwise).
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
-- The audit log. Only admins read it (SPEC §1), here too: its copies hold every family's
-- personal data.
--
-- Grant officers. Their requests run as `ravnaq_officer` instead of `ravnaq_app` (chosen from
-- `ravnaq.role` in the statement that sets it, Database+Transaction.swift). The role may read
-- every table but the audit log (whose copies hold personal data; it is for admins) and the
-- tokens, and not the personal columns — member names, birth dates and PINFL, the mahalla, visit
-- notes — so a query that names one fails instead of leaking it. Its only writes are the two
-- columns that approve a tranche and the audit row that approval adds. Privileges rather than
-- policies: they refuse an INSERT, UPDATE or DELETE even when it matches no row (a policy would
-- quietly skip the rows) and cost nothing per row; a refusal is insufficient_privilege, which
-- the services answer with 403. Columns added to members, families or visits later are hidden
-- from grant officers until a migration grants them; new tables are readable (default
-- privileges below).

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ravnaq_officer') THEN
        CREATE ROLE ravnaq_officer NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
GRANT ravnaq_officer TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO ravnaq_officer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ravnaq_officer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ravnaq_officer;
REVOKE SELECT ON audit_log, api_tokens, members, families, visits FROM ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, sex, relation, disability, works, erased_on, created_at)
    ON members TO ravnaq_officer;
GRANT SELECT (id, organization_id, code, region, district, categories, registry_ref, consent_on, status, status_on,
              exit_reason, created_at, consent_withdrawn_on)
    ON families TO ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, visited_on, kind, next_visit_on, mentor_id, created_at)
    ON visits TO ravnaq_officer;
-- Approving a tranche (SPEC §1: a grant officer's only write), and its audit row.
GRANT UPDATE (approved_at, approved_by) ON grant_tranches TO ravnaq_officer;
GRANT INSERT ON audit_log TO ravnaq_officer;

CREATE FUNCTION ravnaq_user() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('ravnaq.user_id', true), '')::uuid;

-- Whether the actor's role sees every family of the organization; false for a mentor, and for a
-- transaction that set no role.
CREATE FUNCTION ravnaq_sees_all_families() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN coalesce(current_setting('ravnaq.role', true) IN ('admin', 'coordinator', 'grant_officer'), false);

-- The families assigned today to the acting mentor (none for the other roles), and below them
-- the ids of their projects, loans, grants, members and enrollments. Owner's rights (see the
-- header); PL/pgSQL so that each connection plans their queries once, and parallel safe so that
-- large scans keep their parallel plans (a Gather evaluates every InitPlan up front: for the
-- other roles these return at once).
CREATE FUNCTION ravnaq_mentor_families() RETURNS uuid[] LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
SET search_path = pg_catalog, public AS $$
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

-- ravnaq_mentor_<table>(): the ids of the table's rows whose <column> is among the mentor's
-- <parent> ids; a loop, as the five differ only in these names.
DO $do$
DECLARE
    level text[];
BEGIN
    FOREACH level SLICE 1 IN ARRAY ARRAY[
        ['projects', 'family_id', 'families'],
        ['loans', 'project_id', 'projects'],
        ['grants', 'project_id', 'projects'],
        ['members', 'family_id', 'families'],
        ['enrollments', 'member_id', 'members']]
    LOOP
        EXECUTE format(
            $f$CREATE FUNCTION %I() RETURNS uuid[] LANGUAGE plpgsql STABLE PARALLEL SAFE SECURITY DEFINER
               SET search_path = pg_catalog, public AS $body$
               BEGIN
                   RETURN (SELECT coalesce(array_agg(id), '{}') FROM %I WHERE %I = ANY (%I()));
               END $body$$f$,
            'ravnaq_mentor_' || level[1], level[1], level[2], 'ravnaq_mentor_' || level[3]);
    END LOOP;
END $do$;

-- One restrictive policy per table: the column that leads to a family, and the function that
-- lists the mentor's values of it.
DO $$
DECLARE
    rule text[];
BEGIN
    FOREACH rule SLICE 1 IN ARRAY ARRAY[
        ['families', 'id', 'ravnaq_mentor_families'],
        ['members', 'family_id', 'ravnaq_mentor_families'],
        ['mentor_assignments', 'family_id', 'ravnaq_mentor_families'],
        ['projects', 'family_id', 'ravnaq_mentor_families'],
        ['visits', 'family_id', 'ravnaq_mentor_families'],
        ['plan_goals', 'family_id', 'ravnaq_mentor_families'],
        ['referrals', 'family_id', 'ravnaq_mentor_families'],
        ['household_incomes', 'family_id', 'ravnaq_mentor_families'],
        ['assessments', 'family_id', 'ravnaq_mentor_families'],
        ['project_status_changes', 'project_id', 'ravnaq_mentor_projects'],
        ['project_reports', 'project_id', 'ravnaq_mentor_projects'],
        ['loans', 'project_id', 'ravnaq_mentor_projects'],
        ['grants', 'project_id', 'ravnaq_mentor_projects'],
        ['loan_installments', 'loan_id', 'ravnaq_mentor_loans'],
        ['repayments', 'loan_id', 'ravnaq_mentor_loans'],
        ['grant_tranches', 'grant_id', 'ravnaq_mentor_grants'],
        ['grant_expenses', 'grant_id', 'ravnaq_mentor_grants'],
        ['enrollments', 'member_id', 'ravnaq_mentor_members'],
        ['attendance', 'enrollment_id', 'ravnaq_mentor_enrollments']]
    LOOP
        EXECUTE format(
            'CREATE POLICY mentor_families ON %I AS RESTRICTIVE USING ((SELECT ravnaq_sees_all_families()) OR %I = ANY ((SELECT %I())::uuid[]))',
            rule[1], rule[2], rule[3]);
    END LOOP;
END $$;

-- Of a family's assignments, a mentor sees only their own.
CREATE POLICY mentor_own_assignments ON mentor_assignments AS RESTRICTIVE
    USING ((SELECT ravnaq_sees_all_families()) OR mentor_id = (SELECT ravnaq_user()));

-- The services' own test of a family (011) now states the policies' rule, as an expression
-- PostgreSQL can inline: one comparison per row for the other roles instead of a function call
-- with a sub-query, and for a mentor only rows the policies already let through reach it.
CREATE OR REPLACE FUNCTION ravnaq_may_see_family(family uuid) RETURNS boolean LANGUAGE sql STABLE
    RETURN ravnaq_sees_all_families() OR family = ANY (ravnaq_mentor_families());

-- The audit log is for admins (SPEC §1); its before/after copies hold personal data of every
-- family, so the other roles read none of it here either. (Writing it is the audit trigger's,
-- which needs no SELECT.)
CREATE POLICY admins_read ON audit_log AS RESTRICTIVE FOR SELECT
    USING (current_setting('ravnaq.role', true) = 'admin');
