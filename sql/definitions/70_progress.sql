-- Progress (SPEC §7): locked periods, the poverty line and income bands. The tables
-- (period_locks, project_reports, household_incomes, poverty_lines, assessments) are the
-- baseline's. A period is the first day of its month.

-- Reports and income of a locked month are read-only.
CREATE OR REPLACE FUNCTION refuse_locked_period() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE OR REPLACE TRIGGER locked_period BEFORE INSERT OR UPDATE OR DELETE ON project_reports
    FOR EACH ROW EXECUTE FUNCTION refuse_locked_period();
CREATE OR REPLACE TRIGGER locked_period BEFORE INSERT OR UPDATE OR DELETE ON household_incomes
    FOR EACH ROW EXECUTE FUNCTION refuse_locked_period();

-- A month's line is the one in force on its first day.
CREATE OR REPLACE FUNCTION poverty_line(period date) RETURNS numeric LANGUAGE sql STABLE AS $$
    SELECT amount FROM poverty_lines WHERE effective_on <= date_trunc('month', period)::date ORDER BY effective_on DESC LIMIT 1
$$;

-- Income band: below 1.0 × line poor, 1.0–1.5 near_poor, from 1.5 above (exact, no rounding:
-- total against line × household size). Parallel safe, so that PostgreSQL may use parallel
-- workers for the passes that band incomes.
CREATE OR REPLACE FUNCTION income_band(total numeric, household_size integer, line numeric) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN line IS NULL THEN NULL
                WHEN total < line * household_size THEN 'poor'
                WHEN total * 2 < line * household_size * 3 THEN 'near_poor'
                ELSE 'above' END
$$;

-- A family's household income band in a month (poor, near_poor, above), or NULL without a line.
CREATE OR REPLACE FUNCTION household_income_band(total numeric, household_size integer, period date) RETURNS text
LANGUAGE sql STABLE RETURN income_band(total, household_size, poverty_line(period));
