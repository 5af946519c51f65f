-- Two-step verification of customers (TOTP, RFC 6238): the secret being
-- enrolled, the one-time recovery codes, and the second step of a sign-in.
-- None of them is tenant-owned: two-step verification belongs to the
-- person (users), whichever company they sign in to.

-- The secret of an enrolment that is not confirmed yet: sealed like
-- totp_secret (core/secretbox.h), never plain, and good for 15 minutes.
ALTER TABLE users ADD COLUMN totp_pending text;
ALTER TABLE users ADD COLUMN totp_pending_at timestamptz;
GRANT UPDATE (totp_pending, totp_pending_at) ON users TO portal_app;

-- Recovery codes: their keyed hash only (core/recovery.h), each used once.
-- A new set replaces the old one (the old rows are deleted).
CREATE TABLE recovery_codes (
    user_id     uuid NOT NULL REFERENCES users (id),
    code_hash   text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    used_at     timestamptz,
    PRIMARY KEY (user_id, code_hash)
);
GRANT SELECT, INSERT, UPDATE (used_at), DELETE ON recovery_codes TO portal_app;

-- The second step of a sign-in: after the right password of an account
-- with two-step verification, the browser holds a random 256-bit token
-- (only its SHA-256 is here) that is good for 5 minutes and 5 tries, and
-- for nothing but asking for the code. No session exists until the code.
CREATE TABLE signin_challenges (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id),
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    next_path   text CHECK (length(next_path) <= 2048),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    attempts    integer NOT NULL DEFAULT 0,
    used_at     timestamptz
);
CREATE INDEX signin_challenges_by_user ON signin_challenges (user_id);
COMMENT ON COLUMN signin_challenges.tenant_id IS
    'not tenant-owned: a challenge belongs to its user; this is the tenant being signed into';
GRANT SELECT, INSERT, UPDATE (attempts, used_at) ON signin_challenges TO portal_app;
