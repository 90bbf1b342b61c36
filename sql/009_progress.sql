-- Progress and self-sufficiency (SPEC §7): monthly project reports, household income, the
-- poverty line, self-sufficiency matrix assessments, graduation, and period locks.
-- A period is the first day of its month.

CREATE TABLE period_locks (
    organization_id  uuid NOT NULL REFERENCES organizations,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    locked_at        timestamptz NOT NULL DEFAULT now(),
    locked_by        text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user),
    PRIMARY KEY (organization_id, period)
);

-- Reports and income of a locked month are read-only.
CREATE FUNCTION refuse_locked_period() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    row_period date := CASE WHEN TG_OP = 'DELETE' THEN OLD.period ELSE NEW.period END;
    row_org uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.organization_id ELSE NEW.organization_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM period_locks WHERE organization_id = row_org AND period = row_period)
       OR (TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM period_locks WHERE organization_id = OLD.organization_id AND period = OLD.period)) THEN
        RAISE EXCEPTION 'the period % is locked', to_char(row_period, 'YYYY-MM')
            USING ERRCODE = 'P0001', CONSTRAINT = 'period-locked';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END $$;

CREATE TABLE project_reports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    project_id       uuid NOT NULL,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    revenue          numeric(18, 2) NOT NULL CHECK (revenue >= 0),
    costs            numeric(18, 2) NOT NULL CHECK (costs >= 0),
    units_sold       integer NOT NULL DEFAULT 0 CHECK (units_sold >= 0),
    members_working  integer NOT NULL DEFAULT 0 CHECK (members_working >= 0),
    hired_workers    integer NOT NULL DEFAULT 0 CHECK (hired_workers >= 0),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
    CONSTRAINT project_reports_one_per_month UNIQUE (project_id, period)
);
CREATE INDEX project_reports_org_period ON project_reports (organization_id, period);

CREATE TABLE household_incomes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    household_size   integer NOT NULL CHECK (household_size BETWEEN 1 AND 50),
    project          numeric(18, 2) NOT NULL DEFAULT 0 CHECK (project >= 0),
    wages            numeric(18, 2) NOT NULL DEFAULT 0 CHECK (wages >= 0),
    pension          numeric(18, 2) NOT NULL DEFAULT 0 CHECK (pension >= 0),
    benefits         numeric(18, 2) NOT NULL DEFAULT 0 CHECK (benefits >= 0),
    remittances      numeric(18, 2) NOT NULL DEFAULT 0 CHECK (remittances >= 0),
    other            numeric(18, 2) NOT NULL DEFAULT 0 CHECK (other >= 0),
    total            numeric(18, 2) GENERATED ALWAYS AS (project + wages + pension + benefits + remittances + other) STORED,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT household_incomes_one_per_month UNIQUE (family_id, period)
);
CREATE INDEX household_incomes_org_period ON household_incomes (organization_id, period);

CREATE TRIGGER locked_period BEFORE INSERT OR UPDATE OR DELETE ON project_reports FOR EACH ROW EXECUTE FUNCTION refuse_locked_period();
CREATE TRIGGER locked_period BEFORE INSERT OR UPDATE OR DELETE ON household_incomes FOR EACH ROW EXECUTE FUNCTION refuse_locked_period();

-- The official minimum consumption expenditure per person per month (UZS). It is national, so
-- one table serves every organization; admins extend it.
CREATE TABLE poverty_lines (
    effective_on  date PRIMARY KEY,
    amount        numeric(18, 2) NOT NULL CHECK (amount > 0),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by   text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user)
);
INSERT INTO poverty_lines (effective_on, amount, recorded_by) VALUES
    ('2023-07-01', 568000, 'migration'), ('2024-01-01', 621000, 'migration'), ('2024-05-01', 648000, 'migration'),
    ('2025-02-01', 669000, 'migration'), ('2026-01-01', 715000, 'migration');

-- A month's line is the one in force on its first day.
CREATE FUNCTION poverty_line(period date) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT amount FROM poverty_lines WHERE effective_on <= date_trunc('month', period)::date ORDER BY effective_on DESC LIMIT 1
$$;

-- Income band: below 1.0 × line poor, 1.0–1.5 near_poor, from 1.5 above (exact, no rounding:
-- total against line × household size).
CREATE FUNCTION income_band(total numeric, household_size integer, line numeric) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN line IS NULL THEN NULL
                WHEN total < line * household_size THEN 'poor'
                WHEN total * 2 < line * household_size * 3 THEN 'near_poor'
                ELSE 'above' END
$$;

-- Self-sufficiency matrix: 15 domains scored 1 (in crisis) … 5 (empowered); childcare and
-- children_education may be 0 (not applicable).
CREATE TABLE assessments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id     uuid NOT NULL,
    family_id           uuid NOT NULL,
    assessed_on         date NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('intake', 'periodic', 'exit')),
    income              smallint NOT NULL CHECK (income BETWEEN 1 AND 5),
    employment          smallint NOT NULL CHECK (employment BETWEEN 1 AND 5),
    housing             smallint NOT NULL CHECK (housing BETWEEN 1 AND 5),
    food                smallint NOT NULL CHECK (food BETWEEN 1 AND 5),
    childcare           smallint NOT NULL CHECK (childcare BETWEEN 0 AND 5),
    children_education  smallint NOT NULL CHECK (children_education BETWEEN 0 AND 5),
    adult_education     smallint NOT NULL CHECK (adult_education BETWEEN 1 AND 5),
    health              smallint NOT NULL CHECK (health BETWEEN 1 AND 5),
    life_skills         smallint NOT NULL CHECK (life_skills BETWEEN 1 AND 5),
    family_relations    smallint NOT NULL CHECK (family_relations BETWEEN 1 AND 5),
    community           smallint NOT NULL CHECK (community BETWEEN 1 AND 5),
    legal               smallint NOT NULL CHECK (legal BETWEEN 1 AND 5),
    mobility            smallint NOT NULL CHECK (mobility BETWEEN 1 AND 5),
    safety              smallint NOT NULL CHECK (safety BETWEEN 1 AND 5),
    credit              smallint NOT NULL CHECK (credit BETWEEN 1 AND 5),
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id)
);
CREATE INDEX assessments_family ON assessments (family_id, assessed_on);
CREATE UNIQUE INDEX assessments_one_intake ON assessments (family_id) WHERE kind = 'intake';

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON project_reports FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON household_incomes FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON assessments FOR EACH ROW EXECUTE FUNCTION audit_change();
