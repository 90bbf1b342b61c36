-- Functions that run with their owner's rights look names up in public, and in the session's
-- temporary schema only last, so a temporary table can never stand in for api_tokens, users or
-- mentor_assignments inside them.
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
             WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef
    LOOP
        EXECUTE format('ALTER FUNCTION %s SET search_path = public, pg_temp', f);
    END LOOP;
END $$;
