-- Spreadsheet imports (issue 15). A register an NGO already keeps names its projects, loans and
-- grants by its own numbers; `external_ref` keeps that number, unique in the organization, so
-- that a second import of the same register finds the rows it made instead of making them again.
ALTER TABLE projects ADD COLUMN external_ref text CHECK (length(btrim(external_ref)) BETWEEN 1 AND 64);
ALTER TABLE loans ADD COLUMN external_ref text CHECK (length(btrim(external_ref)) BETWEEN 1 AND 64);
ALTER TABLE grants ADD COLUMN external_ref text CHECK (length(btrim(external_ref)) BETWEEN 1 AND 64);
CREATE UNIQUE INDEX projects_external_ref ON projects (organization_id, lower(external_ref)) WHERE external_ref IS NOT NULL;
CREATE UNIQUE INDEX loans_external_ref ON loans (organization_id, lower(external_ref)) WHERE external_ref IS NOT NULL;
CREATE UNIQUE INDEX grants_external_ref ON grants (organization_id, lower(external_ref)) WHERE external_ref IS NOT NULL;

-- One row per import that wrote something: which file (its SHA-256), how many rows it had, how
-- many it created and how many were already on record. Its audit copy is the import's one audit
-- entry (the rows it made are audited as well, by their own triggers, as for a request).
CREATE TABLE imports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    kind             text NOT NULL CHECK (kind IN ('families', 'projects', 'loans', 'repayments', 'grants')),
    file_name        text,
    file_sha256      text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
    rows             integer NOT NULL CHECK (rows >= 0),
    created          integer NOT NULL CHECK (created >= 0),
    unchanged        integer NOT NULL CHECK (unchanged >= 0),
    imported_by      text NOT NULL,
    imported_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT imports_counts_add_up CHECK (created + unchanged <= rows)
);
CREATE INDEX imports_file ON imports (organization_id, file_sha256);
REVOKE UPDATE, DELETE ON imports FROM ravnaq_app;
ALTER TABLE imports ENABLE ROW LEVEL SECURITY;

-- Repayments recorded in one transaction (an import's) keep the order they were posted in:
-- the clock at each insert, not the transaction's start. Requests record one each, as before.
ALTER TABLE repayments ALTER COLUMN recorded_at SET DEFAULT clock_timestamp();
