-- Families, their members, mentor assignments and projects (SPEC §2): name search, the rules
-- PostgreSQL holds their rows to, and a family's mentor as of a date. The tables are the
-- baseline's; a family's kept history is in 75_family_histories.sql.

-- Names are searched with case and Uzbek apostrophes (‘ ’ ʻ ʼ ` ') ignored: people write
-- O‘g‘iloy, O'g'iloy or Ogiloy for the same name, and each finds the others.
-- The search indexes below hold its results: after any change to its body they are rebuilt.
CREATE OR REPLACE FUNCTION fold_name(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN lower(translate($1, '‘’ʻʼ`''', ''));

-- A search text as a LIKE pattern that matches it as a literal substring, anywhere: `%`, `_`
-- and `\` stand for themselves.
CREATE OR REPLACE FUNCTION substring_pattern(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN '%' || replace(replace(replace($1, '\', '\\'), '%', '\%'), '_', '\_') || '%';

-- Family search (Families.list) by any three letters or more of a member's name or a family's
-- code: trigram indexes on the folded texts (pg_trgm, sql/003_fast_lists.sql). They are made
-- here, after fold_name(), which a numbered migration runs too early to know.
-- Rebuilt when fold_name() has changed since they were built, so that they always hold what
-- it gives: each index's comment keeps a digest of the definition it was built with. Not at
-- every application of the definitions: at 2 000 000 families the members' index takes minutes.
CREATE INDEX IF NOT EXISTS members_name_search ON members USING gin (fold_name(full_name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS families_code_search ON families USING gin (fold_name(code) gin_trgm_ops);
DO $$
DECLARE
    folding constant text := 'fold_name ' || md5(pg_get_functiondef('fold_name(text)'::regprocedure));
    index_name text;
BEGIN
    FOREACH index_name IN ARRAY ARRAY['members_name_search', 'families_code_search'] LOOP
        IF obj_description(index_name::regclass, 'pg_class') IS DISTINCT FROM folding THEN
            EXECUTE format('REINDEX INDEX %I', index_name);
            EXECUTE format('COMMENT ON INDEX %I IS %L', index_name, folding);
        END IF;
    END LOOP;
END $$;

-- One page of the families of the acting organization that the actor may see and whose code,
-- or (for the roles that see personal data) a member's name, holds the search text: the first
-- `page` after the cursor (created_at, id), in that order. With the owner's rights: under
-- row-level security PostgreSQL may not use an index for LIKE, which is not leakproof, and would
-- read every member; here the indexes answer, the visibility is applied before the page is cut,
-- and the caller's query on families, under its own policies, keeps only the families it may
-- see. Names are only compared, never returned.
--
-- Two ways to the page: the next families in order, `window` of them, are tested one by one,
-- which fills the page of a common name ("Karim" is in one family in fourteen) after a few
-- hundred; when the window ends before the page is full, the rest comes from the trigram
-- indexes: every match after the window, sorted (a rare name: no family is read in vain).
-- Collecting every match of a common name to keep fifty was most of the search's time.
CREATE OR REPLACE FUNCTION ravnaq_family_search(search text, after_at timestamptz, after_id uuid, page integer)
RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp SET plan_cache_mode = force_custom_plan AS $$
DECLARE
    org constant uuid := ravnaq_org();
    pattern constant text := substring_pattern(fold_name(search));
    names constant boolean := ravnaq_sees_personal_data();
    window_size constant integer := 2000;
    -- The window's last family, as two scalars: with a record here, the bound stayed a filter
    -- (a record compared IS NULL is not folded into the custom plan), and the walk read every
    -- family of the organization after the window only to drop it — 2 million at national scale.
    window_at timestamptz;
    window_id uuid;
    found integer;
BEGIN
    IF NOT ravnaq_sees_all_families() THEN
        -- A mentor's families, a few hundred: each is tested.
        RETURN QUERY
            SELECT f.id FROM families f
            WHERE f.id = ANY (ravnaq_mentor_families()) AND f.organization_id = org
              AND (after_at IS NULL OR (f.created_at, f.id) > (after_at, after_id))
              AND (fold_name(f.code) LIKE pattern
                   OR names AND (SELECT bool_or(fold_name(m.full_name) LIKE pattern) FROM members m WHERE m.family_id = f.id))
            ORDER BY f.created_at, f.id LIMIT page;
        RETURN;
    END IF;
    SELECT f.created_at, f.id INTO window_at, window_id FROM families f
    WHERE f.organization_id = org AND (after_at IS NULL OR (f.created_at, f.id) > (after_at, after_id))
    ORDER BY f.created_at, f.id OFFSET window_size - 1 LIMIT 1;
    -- Down the list's index, up to the window's end, stopping once the page is full. Each
    -- family's members are read by its key: an EXISTS here is planned as one hash of every
    -- matching member, the very collection the window is there to avoid.
    RETURN QUERY
        SELECT f.id FROM families f
        WHERE f.organization_id = org AND (after_at IS NULL OR (f.created_at, f.id) > (after_at, after_id))
          AND (window_at IS NULL OR (f.created_at, f.id) <= (window_at, window_id))
          AND (fold_name(f.code) LIKE pattern
               OR names AND (SELECT bool_or(fold_name(m.full_name) LIKE pattern) FROM members m WHERE m.family_id = f.id))
        ORDER BY f.created_at, f.id LIMIT page;
    GET DIAGNOSTICS found = ROW_COUNT;
    -- The page is full, or the window held every family left.
    IF found = page OR window_at IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY
        SELECT f.id FROM families f
        WHERE f.id IN (SELECT c.id FROM families c WHERE c.organization_id = org AND fold_name(c.code) LIKE pattern
                       UNION
                       SELECT m.family_id FROM members m
                       WHERE names AND m.organization_id = org AND fold_name(m.full_name) LIKE pattern)
          AND (f.created_at, f.id) > (window_at, window_id)
        ORDER BY f.created_at, f.id LIMIT page - found;
END $$;

-- Members are personal data: refuse them for a family without consent.
CREATE OR REPLACE FUNCTION members_need_consent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.erased_on IS NULL AND NOT EXISTS (
        SELECT 1 FROM families WHERE id = NEW.family_id AND consent_on IS NOT NULL) THEN
        RAISE EXCEPTION 'family has not given consent: no personal data may be stored'
            USING ERRCODE = 'P0001', CONSTRAINT = 'members_need_consent';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER need_consent BEFORE INSERT OR UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION members_need_consent();

-- Only a user with the mentor role is assigned to a family.
CREATE OR REPLACE FUNCTION mentor_must_be_mentor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.mentor_id AND role = 'mentor') THEN
        RAISE EXCEPTION 'only a user with the mentor role can be assigned to a family'
            USING ERRCODE = 'P0001', CONSTRAINT = 'mentor_assignments_mentor_role';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER mentor_role BEFORE INSERT OR UPDATE ON mentor_assignments
    FOR EACH ROW EXECUTE FUNCTION mentor_must_be_mentor();

-- The email of a family's mentor as of a date (NULL without one).
CREATE OR REPLACE FUNCTION family_mentor_email(family uuid, as_of date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT u.email FROM mentor_assignments ma JOIN users u ON u.id = ma.mentor_id
    WHERE ma.family_id = family AND ma.from_on <= as_of AND (ma.to_on IS NULL OR ma.to_on > as_of)
    ORDER BY ma.from_on DESC LIMIT 1
$$;

-- The lifecycle of SPEC §2: planned → active → (suspended ↔ active) → closed | failed.
CREATE OR REPLACE FUNCTION project_status_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (
        (OLD.status = 'planned' AND NEW.status = 'active') OR
        (OLD.status = 'active' AND NEW.status IN ('suspended', 'closed', 'failed')) OR
        (OLD.status = 'suspended' AND NEW.status IN ('active', 'closed', 'failed'))) THEN
        RAISE EXCEPTION 'a project cannot go from % to %', OLD.status, NEW.status
            USING ERRCODE = 'P0001', CONSTRAINT = 'project-status-transition';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER status_lifecycle BEFORE UPDATE OF status ON projects
    FOR EACH ROW EXECUTE FUNCTION project_status_allowed();
