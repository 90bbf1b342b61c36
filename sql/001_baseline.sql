-- The baseline: every table, constraint, index, role, privilege and data row of Ravnaq's schema,
-- folded on 2026-12-03 from the 24 migrations of its development (001_foundation.sql …
-- 024_repayment_list.sql), when no installation existed outside development. It holds tables
-- and data only: every function, trigger, view and policy lives once, in its current form, in
-- sql/definitions/, which the migrator applies after the numbered migrations.
--
-- From here on a change to a table is a new numbered migration (002_…), and a numbered
-- migration never changes once applied; a change to a function is an edit of its definition file.
--
-- The names of constraints matter: Support/DatabaseRefusal.swift maps them to problem types.


-- Foundation: organizations, their users and API tokens, and the audit log.
-- Every domain table carries organization_id, so access rules can rely on it.

CREATE TABLE organizations (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$'),
    name        text NOT NULL CHECK (length(btrim(name)) > 0),
    -- "Today" for the organization's business dates (SPEC §9).
    time_zone   text NOT NULL DEFAULT 'Asia/Tashkent',
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    email            text NOT NULL CHECK (email ~ '^[^@\s]+@[^@\s]+$'),
    role             text NOT NULL CHECK (role IN ('admin', 'coordinator', 'mentor', 'grant_officer')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
-- An email names one user in the whole database: `ravnaq user token EMAIL` needs no --org.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

-- Only the SHA-256 of a token is stored; the token itself is shown once, when it is made.
CREATE TABLE api_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    token_hash       bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    revoked_at       timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

-- Every change, written in the same transaction as the change (SPEC §2), by the audit triggers
-- of definitions/audit.sql; append-only.
CREATE TABLE audit_log (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL REFERENCES organizations,
    at               timestamptz NOT NULL DEFAULT now(),
    actor            text NOT NULL,
    action           text NOT NULL,
    entity           text NOT NULL,
    entity_id        text NOT NULL,
    before           jsonb,
    after            jsonb
);
CREATE INDEX audit_log_entity ON audit_log (organization_id, entity, entity_id);
CREATE INDEX audit_log_at ON audit_log (organization_id, id);


-- Programmes (funding lines), families and their members, mentor assignments and projects
-- (SPEC §2). Composite foreign keys keep every reference inside one organization.

CREATE EXTENSION IF NOT EXISTS btree_gist;

CREATE TABLE programmes (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id      uuid NOT NULL REFERENCES organizations,
    name                 text NOT NULL CHECK (length(btrim(name)) > 0),
    donor                text NOT NULL CHECK (length(btrim(donor)) > 0),
    currency             text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    starts_on            date NOT NULL,
    ends_on              date NOT NULL,
    budget               numeric(18, 2) NOT NULL CONSTRAINT programmes_budget_not_negative CHECK (budget >= 0),
    tranche_approval     boolean NOT NULL DEFAULT false,
    late_fee             numeric(18, 2) NOT NULL DEFAULT 0 CONSTRAINT programmes_late_fee_not_negative CHECK (late_fee >= 0),
    late_fee_after_days  integer NOT NULL DEFAULT 0 CHECK (late_fee_after_days BETWEEN 0 AND 365),
    graduation           jsonb NOT NULL DEFAULT '{}',
    created_at           timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT programmes_dates_ordered CHECK (ends_on >= starts_on),
    UNIQUE (organization_id, id),
    UNIQUE (organization_id, id, currency)
);
CREATE UNIQUE INDEX programmes_name_key ON programmes (organization_id, lower(name));

-- A family's columns after created_at came later: consent_withdrawn_on with consent withdrawal.
CREATE TABLE families (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$'),
    region           text NOT NULL CHECK (length(btrim(region)) > 0),
    district         text NOT NULL CHECK (length(btrim(district)) > 0),
    mahalla          text,
    categories       text[] NOT NULL DEFAULT '{}' CONSTRAINT families_known_categories CHECK (
        categories <@ ARRAY['low_income', 'disability', 'many_children', 'unemployed', 'female_headed',
                            'state_supported', 'other']),
    registry_ref     text,
    consent_on       date,
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'graduated', 'exited')),
    status_on        date,
    exit_reason      text CHECK (exit_reason IN ('moved', 'declined', 'deceased', 'other')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    -- Withdrawing consent (SPEC §2) erases the members' personal fields everywhere, the audit
    -- log's copies included (erase_audit_copies, definitions/audit.sql); the family code and all
    -- money records stay.
    consent_withdrawn_on date,
    UNIQUE (organization_id, id),
    -- Without consent no personal data beyond the code: the address below the district is personal.
    CONSTRAINT families_personal_data_needs_consent CHECK (consent_on IS NOT NULL OR mahalla IS NULL)
);
CREATE UNIQUE INDEX families_code_key ON families (organization_id, lower(code));
-- The family list pages by (created_at, id) within an organization: a page is an index scan that
-- stops after limit + 1 rows (0.5 ms for the first page of 20 000 families, against 13 ms for a
-- sequential scan and top-N sort), and the head is one probe of members_family per row.
CREATE INDEX families_listed ON families (organization_id, created_at, id);

-- Members are personal data: refused for a family without consent (trigger need_consent).
CREATE TABLE members (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    full_name        text,
    sex              text CHECK (sex IN ('female', 'male')),
    birth_date       date,
    pinfl            text CONSTRAINT members_pinfl_14_digits CHECK (pinfl ~ '^[0-9]{14}$'),
    relation         text NOT NULL CHECK (relation IN ('head', 'spouse', 'son', 'daughter', 'parent', 'other')),
    disability       boolean NOT NULL DEFAULT false,
    works            boolean NOT NULL DEFAULT false,
    -- Set when consent was withdrawn and the personal fields were erased.
    erased_on        date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    UNIQUE (organization_id, id),
    CONSTRAINT members_name_unless_erased CHECK ((erased_on IS NULL) = (full_name IS NOT NULL)),
    CONSTRAINT members_erased_means_empty CHECK (
        erased_on IS NULL OR (full_name IS NULL AND birth_date IS NULL AND pinfl IS NULL))
);
CREATE INDEX members_family ON members (family_id);

-- family ↔ mentor over [from_on, to_on); at most one at any date. Only a user with the mentor
-- role (trigger mentor_role).
CREATE TABLE mentor_assignments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    mentor_id        uuid NOT NULL,
    from_on          date NOT NULL,
    to_on            date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    FOREIGN KEY (organization_id, mentor_id) REFERENCES users (organization_id, id),
    CONSTRAINT mentor_assignments_range CHECK (to_on IS NULL OR to_on > from_on),
    CONSTRAINT mentor_assignments_one_at_a_time EXCLUDE USING gist (
        family_id WITH =, daterange(from_on, to_on) WITH &&)
);
CREATE INDEX mentor_assignments_mentor ON mentor_assignments (mentor_id, family_id);
-- The due list starts from a mentor's assignments as of a date.
CREATE INDEX mentor_assignments_mentor_dates ON mentor_assignments (mentor_id, from_on, to_on);
-- A family's mentor as of a date (reports).
CREATE INDEX mentor_assignments_family_from ON mentor_assignments (family_id, from_on);

CREATE TABLE projects (
    id                         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id            uuid NOT NULL,
    family_id                  uuid NOT NULL,
    type                       text NOT NULL CHECK (type IN ('sewing', 'crafts', 'baking', 'livestock', 'greenhouse',
                                                             'retail', 'services', 'other')),
    title                      text NOT NULL CHECK (length(btrim(title)) > 0),
    description                text,
    started_on                 date,
    status                     text NOT NULL DEFAULT 'planned'
                               CHECK (status IN ('planned', 'active', 'suspended', 'closed', 'failed')),
    expected_monthly_revenue   numeric(18, 2) NOT NULL DEFAULT 0 CHECK (expected_monthly_revenue >= 0),
    expected_monthly_costs     numeric(18, 2) NOT NULL DEFAULT 0 CHECK (expected_monthly_costs >= 0),
    business_plan_approved_on  date,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    UNIQUE (organization_id, id)
);
CREATE INDEX projects_family ON projects (family_id);

-- The lifecycle of SPEC §2: planned → active → (suspended ↔ active) → closed | failed
-- (trigger status_lifecycle).
CREATE TABLE project_status_changes (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    project_id       uuid NOT NULL,
    from_status      text NOT NULL,
    to_status        text NOT NULL,
    changed_on       date NOT NULL,
    reason           text,
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id)
);


-- The double-entry ledger (SPEC §3). A ledger transaction is two or more postings whose debits
-- equal their credits; PostgreSQL itself refuses anything else (definitions/ledger.sql), and
-- nobody may change or delete a ledger row: a mistake is corrected by a reversing transaction.

-- A programme's currency always has its chart of accounts, made when the programme is.
CREATE TABLE accounts (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code IN ('cash', 'loans_receivable', 'interest_income', 'fee_income',
                                                   'grant_expense', 'loan_loss_expense', 'donor_funds')),
    currency         text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    UNIQUE (organization_id, code, currency),
    UNIQUE (organization_id, id, currency)
);

CREATE TABLE ledger_transactions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    occurred_on      date NOT NULL,
    currency         text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('donor_funds', 'loan_disbursement', 'repayment', 'recovery',
                                                   'reallocation', 'write_off', 'grant_disbursement', 'reversal')),
    memo             text NOT NULL DEFAULT '',
    -- The transaction this one reverses; each can be reversed once.
    reverses         uuid UNIQUE REFERENCES ledger_transactions,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    recorded_by      text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user),
    UNIQUE (organization_id, id, currency)
);
CREATE INDEX ledger_transactions_date ON ledger_transactions (organization_id, occurred_on);

-- A posting's amount is signed: positive is a debit, negative a credit.
CREATE TABLE postings (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    organization_id  uuid NOT NULL,
    transaction_id   uuid NOT NULL,
    account_id       uuid NOT NULL,
    currency         text NOT NULL,
    amount           numeric(18, 2) NOT NULL CONSTRAINT postings_amount_not_zero CHECK (amount <> 0),
    -- Same organization and currency as the transaction and the account.
    FOREIGN KEY (organization_id, transaction_id, currency) REFERENCES ledger_transactions (organization_id, id, currency),
    FOREIGN KEY (organization_id, account_id, currency) REFERENCES accounts (organization_id, id, currency)
);
CREATE INDEX postings_transaction ON postings (transaction_id);
CREATE INDEX postings_account ON postings (account_id);

-- Donor money received for a programme (debit cash, credit donor_funds).
CREATE TABLE programme_funds (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    programme_id     uuid NOT NULL,
    received_on      date NOT NULL,
    amount           numeric(18, 2) NOT NULL CHECK (amount > 0),
    transaction_id   uuid NOT NULL REFERENCES ledger_transactions,
    FOREIGN KEY (organization_id, programme_id) REFERENCES programmes (organization_id, id)
);


-- Loans (SPEC §4). The schedule is computed in Swift (RavnaqMoney) and stored when the loan is
-- disbursed, so that reports can be computed by PostgreSQL. Repayments carry their current
-- allocation; the ledger carries the money.

-- A loan's number (L-000123) is counted per organization (number_counters below), given by the
-- trigger `number` when the insert leaves it NULL.
CREATE TABLE loans (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id          uuid NOT NULL,
    number                   text NOT NULL,
    programme_id             uuid NOT NULL,
    project_id               uuid NOT NULL,
    currency                 text NOT NULL,
    principal                numeric(18, 2) NOT NULL CONSTRAINT loans_principal_positive CHECK (principal > 0),
    annual_rate              numeric(12, 6) NOT NULL CONSTRAINT loans_rate_range CHECK (annual_rate BETWEEN 0 AND 1000),
    method                   text NOT NULL CHECK (method IN ('annuity', 'equal_principal', 'flat')),
    installments             integer NOT NULL CHECK (installments BETWEEN 1 AND 600),
    frequency                text NOT NULL CHECK (frequency IN ('monthly', 'biweekly', 'weekly')),
    grace_periods            integer NOT NULL DEFAULT 0 CHECK (grace_periods >= 0 AND grace_periods < installments),
    planned_disbursement_on  date NOT NULL,
    first_due_on             date,
    status                   text NOT NULL DEFAULT 'approved' CHECK (status IN ('approved', 'active', 'repaid', 'written_off')),
    disbursed_on             date,
    disbursement_transaction uuid REFERENCES ledger_transactions,
    repaid_on                date,
    written_off_on           date,
    written_off_principal    numeric(18, 2),
    write_off_reason         text,
    write_off_transaction    uuid REFERENCES ledger_transactions,
    created_at               timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    -- A loan's currency is its programme's.
    FOREIGN KEY (organization_id, programme_id, currency) REFERENCES programmes (organization_id, id, currency),
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
    CONSTRAINT loans_disbursed_when_not_approved CHECK ((status = 'approved') = (disbursed_on IS NULL)),
    CONSTRAINT loans_written_off_fields CHECK ((status = 'written_off') = (written_off_on IS NOT NULL)),
    CONSTRAINT loans_first_due_after_disbursement CHECK (first_due_on IS NULL OR first_due_on > planned_disbursement_on)
);
-- The floor under the per-organization counters: a number is unique in its organization.
CREATE UNIQUE INDEX loans_number_key ON loans (organization_id, number);
CREATE INDEX loans_project ON loans (project_id);
CREATE INDEX loans_status ON loans (organization_id, status);
-- Loans disbursed up to a date, per organization (reports).
CREATE INDEX loans_org_disbursed ON loans (organization_id, disbursed_on);
-- The loans list pages by (created_at, id) within an organization: with this index a page reads
-- its own rows, not every loan of the organization first.
CREATE INDEX loans_org_created ON loans (organization_id, created_at, id);

-- The schedule's principal column adds up to the loan's principal, exactly, and is stored in one
-- statement (trigger schedule_sums); installments never change.
CREATE TABLE loan_installments (
    organization_id  uuid NOT NULL,
    loan_id          uuid NOT NULL,
    n                integer NOT NULL CHECK (n >= 1),
    due_on           date NOT NULL,
    principal        numeric(18, 2) NOT NULL CHECK (principal >= 0),
    interest         numeric(18, 2) NOT NULL CHECK (interest >= 0),
    PRIMARY KEY (loan_id, n),
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id)
);

CREATE TABLE repayments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    loan_id          uuid NOT NULL,
    paid_on          date NOT NULL,
    amount           numeric(18, 2) NOT NULL CONSTRAINT repayments_amount_positive CHECK (amount > 0),
    -- repayment: allocated to the schedule; recovery: money received after a write-off.
    kind             text NOT NULL DEFAULT 'repayment' CHECK (kind IN ('repayment', 'recovery')),
    -- The current allocation (recomputed when an earlier repayment is reversed).
    principal        numeric(18, 2) NOT NULL DEFAULT 0 CHECK (principal >= 0),
    interest         numeric(18, 2) NOT NULL DEFAULT 0 CHECK (interest >= 0),
    fees             numeric(18, 2) NOT NULL DEFAULT 0 CHECK (fees >= 0),
    transaction_id   uuid NOT NULL REFERENCES ledger_transactions,
    reversed_on      date,
    reversal_transaction uuid REFERENCES ledger_transactions,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id),
    CONSTRAINT repayments_allocation_adds_up CHECK (kind = 'recovery' OR principal + interest + fees = amount)
);
-- A loan's repayments page by (paid_on, id) over this index: a loan has a few dozen at most.
CREATE INDEX repayments_loan ON repayments (loan_id, paid_on);
CREATE INDEX repayments_org_date ON repayments (organization_id, paid_on);


-- Grants (SPEC §5): a total in ordered tranches, each disbursed once, in order, when its
-- condition holds (and, where the programme asks, after a grant officer's approval); expenses
-- account for what was disbursed. Numbered as loans are (G-000045).

CREATE TABLE grants (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    number           text NOT NULL,
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

-- Tranches add up to the grant's total (checked at commit); each is disbursed once, in order.
-- Tranches disbursed or pending per grant are found through the primary key (grant_id, n).
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


-- Numbers (SPEC §9: "unique in the organization"): each organization has a counter per kind,
-- taken by a BEFORE INSERT trigger (definitions/numbers.sql): the UPDATE locks the counter's row
-- until the transaction ends, so two inserts in one organization take turns (and a rolled-back
-- insert gives its number back), while other organizations do not wait. Bulk loads (`ravnaq
-- seed generate`) reserve a range with next_number() and write the numbers themselves.
CREATE TABLE number_counters (
    organization_id  uuid NOT NULL REFERENCES organizations,
    kind             text NOT NULL CHECK (kind IN ('loan', 'grant')),
    last             bigint NOT NULL CHECK (last >= 0),
    PRIMARY KEY (organization_id, kind)
);


-- Idempotency-Key (SPEC §3, §9): the first request with a key stores its answer; the same key
-- with the same body (compared as parsed JSON) gets that answer again, another body a 409. The
-- key row is written in the same transaction as the money it moved, so a duplicate sent while
-- the first is running waits on the row lock and then reads the stored answer.
-- A key is bound to what a request acts on, not to the path it was sent to: it is kept per
-- organization, operation (`repayment`, `tranche-disbursement`, …) and resource (the loan's,
-- grant's or programme's id as resolved; a tranche or repayment adds its own part). The answer's
-- status is the HTTP layer's business. (`operation` came last, and stays last.)
CREATE TABLE idempotency_keys (
    organization_id  uuid NOT NULL REFERENCES organizations,
    resource         text NOT NULL,
    key              text NOT NULL CHECK (length(key) BETWEEN 1 AND 255),
    request          jsonb NOT NULL,
    response         text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    operation        text NOT NULL,
    PRIMARY KEY (organization_id, operation, resource, key)
);


-- Training (SPEC §6): courses with their sessions, enrollments of family members, attendance
-- per session. A member completes a course with at least 80 % of its sessions attended, and a
-- completion carries a certificate number unique in the organization.

CREATE TABLE courses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL REFERENCES organizations,
    code             text NOT NULL CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9_./-]{0,31}$'),
    title            text NOT NULL CHECK (length(btrim(title)) > 0),
    skill            text NOT NULL CHECK (skill IN ('sewing', 'crafts', 'baking', 'livestock', 'bookkeeping',
                                                    'marketing', 'digital', 'legal_literacy', 'other')),
    hours            numeric(6, 2) NOT NULL CONSTRAINT courses_hours_positive CHECK (hours > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id)
);
CREATE UNIQUE INDEX courses_code_key ON courses (organization_id, lower(code));

CREATE TABLE course_sessions (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    course_id        uuid NOT NULL,
    held_on          date NOT NULL,
    hours            numeric(4, 2) NOT NULL CONSTRAINT course_sessions_hours_in_a_day CHECK (hours > 0 AND hours <= 24),
    trainer          text NOT NULL CHECK (length(btrim(trainer)) > 0),
    venue            text NOT NULL CHECK (length(btrim(venue)) > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id),
    UNIQUE (organization_id, id)
);
CREATE INDEX course_sessions_course ON course_sessions (course_id, held_on);

-- A certificate, once issued, stays as it was (trigger certificate_final).
CREATE TABLE enrollments (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    course_id        uuid NOT NULL,
    member_id        uuid NOT NULL,
    completed        boolean NOT NULL DEFAULT false,
    completed_on     date,
    certificate_no   text CHECK (length(btrim(certificate_no)) > 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, course_id) REFERENCES courses (organization_id, id),
    FOREIGN KEY (organization_id, member_id) REFERENCES members (organization_id, id),
    UNIQUE (organization_id, id),
    CONSTRAINT enrollments_one_per_member UNIQUE (course_id, member_id),
    -- A completion is dated and carries its certificate; nothing else has either.
    CONSTRAINT enrollments_completed_with_certificate CHECK (
        completed = (certificate_no IS NOT NULL) AND completed = (completed_on IS NOT NULL)),
    CONSTRAINT enrollments_certificate_no_key UNIQUE (organization_id, certificate_no)
);
CREATE INDEX enrollments_member ON enrollments (member_id);

-- One row per enrollment present at a session, of the enrollment's own course (trigger same_course).
CREATE TABLE attendance (
    organization_id  uuid NOT NULL,
    session_id       uuid NOT NULL,
    enrollment_id    uuid NOT NULL,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, enrollment_id),
    FOREIGN KEY (organization_id, session_id) REFERENCES course_sessions (organization_id, id),
    FOREIGN KEY (organization_id, enrollment_id) REFERENCES enrollments (organization_id, id)
);
CREATE INDEX attendance_enrollment ON attendance (enrollment_id);


-- Case management (SPEC §7): a mentor's visits to a family, the family's plan goals and its
-- referrals to specialists.

CREATE TABLE visits (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    visited_on       date NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('home', 'phone', 'online', 'office')),
    -- Personal data: never shown to grant officers (SPEC §1).
    notes            text,
    -- Every visit plans the next one; the due list reads it.
    next_visit_on    date NOT NULL,
    -- The user who recorded the visit; NULL when the CLI operator did.
    mentor_id        uuid,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    FOREIGN KEY (organization_id, mentor_id) REFERENCES users (organization_id, id),
    CONSTRAINT visits_next_after_visit CHECK (next_visit_on > visited_on)
);
-- The due list takes each family's latest visit; the family's list reads them in date order.
CREATE INDEX visits_family_date ON visits (family_id, visited_on, created_at, id);

CREATE TABLE plan_goals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    text             text NOT NULL CHECK (length(btrim(text)) > 0),
    set_on           date NOT NULL,
    target_on        date,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'achieved', 'dropped')),
    -- The day the goal got its current status (the day it was set while it has never changed).
    status_on        date NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT plan_goals_target_after_set CHECK (target_on IS NULL OR target_on >= set_on),
    CONSTRAINT plan_goals_status_after_set CHECK (status_on >= set_on)
);
CREATE INDEX plan_goals_family ON plan_goals (family_id, created_at, id);

CREATE TABLE referrals (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    specialist       text NOT NULL CHECK (specialist IN ('psychologist', 'lawyer', 'doctor', 'pedagogue',
                                                         'employment_service', 'other')),
    reason           text NOT NULL CHECK (length(btrim(reason)) > 0),
    referred_on      date NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done', 'declined')),
    status_on        date NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organization_id, id),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT referrals_status_after_referral CHECK (status_on >= referred_on)
);
CREATE INDEX referrals_family ON referrals (family_id, created_at, id);


-- Progress and self-sufficiency (SPEC §7): monthly project reports, household income, the
-- poverty line, self-sufficiency matrix assessments, graduation, and period locks.
-- A period is the first day of its month. Reports and income of a locked month are read-only
-- (trigger locked_period).

CREATE TABLE period_locks (
    organization_id  uuid NOT NULL REFERENCES organizations,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    locked_at        timestamptz NOT NULL DEFAULT now(),
    locked_by        text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user),
    PRIMARY KEY (organization_id, period)
);

-- Found per project and month through the one-per-month unique key (project_id, period).
CREATE TABLE project_reports (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    project_id       uuid NOT NULL,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    revenue          numeric(18, 2) NOT NULL CHECK (revenue >= 0),
    costs            numeric(18, 2) NOT NULL CHECK (costs >= 0),
    units_sold       integer NOT NULL DEFAULT 0 CHECK (units_sold >= 0),
    members_working  integer NOT NULL DEFAULT 0 CHECK (members_working >= 0),
    hired_workers    integer NOT NULL DEFAULT 0 CHECK (hired_workers >= 0),
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, project_id) REFERENCES projects (organization_id, id),
    CONSTRAINT project_reports_one_per_month UNIQUE (project_id, period)
);
CREATE INDEX project_reports_org_period ON project_reports (organization_id, period);

-- Found per family and month through the one-per-month unique key (family_id, period).
CREATE TABLE household_incomes (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    period           date NOT NULL CHECK (extract(day FROM period) = 1),
    household_size   integer NOT NULL CHECK (household_size BETWEEN 1 AND 50),
    project          numeric(18, 2) NOT NULL DEFAULT 0 CHECK (project >= 0),
    wages            numeric(18, 2) NOT NULL DEFAULT 0 CHECK (wages >= 0),
    pension          numeric(18, 2) NOT NULL DEFAULT 0 CHECK (pension >= 0),
    benefits         numeric(18, 2) NOT NULL DEFAULT 0 CHECK (benefits >= 0),
    remittances      numeric(18, 2) NOT NULL DEFAULT 0 CHECK (remittances >= 0),
    other            numeric(18, 2) NOT NULL DEFAULT 0 CHECK (other >= 0),
    total            numeric(18, 2) GENERATED ALWAYS AS (project + wages + pension + benefits + remittances + other) STORED,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id),
    CONSTRAINT household_incomes_one_per_month UNIQUE (family_id, period)
);
CREATE INDEX household_incomes_org_period ON household_incomes (organization_id, period);

-- The official minimum consumption expenditure per person per month (UZS). It is national, so
-- one table serves every organization; admins extend it. A month's line is the one in force on
-- its first day.
CREATE TABLE poverty_lines (
    effective_on  date PRIMARY KEY,
    amount        numeric(18, 2) NOT NULL CHECK (amount > 0),
    recorded_at   timestamptz NOT NULL DEFAULT now(),
    recorded_by   text NOT NULL DEFAULT coalesce(nullif(current_setting('ravnaq.actor', true), ''), session_user)
);
INSERT INTO poverty_lines (effective_on, amount, recorded_by) VALUES
    ('2023-07-01', 568000, 'migration'), ('2024-01-01', 621000, 'migration'), ('2024-05-01', 648000, 'migration'),
    ('2025-02-01', 669000, 'migration'), ('2026-01-01', 715000, 'migration');

-- Self-sufficiency matrix: 15 domains scored 1 (in crisis) … 5 (empowered); childcare and
-- children_education may be 0 (not applicable).
CREATE TABLE assessments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id     uuid NOT NULL,
    family_id           uuid NOT NULL,
    assessed_on         date NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('intake', 'periodic', 'exit')),
    income              smallint NOT NULL CHECK (income BETWEEN 1 AND 5),
    employment          smallint NOT NULL CHECK (employment BETWEEN 1 AND 5),
    housing             smallint NOT NULL CHECK (housing BETWEEN 1 AND 5),
    food                smallint NOT NULL CHECK (food BETWEEN 1 AND 5),
    childcare           smallint NOT NULL CHECK (childcare BETWEEN 0 AND 5),
    children_education  smallint NOT NULL CHECK (children_education BETWEEN 0 AND 5),
    adult_education     smallint NOT NULL CHECK (adult_education BETWEEN 1 AND 5),
    health              smallint NOT NULL CHECK (health BETWEEN 1 AND 5),
    life_skills         smallint NOT NULL CHECK (life_skills BETWEEN 1 AND 5),
    family_relations    smallint NOT NULL CHECK (family_relations BETWEEN 1 AND 5),
    community           smallint NOT NULL CHECK (community BETWEEN 1 AND 5),
    legal               smallint NOT NULL CHECK (legal BETWEEN 1 AND 5),
    mobility            smallint NOT NULL CHECK (mobility BETWEEN 1 AND 5),
    safety              smallint NOT NULL CHECK (safety BETWEEN 1 AND 5),
    credit              smallint NOT NULL CHECK (credit BETWEEN 1 AND 5),
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id)
);
CREATE INDEX assessments_family ON assessments (family_id, assessed_on);
CREATE UNIQUE INDEX assessments_one_intake ON assessments (family_id) WHERE kind = 'intake';


-- Each loan's history as a few sorted arrays in one row, kept by triggers as repayments and
-- schedules are written (definitions/loans.sql), so that the reports (SPEC §8) answer "as of any
-- date" from one row per loan instead of replaying every repayment and installment of the
-- organization per request.
--
-- A figure as of a day is a binary search: `width_bucket(day, dates)` is how many elements of
-- the sorted `dates` are on or before the day (0 for none), which indexes the cumulative arrays
-- beside it. Repayments go to the oldest installment first, so what was paid by a day covers
-- exactly the installments whose cumulative schedule it reaches: `width_bucket(paid,
-- scheduled)` counts them, and the next one is the oldest not fully paid.
--
-- As everywhere in the reports and in loan_figures(), a reversed repayment counts on no day, and
-- the rest count with their current allocation.
CREATE TABLE loan_histories (
    loan_id          uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    family_id        uuid NOT NULL,
    -- The repayments and recoveries not reversed, by date (a day may repeat); through each:
    paid_on          date[] NOT NULL,
    paid             numeric[] NOT NULL,  -- principal + interest of repayments
    principal_paid   numeric[] NOT NULL,  -- principal of repayments
    collected        numeric[] NOT NULL,  -- amounts of repayments and recoveries
    -- The installments in schedule order (due date, then number); through each:
    due_on           date[] NOT NULL,
    scheduled        numeric[] NOT NULL,  -- principal + interest due
    -- The due dates of the installments paid in full by the end of their due day.
    on_time_due_on   date[] NOT NULL,
    -- Fees of repayments through each element of paid_on (cumulative, like paid).
    fees_paid        numeric[] NOT NULL,
    -- The late fees charged, in the order they fall: the day each falls, its installment's
    -- position in schedule order (an index of due_on), and the fees charged through it.
    fee_on           date[] NOT NULL,
    fee_at           integer[] NOT NULL,
    fees             numeric[] NOT NULL,
    FOREIGN KEY (organization_id, loan_id) REFERENCES loans (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT loan_histories_paid_aligned CHECK (
        cardinality(paid) = cardinality(paid_on) AND cardinality(principal_paid) = cardinality(paid_on)
        AND cardinality(collected) = cardinality(paid_on) AND cardinality(fees_paid) = cardinality(paid_on)),
    CONSTRAINT loan_histories_schedule_aligned CHECK (cardinality(scheduled) = cardinality(due_on)),
    CONSTRAINT loan_histories_fees_aligned CHECK (cardinality(fee_at) = cardinality(fee_on) AND cardinality(fees) = cardinality(fee_on))
)
-- A loan's row is written again at every repayment: room left on its page lets the new version
-- stay there (a HOT update, no index touched). At 100 000 families this took the benchmark's
-- repayment from 639 to 773 transactions a second in pgbench (925 without the history).
WITH (fillfactor = 60);
CREATE INDEX loan_histories_family ON loan_histories (family_id);

-- Each family's history as a few sorted arrays in one row, kept by triggers as incomes, project
-- reports, assessments, completions, projects, loans and grants are written
-- (definitions/family_histories.sql), so that the outcomes and training reports and graduation
-- readiness (SPEC §7, §8) answer "as of any date" from one row per family instead of replaying
-- every family's history per request.
--
-- As for loans, a figure as of a day is a binary search: `width_bucket(day, dates)` is how many
-- elements of the sorted `dates` are on or before the day (0 for none), and indexes the arrays
-- beside it; `array[0]` is NULL. The poverty line is not kept here: lines can be added, so bands
-- are computed when read, from the few months a report looks at.
--
-- The row also carries the family's own keys (region, district, status) and its mentors over
-- time, so that a report reads one table per family instead of joining families and mentor
-- assignments of the whole organization as well.
CREATE TABLE family_histories (
    family_id        uuid PRIMARY KEY,
    organization_id  uuid NOT NULL,
    -- As in `families`.
    region           text NOT NULL,
    district         text NOT NULL,
    status           text NOT NULL,
    status_on        date,
    -- Its mentor assignments by from_on (they never overlap; mentor_to_on 'infinity' while
    -- open), with the mentor's email, the key a report groups by; the last one again on its own.
    mentor_from_on   date[] NOT NULL,
    mentor_to_on     date[] NOT NULL,
    mentor_emails    text[] NOT NULL,
    last_mentor_from_on date,
    last_mentor_to_on date,
    last_mentor_email text,
    -- The programme of the family's latest loan or grant (by created_at; ties by id).
    programme_id     uuid,
    -- The type of its latest project (by created_at).
    project_type     text,
    -- Household income per reported month, by month; the first and the last month's again on
    -- their own. Reports read them for every family, and a column costs far less to read than an
    -- array's element: as of today (on or after the last element) a report reads no array at all.
    income_on        date[] NOT NULL,
    income_total     numeric[] NOT NULL,
    household_size   integer[] NOT NULL,
    first_income_on  date,
    first_income_total numeric,
    first_household_size integer,
    last_income_on   date,
    last_income_total numeric,
    last_household_size integer,
    -- The months any of its projects reported, by month: net income (revenue − costs) and jobs
    -- (members working + hired workers), summed over the projects.
    report_on        date[] NOT NULL,
    report_net       numeric[] NOT NULL,
    report_jobs      bigint[] NOT NULL,
    last_report_on   date,
    last_report_net  numeric,
    last_report_jobs bigint,
    -- Its assessments in (assessed_on, recorded_at) order. Per assessment 15 bytes, one per
    -- domain in the order of the columns of `assessments`: `scores` the scores (0–5); and
    -- `ssm_changes` the change since the intake as it stood then (the `intake` assessment if
    -- done by then, else the first), plus 5, or 0 where there is none (the assessment is that
    -- intake, or either score is 0). Bytes rather than smallint arrays: get_byte() reads a
    -- stored value in place, where an array subscript copies the array first (several times
    -- slower over 15 domains of 100 000 families).
    assessed_on      date[] NOT NULL,
    scores           bytea NOT NULL,
    ssm_changes      bytea NOT NULL,
    -- The completion dates of its members' courses, by date.
    completed_on     date[] NOT NULL,
    -- Its members' enrollments (in no particular order): the course and the completion date (NULL
    -- while not completed), so that the training report need not find the family of each.
    enrollment_ids   uuid[] NOT NULL,
    enrollment_course_ids uuid[] NOT NULL,
    enrollment_completed_on date[] NOT NULL,
    FOREIGN KEY (organization_id, family_id) REFERENCES families (organization_id, id) ON DELETE CASCADE,
    CONSTRAINT family_histories_mentors_aligned CHECK (
        cardinality(mentor_to_on) = cardinality(mentor_from_on) AND cardinality(mentor_emails) = cardinality(mentor_from_on)),
    CONSTRAINT family_histories_incomes_aligned CHECK (
        cardinality(income_total) = cardinality(income_on) AND cardinality(household_size) = cardinality(income_on)),
    CONSTRAINT family_histories_reports_aligned CHECK (
        cardinality(report_net) = cardinality(report_on) AND cardinality(report_jobs) = cardinality(report_on)),
    CONSTRAINT family_histories_enrollments_aligned CHECK (
        cardinality(enrollment_course_ids) = cardinality(enrollment_ids) AND cardinality(enrollment_completed_on) = cardinality(enrollment_ids)),
    CONSTRAINT family_histories_assessments_aligned CHECK (
        length(scores) = 15 * cardinality(assessed_on) AND length(ssm_changes) = 15 * cardinality(assessed_on))
);


-- Roles and privileges (SPEC §1, §10).
--
-- Requests run as `ravnaq_app`, a role that owns no table and is no superuser (each transaction
-- does SET LOCAL ROLE to it and sets `ravnaq.organization_id`), so PostgreSQL itself keeps every
-- organization's rows from every other: even a query without a WHERE clause sees only the
-- actor's organization (the policies of definitions/access.sql). Migrations, bootstrap (org and
-- user commands, token checks) and bulk loads run as the schema owner.
--
-- Grant officers' requests run as `ravnaq_officer` instead (chosen from `ravnaq.role` in the
-- statement that sets it, Database+Transaction.swift). The role may read every table but the
-- audit log (whose copies hold personal data; it is for admins) and the tokens, and not the
-- personal columns — member names, birth dates and PINFL, the mahalla, a family's registry
-- reference, visit notes, a plan goal's text and a referral's reason — so a query that names one
-- fails instead of leaking it. Its only writes are the two columns that approve a tranche and the
-- audit row that approval adds. Privileges rather than policies: they refuse an INSERT, UPDATE or
-- DELETE even when it matches no row (a policy would quietly skip the rows) and cost nothing per
-- row; a refusal is insufficient_privilege, which the services answer with 403. Columns added to
-- members, families, visits, plan_goals or referrals later are hidden from grant officers until a
-- migration grants them; new tables are readable (default privileges below).
--
-- Roles belong to the cluster, not the database: made only where missing.
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ravnaq_app') THEN
        CREATE ROLE ravnaq_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ravnaq_officer') THEN
        CREATE ROLE ravnaq_officer NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
    END IF;
END $$;
-- The connecting user switches to them per transaction.
GRANT ravnaq_app TO CURRENT_USER;
GRANT ravnaq_officer TO CURRENT_USER;

GRANT USAGE ON SCHEMA public TO ravnaq_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ravnaq_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ravnaq_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ravnaq_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ravnaq_app;
-- What requests never do, whatever the triggers say.
REVOKE UPDATE, DELETE, TRUNCATE ON audit_log, ledger_transactions, postings, loan_installments FROM ravnaq_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations, schema_definitions, organizations, api_tokens FROM ravnaq_app;
REVOKE INSERT, DELETE, TRUNCATE ON users FROM ravnaq_app;
-- Only the triggers and bulk loads (the owner) write histories.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON loan_histories, family_histories FROM ravnaq_app;

GRANT USAGE ON SCHEMA public TO ravnaq_officer;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO ravnaq_officer;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ravnaq_officer;
REVOKE SELECT ON audit_log, api_tokens, members, families, visits, plan_goals, referrals FROM ravnaq_officer;
-- A member's sex is read only in aggregates (the reports), never member by member.
GRANT SELECT (id, organization_id, family_id, relation, disability, works, erased_on, created_at)
    ON members TO ravnaq_officer;
GRANT SELECT (id, organization_id, code, region, district, categories, consent_on, status, status_on,
              exit_reason, created_at, consent_withdrawn_on)
    ON families TO ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, visited_on, kind, next_visit_on, mentor_id, created_at)
    ON visits TO ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, set_on, target_on, status, status_on, created_at) ON plan_goals TO ravnaq_officer;
GRANT SELECT (id, organization_id, family_id, specialist, referred_on, status, status_on, created_at) ON referrals TO ravnaq_officer;
-- Approving a tranche (SPEC §1: a grant officer's only write), and its audit row.
GRANT UPDATE (approved_at, approved_by) ON grant_tranches TO ravnaq_officer;
GRANT INSERT ON audit_log TO ravnaq_officer;

-- Only the owner's numbering functions touch the counters (definitions/numbers.sql).
REVOKE ALL ON number_counters FROM ravnaq_app, ravnaq_officer;

-- Row-level security on every table of an organization's rows; the policies are in
-- definitions/access.sql. (number_counters is reached only through the owner's functions,
-- poverty_lines is national.)
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE programmes ENABLE ROW LEVEL SECURITY;
ALTER TABLE families ENABLE ROW LEVEL SECURITY;
ALTER TABLE members ENABLE ROW LEVEL SECURITY;
ALTER TABLE mentor_assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_status_changes ENABLE ROW LEVEL SECURITY;
ALTER TABLE accounts ENABLE ROW LEVEL SECURITY;
ALTER TABLE ledger_transactions ENABLE ROW LEVEL SECURITY;
ALTER TABLE postings ENABLE ROW LEVEL SECURITY;
ALTER TABLE programme_funds ENABLE ROW LEVEL SECURITY;
ALTER TABLE loans ENABLE ROW LEVEL SECURITY;
ALTER TABLE loan_installments ENABLE ROW LEVEL SECURITY;
ALTER TABLE repayments ENABLE ROW LEVEL SECURITY;
ALTER TABLE grants ENABLE ROW LEVEL SECURITY;
ALTER TABLE grant_tranches ENABLE ROW LEVEL SECURITY;
ALTER TABLE grant_expenses ENABLE ROW LEVEL SECURITY;
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE courses ENABLE ROW LEVEL SECURITY;
ALTER TABLE course_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrollments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attendance ENABLE ROW LEVEL SECURITY;
ALTER TABLE visits ENABLE ROW LEVEL SECURITY;
ALTER TABLE plan_goals ENABLE ROW LEVEL SECURITY;
ALTER TABLE referrals ENABLE ROW LEVEL SECURITY;
ALTER TABLE period_locks ENABLE ROW LEVEL SECURITY;
ALTER TABLE project_reports ENABLE ROW LEVEL SECURITY;
ALTER TABLE household_incomes ENABLE ROW LEVEL SECURITY;
ALTER TABLE assessments ENABLE ROW LEVEL SECURITY;
ALTER TABLE loan_histories ENABLE ROW LEVEL SECURITY;
ALTER TABLE family_histories ENABLE ROW LEVEL SECURITY;
