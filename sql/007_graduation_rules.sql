-- Graduation that holds up (issue 16, item 9; sql/definitions/80_graduation.sql). Readiness now
-- leaves benefits out of household income unless the programme counts them, and a loan written
-- off in the last 12 months blocks it, so each family's kept history (family_histories,
-- sql/definitions/75_family_histories.sql) carries two more arrays:
--   income_benefits  the benefits of each month of income_on, beside income_total;
--   written_off_on   the write-off dates of the family's loans, sorted (a day may repeat).
-- Both are filled here from the tables, as family_history_rows() computes them from now on.
ALTER TABLE family_histories
    ADD COLUMN income_benefits numeric[] NOT NULL DEFAULT '{}',
    ADD COLUMN written_off_on date[] NOT NULL DEFAULT '{}';

UPDATE family_histories h SET
    income_benefits = coalesce((SELECT array_agg(i.benefits ORDER BY i.period) FROM household_incomes i WHERE i.family_id = h.family_id), '{}'),
    written_off_on = coalesce((SELECT array_agg(l.written_off_on ORDER BY l.written_off_on)
                               FROM projects pj JOIN loans l ON l.project_id = pj.id
                               WHERE pj.family_id = h.family_id AND l.written_off_on IS NOT NULL), '{}');

-- Like the other arrays, always written whole by family_history_rows().
ALTER TABLE family_histories
    ALTER COLUMN income_benefits DROP DEFAULT,
    ALTER COLUMN written_off_on DROP DEFAULT,
    ADD CONSTRAINT family_histories_benefits_aligned CHECK (cardinality(income_benefits) = cardinality(income_on));

-- The graduation functions gain arguments (the benefits, the write-offs, count_benefits) and
-- result columns (count_benefits, no_recent_write_off), which CREATE OR REPLACE cannot change:
-- the definitions make them again. IF EXISTS: a new database runs its migrations before any
-- definition.
DROP FUNCTION IF EXISTS graduation_criteria(uuid, date, uuid);
DROP FUNCTION IF EXISTS graduation_of(uuid, date, uuid, date[], numeric[], integer[], date[], numeric[], date[], bytea, date[],
                                      integer, integer, integer, integer);
DROP FUNCTION IF EXISTS graduation_settings(uuid);
