-- Two changes of the hardening issue: loan and grant numbers counted per organization, and
-- three more columns hidden from grant officers.

-- Numbers (SPEC §9: "unique in the organization"). Loans and grants were numbered from two
-- sequences shared by every organization, so an organization's first loan could be L-000731.
-- Each organization now has a counter per kind, taken by a BEFORE INSERT trigger: the UPDATE
-- locks the counter's row until the transaction ends, so two inserts in one organization take
-- turns (and a rolled-back insert gives its number back), while other organizations do not
-- wait. The unique indexes on (organization_id, number) of sql/004 and sql/005 stay as the floor.
-- Numbers already given stay as they are; each counter goes on after its organization's
-- highest number. Bulk loads (`ravnaq seed generate`) reserve a range with next_number() and
-- write the numbers themselves; the trigger keeps a number it is given.
CREATE TABLE number_counters (
    organization_id  uuid NOT NULL REFERENCES organizations,
    kind             text NOT NULL CHECK (kind IN ('loan', 'grant')),
    last             bigint NOT NULL CHECK (last >= 0),
    PRIMARY KEY (organization_id, kind)
);
-- Only the owner's functions below touch it (the default privileges of sql/011 and sql/013 would
-- let the request roles read and write it).
REVOKE ALL ON number_counters FROM ravnaq_app, ravnaq_officer;

INSERT INTO number_counters (organization_id, kind, last)
SELECT organization_id, 'loan', max(substr(number, 3)::bigint) FROM loans WHERE number ~ '^L-[0-9]{1,18}$' GROUP BY organization_id
UNION ALL
SELECT organization_id, 'grant', max(substr(number, 3)::bigint) FROM grants WHERE number ~ '^G-[0-9]{1,18}$' GROUP BY organization_id;

-- Reserves `how_many` numbers of a kind for an organization and answers the last of them (the
-- first is last - how_many + 1).
CREATE FUNCTION next_number(org uuid, of_kind text, how_many bigint DEFAULT 1) RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    reserved bigint;
BEGIN
    IF how_many IS NULL OR how_many < 1 THEN
        RAISE EXCEPTION 'reserve at least one number, not %', how_many;
    END IF;
    INSERT INTO number_counters AS c (organization_id, kind, last) VALUES (org, of_kind, how_many)
    ON CONFLICT (organization_id, kind) DO UPDATE SET last = c.last + excluded.last
    RETURNING c.last INTO reserved;
    RETURN reserved;
END $$;

CREATE FUNCTION number_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.number IS NULL THEN
        NEW.number := readable_number(TG_ARGV[1], next_number(NEW.organization_id, TG_ARGV[0]));
    END IF;
    RETURN NEW;
END $$;

ALTER TABLE loans ALTER COLUMN number DROP DEFAULT;
ALTER TABLE grants ALTER COLUMN number DROP DEFAULT;
DROP SEQUENCE loan_number_seq;
DROP SEQUENCE grant_number_seq;
CREATE TRIGGER number BEFORE INSERT ON loans FOR EACH ROW EXECUTE FUNCTION number_row('loan', 'L');
CREATE TRIGGER number BEFORE INSERT ON grants FOR EACH ROW EXECUTE FUNCTION number_row('grant', 'G');

-- Requests reach the counters only through the trigger.
REVOKE EXECUTE ON FUNCTION next_number(uuid, text, bigint), number_row() FROM PUBLIC;

-- Grant officers (SPEC §1: "personal data only as family codes"). A family's registry
-- reference names it in the state's registry; a plan goal's text and a referral's reason tell
-- its story. They are hidden from ravnaq_officer column by column, as member names and visit
-- notes are (sql/013): a query naming one fails, and the services leave them out (null). As for
-- members, families and visits, a column added to plan_goals or referrals later stays hidden from
-- grant officers until a migration grants it.
REVOKE SELECT (registry_ref) ON families FROM ravnaq_officer;
REVOKE SELECT ON plan_goals, referrals FROM ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, set_on, target_on, status, status_on, created_at) ON plan_goals TO ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, specialist, referred_on, status, status_on, created_at) ON referrals TO ravnaq_officer;
