-- Web sign-in (issue 14): a password per user, one-time links to set it, browser sessions and
-- the failed attempts that lock an account. Only the schema owner reads or writes these (the
-- sign-in runs before there is an actor, as `Users.authenticate` does); the request roles see
-- none of it, and a session is checked in every transaction by ravnaq_token_in_force
-- (sql/definitions/10_access.sql) exactly as an API token is.

-- crypt() with Blowfish (bcrypt): the slow salted hash of passwords. Trusted since PostgreSQL 13,
-- so the database's owner may create it.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- A revoked user signs in no more and every session and token of theirs stops at once; a new
-- invitation or API token for them restores access (`ravnaq user revoke`, README "Web app").
ALTER TABLE users ADD COLUMN revoked_at timestamptz;

-- Apart from users, so that the audit trigger's copy of a user never carries a password hash.
CREATE TABLE user_passwords (
    user_id          uuid PRIMARY KEY REFERENCES users,
    password_hash    text NOT NULL CHECK (password_hash LIKE '$2a$%'),
    set_at           timestamptz NOT NULL DEFAULT now(),
    -- Five failed sign-ins within 15 minutes lock the account for 15 minutes.
    locked_until     timestamptz
);

-- Invitations and password resets: a link shown once; only the SHA-256 of its token is kept.
CREATE TABLE sign_in_links (
    token_hash       bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    purpose          text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    expires_at       timestamptz NOT NULL,
    used_at          timestamptz,
    CONSTRAINT sign_in_links_lifetime CHECK (expires_at > created_at),
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id);

-- A browser session: the cookie carries a random id, this table only its SHA-256. Idle for
-- 12 hours, signed out or revoked, it is over.
CREATE TABLE web_sessions (
    id_hash          bytea PRIMARY KEY CHECK (length(id_hash) = 32),
    organization_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    -- The token every form of the session carries (a cross-site form cannot know it).
    csrf_token       text NOT NULL CHECK (length(csrf_token) >= 32),
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_seen_at     timestamptz NOT NULL DEFAULT now(),
    ended_at         timestamptz,
    FOREIGN KEY (organization_id, user_id) REFERENCES users (organization_id, id)
);
CREATE INDEX web_sessions_open ON web_sessions (user_id) WHERE ended_at IS NULL;

CREATE TABLE sign_in_failures (
    user_id          uuid NOT NULL REFERENCES users,
    at               timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_failures_user_at ON sign_in_failures (user_id, at);

-- The default privileges of the baseline gave the request roles these tables: take them back.
REVOKE ALL ON user_passwords, sign_in_links, web_sessions, sign_in_failures FROM ravnaq_app, ravnaq_officer;
ALTER TABLE user_passwords ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_links ENABLE ROW LEVEL SECURITY;
ALTER TABLE web_sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE sign_in_failures ENABLE ROW LEVEL SECURITY;
