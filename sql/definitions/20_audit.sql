-- The audit log (SPEC §2): one row per changed row, written in the same transaction as the
-- change, with the actor the transaction set (`ravnaq.actor`); append-only, except for erasing
-- personal data when consent is withdrawn. The table is the baseline's.

-- Bulk loads (`ravnaq seed generate`) record the whole load in one audit row instead of a copy
-- of every row: they set `ravnaq.audit` to 'off', which the triggers check before any other
-- work, and which is never honoured for the request roles: a request, running as ravnaq_app or
-- ravnaq_officer, cannot turn the audit off.
CREATE OR REPLACE FUNCTION ravnaq_audit_off() RETURNS boolean LANGUAGE sql STABLE
    RETURN current_setting('ravnaq.audit', true) = 'off' AND current_user NOT IN ('ravnaq_app', 'ravnaq_officer');

-- A families import (issue 15) is one audit entry: its row in `imports`, naming the file's
-- SHA-256 and its counts, audited as any insert. While the import inserts its families and
-- members it names that row in `ravnaq.import`; the copies of those inserts are left out only
-- when the row is a families import of the acting organization written by this very
-- transaction, so no other work can borrow the switch.
CREATE OR REPLACE FUNCTION ravnaq_import_audited() RETURNS boolean LANGUAGE sql STABLE
    RETURN EXISTS (SELECT 1 FROM imports i
                   WHERE i.id = nullif(current_setting('ravnaq.import', true), '')::uuid AND i.kind = 'families'
                     AND i.organization_id = ravnaq_org() AND i.xmin = pg_current_xact_id()::xid);

-- The audit trigger. Columns named in the trigger's arguments are left out of the copies
-- (token hashes).
CREATE OR REPLACE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hidden text[] := coalesce(TG_ARGV, '{}');  -- NULL, not empty, when the trigger has no arguments
    old_row jsonb;
    new_row jsonb;
    any_row jsonb;
BEGIN
    IF ravnaq_audit_off() THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' AND TG_TABLE_NAME IN ('families', 'members') AND current_setting('ravnaq.import', true) <> ''
       AND ravnaq_import_audited() THEN
        RETURN NULL;
    END IF;
    old_row := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - hidden END;
    new_row := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - hidden END;
    any_row := coalesce(new_row, old_row);
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (
        coalesce(any_row ->> 'organization_id', any_row ->> 'id')::uuid,
        coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
        lower(TG_OP), TG_TABLE_NAME, any_row ->> 'id', old_row, new_row);
    RETURN NULL;
END $$;

-- grant_tranches has a composite key; its changes are audited with the grant's id and the
-- tranche's number.
CREATE OR REPLACE FUNCTION audit_tranche() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ravnaq_audit_off() THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (coalesce(NEW.organization_id, OLD.organization_id),
            coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
            lower(TG_OP), 'grant_tranches', coalesce(NEW.grant_id, OLD.grant_id)::text || '/' || coalesce(NEW.n, OLD.n),
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
    RETURN NULL;
END $$;

-- attendance has a composite key; its changes are audited as session/enrollment.
CREATE OR REPLACE FUNCTION audit_attendance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF ravnaq_audit_off() THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (coalesce(NEW.organization_id, OLD.organization_id),
            coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
            lower(TG_OP), 'attendance',
            coalesce(NEW.session_id, OLD.session_id)::text || '/' || coalesce(NEW.enrollment_id, OLD.enrollment_id)::text,
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
    RETURN NULL;
END $$;

-- Append-only rows (the audit log here; the ledger and loan schedules in their files).
CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one exception: erasing personal data from audit copies, inside erase_audit_copies().
    -- (Nested: PL/pgSQL does not promise to stop at the first false AND, and other tables
    -- have no `actor` column.)
    IF TG_TABLE_NAME = 'audit_log' AND TG_OP = 'UPDATE' AND current_setting('ravnaq.erasing', true) = 'on' THEN
        IF (NEW.id, NEW.organization_id, NEW.at, NEW.actor, NEW.action, NEW.entity, NEW.entity_id)
           IS NOT DISTINCT FROM (OLD.id, OLD.organization_id, OLD.at, OLD.actor, OLD.action, OLD.entity, OLD.entity_id) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION '% rows cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'record a correction instead';
END $$;

CREATE OR REPLACE FUNCTION refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% cannot be truncated', TG_TABLE_NAME USING ERRCODE = 'P0001';
END $$;

CREATE OR REPLACE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE OR REPLACE TRIGGER append_only_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_truncate();

-- Withdrawing consent (SPEC §2) erases the members' personal fields everywhere, the audit log's
-- before/after copies included: this replaces the given keys of audit copies of one entity's
-- rows with a marker. It needs the UPDATE that requests do not have; it runs with its owner's
-- rights, and only for the caller's own organization.
CREATE OR REPLACE FUNCTION erase_audit_copies(org uuid, entity_name text, ids text[], keys text[]) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
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

-- The audited tables. The ledger is its own record of who did what; its header goes to the
-- audit log too (inserts only: it is append-only).
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION audit_change('token_hash');
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programmes
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON families
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON members
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON mentor_assignments
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON projects
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_status_changes
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT ON ledger_transactions
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT ON imports
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programme_funds
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON loans
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON repayments
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grants
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grant_tranches
    FOR EACH ROW EXECUTE FUNCTION audit_tranche();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grant_expenses
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON courses
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON course_sessions
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON enrollments
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON attendance
    FOR EACH ROW EXECUTE FUNCTION audit_attendance();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON visits
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON plan_goals
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON referrals
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_reports
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON household_incomes
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE OR REPLACE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON assessments
    FOR EACH ROW EXECUTE FUNCTION audit_change();
