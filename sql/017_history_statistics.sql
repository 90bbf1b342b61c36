-- No statistics on the kept histories' arrays (loan_histories, family_histories): no statement
-- filters on their elements (each is read by subscript or width_bucket, never with @>, && or
-- <@), so the planner never uses them, and gathering them was most of ANALYZE on these tables —
-- 2.5 s of a bulk load of 100 000 families (`ravnaq seed generate`), 0.4 s without. The other
-- columns (keys, dates, statuses) keep theirs. A new array column of these tables gets the same
-- in its own migration.
DO $$
DECLARE
    c record;
BEGIN
    FOR c IN
        SELECT a.attrelid::regclass AS relation, a.attname
        FROM pg_attribute a
        WHERE a.attrelid IN ('loan_histories'::regclass, 'family_histories'::regclass) AND a.attnum > 0 AND NOT a.attisdropped
          AND (a.attndims > 0 OR a.atttypid IN (SELECT t.oid FROM pg_type t WHERE t.typcategory = 'A') OR a.atttypid = 'bytea'::regtype)
    LOOP
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 0', c.relation, c.attname);
    END LOOP;
END $$;
