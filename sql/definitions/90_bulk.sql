-- Bulk loads (`ravnaq seed generate`). A load by a superuser runs with triggers off
-- (`session_replication_role = replica`, as pg_restore does), which skips the foreign-key checks
-- and rule triggers row by row; verify_bulk_load() then checks the same rules once, set-based,
-- over the organization loaded, before the load commits: every foreign key, the ledger's
-- balance, the schedules' and tranches' sums, consent before members, mentors being mentors,
-- attendance in the enrollment's own course. Constraints, NOT NULL and unique indexes are never
-- off. Raises on the first problem found. (The histories the triggers would have kept are
-- written afterwards by refresh_loan_histories(org) and refresh_family_histories(org).)
CREATE OR REPLACE FUNCTION verify_bulk_load(org uuid) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    fk record;
    broken boolean;
    bad text;
BEGIN
    FOR fk IN
        SELECT c.conname, c.conrelid::regclass AS child, c.confrelid::regclass AS parent,
               string_agg(format('c.%I', ca.attname), ', ' ORDER BY k.i) AS child_columns,
               string_agg(format('p.%I', pa.attname), ', ' ORDER BY k.i) AS parent_columns,
               string_agg(format('c.%I IS NOT NULL', ca.attname), ' AND ') AS complete
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k (child_column, parent_column, i)
        JOIN pg_attribute ca ON ca.attrelid = c.conrelid AND ca.attnum = k.child_column
        JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = k.parent_column
        WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace
          AND EXISTS (SELECT 1 FROM pg_attribute o WHERE o.attrelid = c.conrelid AND o.attname = 'organization_id')
        GROUP BY c.oid, c.conname, c.conrelid, c.confrelid
    LOOP
        -- Identifiers come from the catalog through format('%I'); the organization is a parameter.
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s c WHERE c.organization_id = $1 AND %s AND NOT EXISTS '
                       '(SELECT 1 FROM %s p WHERE (%s) = (%s)))',
                       fk.child, fk.complete, fk.parent, fk.parent_columns, fk.child_columns)
            INTO broken USING org;
        IF broken THEN
            RAISE EXCEPTION 'bulk load: a row of % breaks its foreign key %', fk.child, fk.conname
                USING ERRCODE = '23503', CONSTRAINT = fk.conname;
        END IF;
    END LOOP;

    SELECT transaction_id::text INTO bad FROM postings WHERE organization_id = org
    GROUP BY transaction_id HAVING sum(amount) <> 0 OR count(*) < 2 LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: ledger transaction % is unbalanced', bad USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    SELECT t.id::text INTO bad FROM ledger_transactions t
    WHERE t.organization_id = org AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.transaction_id = t.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: ledger transaction % has no postings', bad USING ERRCODE = 'P0001', CONSTRAINT = 'ledger-unbalanced';
    END IF;
    SELECT l.number INTO bad FROM loans l
    LEFT JOIN (SELECT loan_id, sum(principal) AS total FROM loan_installments WHERE organization_id = org GROUP BY loan_id) i
           ON i.loan_id = l.id
    WHERE l.organization_id = org
      AND CASE WHEN l.disbursed_on IS NULL THEN i.total IS NOT NULL ELSE i.total IS DISTINCT FROM l.principal END
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: the schedule of loan % does not repay its principal', bad USING ERRCODE = 'P0001', CONSTRAINT = 'loan-schedule-sum';
    END IF;
    SELECT g.number INTO bad FROM grants g
    LEFT JOIN (SELECT grant_id, sum(amount) AS total FROM grant_tranches WHERE organization_id = org GROUP BY grant_id) t
           ON t.grant_id = g.id
    WHERE g.organization_id = org AND t.total IS DISTINCT FROM g.total LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: the tranches of grant % do not add up to its total', bad USING ERRCODE = 'P0001', CONSTRAINT = 'grant-tranches-sum';
    END IF;
    SELECT f.code INTO bad FROM members m JOIN families f ON f.id = m.family_id
    WHERE m.organization_id = org AND m.erased_on IS NULL AND f.consent_on IS NULL LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: family % has members but no consent', bad USING ERRCODE = 'P0001', CONSTRAINT = 'members_need_consent';
    END IF;
    SELECT u.email INTO bad FROM mentor_assignments a JOIN users u ON u.id = a.mentor_id
    WHERE a.organization_id = org AND u.role <> 'mentor' LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: % is assigned to families but is no mentor', bad USING ERRCODE = 'P0001', CONSTRAINT = 'mentor_assignments_mentor_role';
    END IF;
    SELECT a.enrollment_id::text INTO bad FROM attendance a
    JOIN course_sessions s ON s.id = a.session_id JOIN enrollments e ON e.id = a.enrollment_id
    WHERE a.organization_id = org AND e.course_id <> s.course_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'bulk load: enrollment % attends another course''s session', bad USING ERRCODE = 'P0001', CONSTRAINT = 'attendance_same_course';
    END IF;
END $$;
