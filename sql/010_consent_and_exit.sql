-- Withdrawing consent (SPEC §2) erases the members' personal fields everywhere, the audit log's
-- before/after copies included (replaced by a marker); the family code and all money records
-- stay. The audit log stays append-only for everything else.

ALTER TABLE families ADD COLUMN consent_withdrawn_on date;

CREATE OR REPLACE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The one exception: erasing personal data from audit copies, inside erase_personal_data().
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

-- Replaces the given keys of audit copies of one entity's rows with a marker.
CREATE FUNCTION erase_audit_copies(org uuid, entity_name text, ids text[], keys text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    marker jsonb := '"[erased]"';
    key text;
BEGIN
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
