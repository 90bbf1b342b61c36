-- Every table of an organization's data carries organization_id (issue 18, item 8; README,
-- "Distributed later"): on Citus each would be distributed by it, and a foreign key between
-- distributed tables must include it. A user's password and failed sign-ins were the two that
-- reached their organization only through `users`; they now name it, and their key to the user
-- includes it (users keeps UNIQUE (organization_id, id)). `DistributionTests` fails for a table
-- added without it.
ALTER TABLE user_passwords ADD COLUMN organization_id uuid;
UPDATE user_passwords p SET organization_id = u.organization_id FROM users u WHERE u.id = p.user_id;
ALTER TABLE user_passwords
    ALTER COLUMN organization_id SET NOT NULL,
    DROP CONSTRAINT user_passwords_user_id_fkey,
    ADD FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id);

ALTER TABLE sign_in_failures ADD COLUMN organization_id uuid;
UPDATE sign_in_failures f SET organization_id = u.organization_id FROM users u WHERE u.id = f.user_id;
ALTER TABLE sign_in_failures
    ALTER COLUMN organization_id SET NOT NULL,
    DROP CONSTRAINT sign_in_failures_user_id_fkey,
    ADD FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id);
