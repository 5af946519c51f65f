-- Sessions of signed-in customers (core/mod_portal_session.c).

-- name: check
-- retry: safe
-- The request's session, user, role and active tenant (with whether it
-- requires two-step verification), or no row ($1 the token's SHA-256 as
-- hex, $2 the idle timeout in seconds). Sending it twice only refreshes
-- last-seen twice.
SELECT session_id, user_id, tenant_id, email, user_name, locale, time_zone,
       email_verified, totp_enabled, role, tenant_name, tenant_status, tenant_requires_2fa
  FROM portal_session_check(decode($1, 'hex'), $2::integer);

-- name: start
-- A new session for a member of a tenant ($5 the absolute timeout, seconds).
INSERT INTO sessions (token_hash, user_id, tenant_id, ip, user_agent, expires_at)
VALUES (decode($1, 'hex'), $2::uuid, $3::uuid, $4::inet, left($6, 512),
        now() + make_interval(secs => $5::integer))
RETURNING id;

-- name: revoke
-- Sign-out, and the old session when a token is rotated.
UPDATE sessions SET revoked_at = now()
 WHERE id = $1::uuid AND revoked_at IS NULL;

-- name: revoke_others
-- "Sign out all other sessions", and every session after a password reset
-- ($2 NULL: all of them).
UPDATE sessions SET revoked_at = now()
 WHERE user_id = $1::uuid AND revoked_at IS NULL
   AND ($2::uuid IS NULL OR id <> $2::uuid);
