-- Grants (SPEC §5): a total in ordered tranches, each disbursed once, in order. The tables are
-- the baseline's; a tranche's audit row is written by audit_tranche() (20_audit.sql).

-- Tranches add up to the grant's total (checked at commit, after all tranches are in). A
-- constraint trigger cannot be replaced in place: dropped and made again.
CREATE OR REPLACE FUNCTION grant_tranches_sum() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    tranche_total numeric;
    grant_total numeric;
BEGIN
    SELECT total INTO grant_total FROM grants WHERE id = NEW.id;
    SELECT coalesce(sum(amount), 0) INTO tranche_total FROM grant_tranches WHERE grant_id = NEW.id;
    IF tranche_total <> grant_total THEN
        RAISE EXCEPTION 'the tranches add up to %, not to the grant''s total of %', tranche_total, grant_total
            USING ERRCODE = 'P0001', CONSTRAINT = 'grant-tranches-sum';
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS tranches_sum ON grants;
CREATE CONSTRAINT TRIGGER tranches_sum AFTER INSERT ON grants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grant_tranches_sum();

-- In order, once: a tranche is disbursed only after every earlier one, and never again.
CREATE OR REPLACE FUNCTION grant_tranche_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.disbursed_on IS NOT NULL AND NEW.disbursed_on IS DISTINCT FROM OLD.disbursed_on THEN
        RAISE EXCEPTION 'tranche % was already disbursed on %', OLD.n, OLD.disbursed_on
            USING ERRCODE = 'P0001', CONSTRAINT = 'tranche-already-disbursed';
    END IF;
    IF NEW.disbursed_on IS NOT NULL AND OLD.disbursed_on IS NULL AND EXISTS (
        SELECT 1 FROM grant_tranches WHERE grant_id = NEW.grant_id AND n < NEW.n AND disbursed_on IS NULL) THEN
        RAISE EXCEPTION 'tranche % cannot be disbursed before the tranches ahead of it', NEW.n
            USING ERRCODE = 'P0001', CONSTRAINT = 'tranche-out-of-order';
    END IF;
    IF (OLD.amount, OLD.n, OLD.grant_id) IS DISTINCT FROM (NEW.amount, NEW.n, NEW.grant_id) THEN
        RAISE EXCEPTION 'a tranche''s amount cannot change' USING ERRCODE = 'P0001';
    END IF;
    RETURN NEW;
END $$;
CREATE OR REPLACE TRIGGER in_order BEFORE UPDATE ON grant_tranches FOR EACH ROW EXECUTE FUNCTION grant_tranche_in_order();

-- A grant's utilization: expenses over what was disbursed, rounded half-up to 6 decimals, null
-- while nothing is disbursed. The one definition that grants, the case file and the grants
-- report read.
CREATE OR REPLACE FUNCTION grant_utilization(expenses numeric, disbursed numeric) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN round(coalesce(expenses, 0) / nullif(disbursed, 0), 6);
