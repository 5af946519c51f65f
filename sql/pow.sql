-- Spent proof-of-work challenges (core/mod_portal_pow.c).

-- name: spend
-- Marks a challenge ($1, hex SHA-256 of its text) used until $2 (Unix
-- seconds, its expiry). One statement: of parallel requests with the same
-- solved challenge exactly one gets a row back. A write: never resent.
INSERT INTO pow_spent (challenge_hash, expires_at)
VALUES (decode($1, 'hex'), to_timestamp($2::bigint))
    ON CONFLICT (challenge_hash) DO NOTHING
RETURNING true AS fresh;

-- name: prune
-- Deletes up to $1 challenges past their expiry (they fail the check anyway).
DELETE FROM pow_spent
 WHERE challenge_hash IN (SELECT challenge_hash FROM pow_spent
                           WHERE expires_at < clock_timestamp()
                           ORDER BY expires_at
                           LIMIT $1::int);
