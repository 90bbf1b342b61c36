-- Phones and consent to messages (issue 17): members and users may have a phone number, in
-- E.164 (`+998901234567`; the services accept spaces and dashes and store it so), and say
-- whether they agree to be sent messages. A member's phone is personal data (SPEC §1): hidden
-- from grant officers (no column privilege) and erased with the family's consent.
ALTER TABLE members ADD COLUMN phone text CONSTRAINT members_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
    ADD COLUMN messages_consent boolean NOT NULL DEFAULT false,
    ADD CONSTRAINT members_erased_no_phone CHECK (erased_on IS NULL OR (phone IS NULL AND NOT messages_consent));
ALTER TABLE users ADD COLUMN phone text CONSTRAINT users_phone_e164 CHECK (phone ~ '^\+[1-9][0-9]{7,14}$'),
    ADD COLUMN messages_consent boolean NOT NULL DEFAULT false;

-- Grant officers read users' emails and roles (reports group by mentor), not their phones.
REVOKE SELECT ON users FROM ravnaq_officer;
GRANT SELECT (id, organization_id, email, role, created_at, revoked_at) ON users TO ravnaq_officer;
