-- A programme's currency always has its chart of accounts, made when the programme is: every
-- loan, grant and donor receipt belongs to a programme in its currency, so the ledger no longer
-- asks for the accounts (ensure_accounts, an INSERT … ON CONFLICT of seven rows) before every
-- posting — one statement fewer on each repayment.
CREATE FUNCTION programme_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM ensure_accounts(NEW.organization_id, NEW.currency);
    RETURN NULL;
END $$;
CREATE TRIGGER accounts AFTER INSERT OR UPDATE OF currency ON programmes
    FOR EACH ROW EXECUTE FUNCTION programme_accounts();

SELECT ensure_accounts(organization_id, currency) FROM (SELECT DISTINCT organization_id, currency FROM programmes) AS p;
