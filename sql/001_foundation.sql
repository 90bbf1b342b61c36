-- Foundation: organizations, their users and API tokens, and the audit log.
-- Every domain table from here on carries organization_id, so access rules can rely on it.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name        text NOT NULL CHECK (length(btrim(name)) > 0),
    -- "Today" for the organization's business dates (SPEC §9).
    time_zone   text NOT NULL DEFAULT 'Asia/Tashkent',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    email            text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role             text NOT NULL CHECK (role IN ('admin', 'coordinator', 'mentor', 'grant_officer')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
-- An email names one user in the whole database: `ravnaq user token EMAIL` needs no --org.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Only the SHA-256 of a token is stored; the token itself is shown once, when it is made.
CREATE TABLE api_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Every change, written in the same transaction as the change (SPEC §2).
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations,
    at               timestamptz NOT NULL DEFAULT now(),
    actor            text NOT NULL,
    action           text NOT NULL,
    entity           text NOT NULL,
    entity_id        text NOT NULL,
    before           jsonb,
    after            jsonb
);
CREATE INDEX audit_log_entity ON audit_log (organization_id, entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (organization_id, id);

-- The audit trigger: one row per changed row, with the actor the transaction set
-- (`ravnaq.actor`). Columns named in the trigger's arguments are left out of the copies
-- (token hashes). Bulk loads by the schema owner may set `ravnaq.audit` to 'off'.
CREATE FUNCTION audit_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    hidden text[] := coalesce(TG_ARGV, '{}');  -- NULL, not empty, when the trigger has no arguments
    old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - hidden END;
    new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - hidden END;
    any_row jsonb := coalesce(new_row, old_row);
BEGIN
    IF current_setting('ravnaq.audit', true) = 'off' THEN
        RETURN NULL;
    END IF;
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (
        coalesce(any_row ->> 'organization_id', any_row ->> 'id')::uuid,
        coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
        lower(TG_OP), TG_TABLE_NAME, any_row ->> 'id', old_row, new_row);
    RETURN NULL;
END $$;

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON organizations
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON api_tokens
    FOR EACH ROW EXECUTE FUNCTION audit_change('token_hash');

-- The audit log is append-only.
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows cannot be changed or deleted', TG_TABLE_NAME
        USING ERRCODE = 'P0001', HINT = 'record a correction instead';
END $$;

CREATE TRIGGER append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
