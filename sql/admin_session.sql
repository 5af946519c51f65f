-- Sessions of signed-in admins (core/mod_portal_admin_session.c): their own
-- table, cookie and timeouts, never those of customers.

-- name: check
-- retry: safe
-- The admin session of the request and its admin, or no row ($1 the token
-- SHA-256 as hex, $2 the idle timeout in seconds). Seen-at is written at
-- most once a minute; sending it twice only writes it twice.
WITH s AS (
    SELECT s.id, s.last_seen_at, a.id AS admin_id, a.email, a.role
      FROM admin_sessions s JOIN admins a ON a.id = s.admin_id
     WHERE s.token_hash = decode($1, 'hex') AND s.revoked_at IS NULL
       AND s.expires_at > now()
       AND s.last_seen_at > now() - make_interval(secs => $2::integer)
       AND a.status = 'active'
), touched AS (
    UPDATE admin_sessions SET last_seen_at = now()
     WHERE id IN (SELECT id FROM s WHERE last_seen_at < now() - interval '1 minute')
)
SELECT id AS session_id, admin_id, email, role FROM s;

-- name: start
-- A new admin session ($3 the absolute timeout in seconds).
INSERT INTO admin_sessions (token_hash, admin_id, ip, user_agent, expires_at)
VALUES (decode($1, 'hex'), $2::uuid, $4::inet, left($5, 512),
        now() + make_interval(secs => $3::integer))
RETURNING id;

-- name: revoke
UPDATE admin_sessions SET revoked_at = now()
 WHERE id = $1::uuid AND revoked_at IS NULL;

-- name: revoke_all
-- Every session of an admin: disabled, or their role changed.
UPDATE admin_sessions SET revoked_at = now()
 WHERE admin_id = $1::uuid AND revoked_at IS NULL;
