-- Password reset links: the SHA-256 of a random 256-bit token, valid 30
-- minutes, used once; a newer link replaces the older ones.
CREATE TABLE password_resets (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    replaced_at timestamptz
);
CREATE INDEX password_resets_by_user ON password_resets (user_id) WHERE used_at IS NULL;

GRANT SELECT, INSERT, UPDATE (used_at, replaced_at) ON password_resets TO portal_app;
