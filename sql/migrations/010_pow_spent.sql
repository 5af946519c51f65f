-- Proof-of-work challenges already used (core/pow.h): the SHA-256 of the
-- challenge text, kept until the challenge expires, so that one solved
-- challenge lets one request through. Like rate_limits it is not a
-- tenant's: it is written before anyone signs in, keyed by nothing but the
-- challenge. Expired rows go with the rate-limit prune.
CREATE TABLE pow_spent (
    challenge_hash bytea PRIMARY KEY CHECK (octet_length(challenge_hash) = 32),
    expires_at     timestamptz NOT NULL
);
CREATE INDEX pow_spent_expired ON pow_spent (expires_at);

GRANT SELECT, INSERT, DELETE ON pow_spent TO portal_app;
