-- E-mail verification: a 6-digit code per account, kept as its keyed hash
-- (HMAC with a key derived from PortalSecretFile), valid 15 minutes, five
-- tries; a new code replaces the old ones.
CREATE TABLE email_codes (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (id),
    code_hash   text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    used_at     timestamptz,
    replaced_at timestamptz
);
CREATE INDEX email_codes_live ON email_codes (user_id, created_at DESC)
    WHERE used_at IS NULL AND replaced_at IS NULL;

GRANT SELECT, INSERT, UPDATE (attempts, used_at, replaced_at) ON email_codes TO portal_app;
