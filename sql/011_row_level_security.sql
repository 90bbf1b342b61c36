-- Row-level security (SPEC §1, §10): requests run as `ravnaq_app`, a role that owns no table
-- and is no superuser (each transaction does SET LOCAL ROLE to it and sets
-- `ravnaq.organization_id`), so PostgreSQL itself keeps every organization's rows from every
-- other: even a query without a WHERE clause sees only the actor's organization. Migrations,
-- bootstrap (org and user commands, token checks) and bulk loads run as the schema owner.
--
-- Not here yet: the mentor's scope (only assigned families) and the grant officer's read-only,
-- personal-data-free view are enforced by the services; their policies come with the access
-- rules work.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ravnaq_app') THEN
        CREATE ROLE ravnaq_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
-- The connecting user switches to it per transaction.
GRANT ravnaq_app TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO ravnaq_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ravnaq_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ravnaq_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ravnaq_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ravnaq_app;
-- What requests never do, whatever the triggers say.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, ledger_transactions, postings, loan_installments FROM ravnaq_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations, organizations, api_tokens FROM ravnaq_app;
REVOKE INSERT, DELETE, TRUNCATE ON users FROM ravnaq_app;

CREATE FUNCTION ravnaq_org() RETURNS uuid LANGUAGE sql STABLE PARALLEL SAFE
    RETURN nullif(current_setting('ravnaq.organization_id', true), '')::uuid;

DO $$
DECLARE
    t text;
BEGIN
    FOREACH t IN ARRAY ARRAY[
        'users', 'api_tokens', 'audit_log', 'programmes', 'families', 'members', 'mentor_assignments', 'projects',
        'project_status_changes', 'accounts', 'ledger_transactions', 'postings', 'programme_funds', 'loans',
        'loan_installments', 'repayments', 'grants', 'grant_tranches', 'grant_expenses', 'idempotency_keys', 'courses',
        'course_sessions', 'enrollments', 'attendance', 'visits', 'plan_goals', 'referrals', 'period_locks',
        'project_reports', 'household_incomes', 'assessments']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant ON %I USING (organization_id = ravnaq_org()) WITH CHECK (organization_id = ravnaq_org())', t);
    END LOOP;
END $$;

ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON organizations USING (id = ravnaq_org());

-- Erasing personal data from audit copies needs the UPDATE that requests do not have; it runs
-- with its owner's rights, and only for the caller's own organization.
CREATE OR REPLACE FUNCTION erase_audit_copies(org uuid, entity_name text, ids text[], keys text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
DECLARE
    marker jsonb := '"[erased]"';
    key text;
BEGIN
    IF org IS DISTINCT FROM nullif(current_setting('ravnaq.organization_id', true), '')::uuid THEN
        RAISE EXCEPTION 'erasure is only for the acting organization' USING ERRCODE = '42501';
    END IF;
    PERFORM set_config('ravnaq.erasing', 'on', true);
    FOREACH key IN ARRAY keys LOOP
        UPDATE audit_log SET
            before = CASE WHEN before ? key THEN jsonb_set(before, ARRAY[key], marker) ELSE before END,
            after = CASE WHEN after ? key THEN jsonb_set(after, ARRAY[key], marker) ELSE after END
        WHERE organization_id = org AND entity = entity_name AND entity_id = ANY (ids)
          AND (before ? key OR after ? key);
    END LOOP;
    PERFORM set_config('ravnaq.erasing', 'off', true);
END $$;

-- Personal data (member names, PINFL, birth dates, the address below the district, visit
-- notes) is hidden from grant officers (SPEC §1): queries that return it ask this first.
CREATE FUNCTION ravnaq_sees_personal_data() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
    RETURN current_setting('ravnaq.role', true) IS DISTINCT FROM 'grant_officer';

-- A mentor sees only the families assigned to them today (in the organization's time zone);
-- every other role sees every family of its organization. Lists and reads of families,
-- projects and loans ask this.
CREATE FUNCTION ravnaq_may_see_family(family uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT current_setting('ravnaq.role', true) IS DISTINCT FROM 'mentor' OR EXISTS (
        SELECT 1 FROM mentor_assignments a JOIN organizations o ON o.id = a.organization_id
        WHERE a.family_id = family
          AND a.mentor_id = nullif(current_setting('ravnaq.user_id', true), '')::uuid
          AND a.from_on <= (now() AT TIME ZONE o.time_zone)::date
          AND (a.to_on IS NULL OR a.to_on > (now() AT TIME ZONE o.time_zone)::date))
$$;
