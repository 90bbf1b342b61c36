-- Reports for grant officers (SPEC §8): computed by PostgreSQL, set-based, as of any date.
-- Indexes for the lookups the reports make once per loan, grant or family.

-- Loans disbursed up to a date, per organization.
CREATE INDEX loans_org_disbursed ON loans (organization_id, disbursed_on);
-- A family's mentor as of a date.
CREATE INDEX mentor_assignments_family_from ON mentor_assignments (family_id, from_on);
-- Tranches disbursed or pending per grant are found through the primary key (grant_id, n);
-- expenses through grant_expenses_grant (grant_id, spent_on); incomes and project reports through
-- their one-per-month unique keys (family_id, period) and (project_id, period).

-- The email of a family's mentor as of a date (NULL without one).
CREATE FUNCTION family_mentor_email(family uuid, as_of date) RETURNS text LANGUAGE sql STABLE AS $$
    SELECT u.email FROM mentor_assignments ma JOIN users u ON u.id = ma.mentor_id
    WHERE ma.family_id = family AND ma.from_on <= as_of AND (ma.to_on IS NULL OR ma.to_on > as_of)
    ORDER BY ma.from_on DESC LIMIT 1
$$;

-- A family's household income band in a month (poor, near_poor, above), or NULL without a line.
CREATE FUNCTION household_income_band(total numeric, household_size integer, period date) RETURNS text
LANGUAGE sql STABLE RETURN income_band(total, household_size, poverty_line(period));
