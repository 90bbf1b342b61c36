-- Programmes (funding lines), families and their members, mentor assignments and projects
-- (SPEC §2). Every table carries organization_id; composite foreign keys keep every reference
-- inside one organization.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE programmes (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id      uuid NOT NULL REFERENCES organizations,
    name                 text NOT NULL CHECK (length(btrim(name)) > 0),
    donor                text NOT NULL CHECK (length(btrim(donor)) > 0),
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    starts_on            date NOT NULL,
    ends_on              date NOT NULL,
    budget               numeric(18, 2) NOT NULL CONSTRAINT programmes_budget_not_negative CHECK (budget >= 0),
    tranche_approval     boolean NOT NULL DEFAULT false,
    late_fee             numeric(18, 2) NOT NULL DEFAULT 0 CONSTRAINT programmes_late_fee_not_negative CHECK (late_fee >= 0),
    late_fee_after_days  integer NOT NULL DEFAULT 0 CHECK (late_fee_after_days BETWEEN 0 AND 365),
    graduation           jsonb NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT programmes_dates_ordered CHECK (ends_on >= starts_on),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, id, currency)
);
CREATE UNIQUE INDEX programmes_name_key ON programmes (organization_id, lower(name));

-- Names are searched with Uzbek apostrophes (‘ ’ ʻ ʼ ` ') folded into one and case ignored.
CREATE FUNCTION fold_name(text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN lower(translate($1, '‘’ʻʼ`', repeat('''', 5)));

CREATE TABLE families (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$'),
    region           text NOT NULL CHECK (length(btrim(region)) > 0),
    district         text NOT NULL CHECK (length(btrim(district)) > 0),
    mahalla          text,
    categories       text[] NOT NULL DEFAULT '{}' CONSTRAINT families_known_categories CHECK (
        categories <@ ARRAY['low_income', 'disability', 'many_children', 'unemployed', 'female_headed',
                            'state_supported', 'other']),
    registry_ref     text,
    consent_on       date,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'graduated', 'exited')),
    status_on        date,
    exit_reason      text CHECK (exit_reason IN ('moved', 'declined', 'deceased', 'other')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    -- Without consent no personal data beyond the code: the address below the district is personal.
    CONSTRAINT families_personal_data_needs_consent CHECK (consent_on IS NOT NULL OR mahalla IS NULL)
);
CREATE UNIQUE INDEX families_code_key ON families (organization_id, lower(code));

CREATE TABLE members (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    full_name        text,
    sex              text CHECK (sex IN ('female', 'male')),
    birth_date       date,
    pinfl            text CONSTRAINT members_pinfl_14_digits CHECK (pinfl ~ '^[0-9]{14}$'),
    relation         text NOT NULL CHECK (relation IN ('head', 'spouse', 'son', 'daughter', 'parent', 'other')),
    disability       boolean NOT NULL DEFAULT false,
    works            boolean NOT NULL DEFAULT false,
    -- Set when consent was withdrawn and the personal fields were erased.
    erased_on        date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    UNIQUE (organization_id, id),
    CONSTRAINT members_name_unless_erased CHECK ((erased_on IS NULL) = (full_name IS NOT NULL)),
    CONSTRAINT members_erased_means_empty CHECK (
        erased_on IS NULL OR (full_name IS NULL AND birth_date IS NULL AND pinfl IS NULL))
);
CREATE INDEX members_family ON members (family_id);

-- Members are personal data: refuse them for a family without consent.
CREATE FUNCTION members_need_consent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.erased_on IS NULL AND NOT EXISTS (
        SELECT 1 FROM families WHERE id = NEW.family_id AND consent_on IS NOT NULL) THEN
        RAISE EXCEPTION 'family has not given consent: no personal data may be stored'
            USING ERRCODE = 'P0001', CONSTRAINT = 'members_need_consent';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER need_consent BEFORE INSERT OR UPDATE ON members
    FOR EACH ROW EXECUTE FUNCTION members_need_consent();

-- family ↔ mentor over [from_on, to_on); at most one at any date.
CREATE TABLE mentor_assignments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    mentor_id        uuid NOT NULL,
    from_on          date NOT NULL,
    to_on            date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    FOREIGN KEY (organization_id, mentor_id) REFERENCES users (organization_id, id),
    CONSTRAINT mentor_assignments_range CHECK (to_on IS NULL OR to_on > from_on),
    CONSTRAINT mentor_assignments_one_at_a_time EXCLUDE USING gist (
        family_id WITH =, daterange(from_on, to_on) WITH &&)
);
CREATE INDEX mentor_assignments_mentor ON mentor_assignments (mentor_id, family_id);

CREATE FUNCTION mentor_must_be_mentor() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM users WHERE id = NEW.mentor_id AND role = 'mentor') THEN
        RAISE EXCEPTION 'only a user with the mentor role can be assigned to a family'
            USING ERRCODE = 'P0001', CONSTRAINT = 'mentor_assignments_mentor_role';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER mentor_role BEFORE INSERT OR UPDATE ON mentor_assignments
    FOR EACH ROW EXECUTE FUNCTION mentor_must_be_mentor();

CREATE TABLE projects (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id            uuid NOT NULL,
    family_id                  uuid NOT NULL,
    type                       text NOT NULL CHECK (type IN ('sewing', 'crafts', 'baking', 'livestock', 'greenhouse',
                                                             'retail', 'services', 'other')),
    title                      text NOT NULL CHECK (length(btrim(title)) > 0),
    description                text,
    started_on                 date,
    status                     text NOT NULL DEFAULT 'planned'
                               CHECK (status IN ('planned', 'active', 'suspended', 'closed', 'failed')),
    expected_monthly_revenue   numeric(18, 2) NOT NULL DEFAULT 0 CHECK (expected_monthly_revenue >= 0),
    expected_monthly_costs     numeric(18, 2) NOT NULL DEFAULT 0 CHECK (expected_monthly_costs >= 0),
    business_plan_approved_on  date,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    UNIQUE (organization_id, id)
);
CREATE INDEX projects_family ON projects (family_id);

-- The lifecycle of SPEC §2: planned → active → (suspended ↔ active) → closed | failed.
CREATE TABLE project_status_changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    project_id       uuid NOT NULL,
    from_status      text NOT NULL,
    to_status        text NOT NULL,
    changed_on       date NOT NULL,
    reason           text,
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id)
);

CREATE FUNCTION project_status_allowed() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER status_lifecycle BEFORE UPDATE OF status ON projects
    FOR EACH ROW EXECUTE FUNCTION project_status_allowed();

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON programmes FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON families FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON members FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON mentor_assignments FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON projects FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_status_changes FOR EACH ROW EXECUTE FUNCTION audit_change();
