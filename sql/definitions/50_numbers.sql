-- Loan and grant numbers (SPEC §9: "unique in the organization"), counted per organization and
-- kind in number_counters (the baseline's). A BEFORE INSERT trigger takes the next number: the
-- UPDATE locks the counter's row until the transaction ends, so two inserts in one organization
-- take turns (and a rolled-back insert gives its number back), while other organizations do not
-- wait. The unique indexes on (organization_id, number) stay as the floor. Bulk loads (`ravnaq
-- seed generate`) reserve a range with next_number() and write the numbers themselves; the
-- trigger keeps a number it is given.

-- Readable numbers (L-000123, G-000045): at least six digits, more when needed (lpad alone
-- would cut a longer number short).
CREATE OR REPLACE FUNCTION readable_number(prefix text, n bigint) RETURNS text LANGUAGE sql IMMUTABLE
    RETURN prefix || '-' || CASE WHEN n < 1000000 THEN lpad(n::text, 6, '0') ELSE n::text END;

-- Reserves `how_many` numbers of a kind for an organization and answers the last of them (the
-- first is last - how_many + 1).
CREATE OR REPLACE FUNCTION next_number(org uuid, of_kind text, how_many bigint DEFAULT 1) RETURNS bigint
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

-- The trigger's arguments: the counter's kind and the number's prefix.
CREATE OR REPLACE FUNCTION number_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    IF NEW.number IS NULL THEN
        NEW.number := readable_number(TG_ARGV[1], next_number(NEW.organization_id, TG_ARGV[0]));
    END IF;
    RETURN NEW;
END $$;

CREATE OR REPLACE TRIGGER number BEFORE INSERT ON loans FOR EACH ROW EXECUTE FUNCTION number_row('loan', 'L');
CREATE OR REPLACE TRIGGER number BEFORE INSERT ON grants FOR EACH ROW EXECUTE FUNCTION number_row('grant', 'G');

-- Requests reach the counters only through the trigger.
REVOKE EXECUTE ON FUNCTION next_number(uuid, text, bigint), number_row() FROM PUBLIC;
