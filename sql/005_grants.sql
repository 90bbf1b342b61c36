-- Grants (SPEC §5): a total in ordered tranches, each disbursed once, in order, when its
-- condition holds (and, where the programme asks, after a grant officer's approval); expenses
-- account for what was disbursed.

CREATE SEQUENCE grant_number_seq;

CREATE TABLE grants (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    number           text NOT NULL DEFAULT readable_number('G', nextval('grant_number_seq')),
    programme_id     uuid NOT NULL,
    project_id       uuid NOT NULL,
    currency         text NOT NULL,
    total            numeric(18, 2) NOT NULL CONSTRAINT grants_total_positive CHECK (total > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, programme_id, currency) REFERENCES programmes (organization_id, id, currency),
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id)
);
CREATE UNIQUE INDEX grants_number_key ON grants (organization_id, number);
CREATE INDEX grants_project ON grants (project_id);

CREATE TABLE grant_tranches (
    organization_id  uuid NOT NULL,
    grant_id         uuid NOT NULL,
    n                integer NOT NULL CHECK (n >= 1),
    amount           numeric(18, 2) NOT NULL CONSTRAINT grant_tranches_amount_positive CHECK (amount > 0),
    planned_on       date NOT NULL,
    condition        text NOT NULL DEFAULT 'none' CHECK (condition IN ('none', 'training_completed',
                                    'business_plan_approved', 'previous_tranche_accounted')),
    approved_at      timestamptz,
    approved_by      text,
    disbursed_on     date,
    transaction_id   uuid REFERENCES ledger_transactions,
    PRIMARY KEY (grant_id, n),
    FOREIGN KEY (organization_id, grant_id) REFERENCES grants (organization_id, id),
    CONSTRAINT grant_tranches_disbursed_with_transaction CHECK ((disbursed_on IS NULL) = (transaction_id IS NULL))
);

-- Tranches add up to the grant's total (checked at commit, after all tranches are in).
CREATE FUNCTION grant_tranches_sum() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE CONSTRAINT TRIGGER tranches_sum AFTER INSERT ON grants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION grant_tranches_sum();

-- In order, once: a tranche is disbursed only after every earlier one, and never again.
CREATE FUNCTION grant_tranche_in_order() RETURNS trigger LANGUAGE plpgsql AS $$
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
CREATE TRIGGER in_order BEFORE UPDATE ON grant_tranches FOR EACH ROW EXECUTE FUNCTION grant_tranche_in_order();

CREATE TABLE grant_expenses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    grant_id         uuid NOT NULL,
    spent_on         date NOT NULL,
    category         text NOT NULL CHECK (category IN ('equipment', 'materials', 'rent', 'transport', 'other')),
    amount           numeric(18, 2) NOT NULL CONSTRAINT grant_expenses_amount_positive CHECK (amount > 0),
    receipt          text,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, grant_id) REFERENCES grants (organization_id, id)
);
CREATE INDEX grant_expenses_grant ON grant_expenses (grant_id, spent_on);

CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grants FOR EACH ROW EXECUTE FUNCTION audit_change();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grant_expenses FOR EACH ROW EXECUTE FUNCTION audit_change();
-- grant_tranches has a composite key; its changes are audited with the grant's id.
CREATE FUNCTION audit_tranche() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit_log (organization_id, actor, action, entity, entity_id, before, after)
    VALUES (coalesce(NEW.organization_id, OLD.organization_id),
            coalesce(nullif(current_setting('ravnaq.actor', true), ''), 'db:' || session_user),
            lower(TG_OP), 'grant_tranches', coalesce(NEW.grant_id, OLD.grant_id)::text || '/' || coalesce(NEW.n, OLD.n),
            CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END, CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END);
    RETURN NULL;
END $$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON grant_tranches FOR EACH ROW EXECUTE FUNCTION audit_tranche();
