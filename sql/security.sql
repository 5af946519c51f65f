-- The account’s security page (/account/security) and the second step of
-- a sign-in (/signin/2fa): passwords, sessions, two-step verification.

-- name: user
-- retry: safe
-- The signed-in person’s password hash and two-step state ($1 user id).
SELECT password_hash, totp_secret, totp_last_step, totp_pending,
       totp_pending_at > now() - interval '15 minutes' AS pending_live,
       (SELECT count(*) FROM recovery_codes r
         WHERE r.user_id = u.id AND r.used_at IS NULL) AS recovery_left
  FROM users u
 WHERE id = $1::uuid;

-- name: tenant_require_lock
-- The company's two-step requirement before an owner changes it, the row
-- locked until the change commits.
SELECT require_2fa FROM tenants WHERE id = portal_tenant() FOR UPDATE;

-- name: tenant_require_set
UPDATE tenants SET require_2fa = $1::boolean WHERE id = portal_tenant()
RETURNING id;

-- name: sessions_live
-- retry: safe
-- The person’s live sessions in this company, newest first ($2 the current
-- session, $3 the time zone, $4 the idle timeout in seconds, $5 the
-- company).
SELECT id, host(ip) AS ip, user_agent, id = $2::uuid AS current,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at_iso,
       to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') AS at_local,
       to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS seen_iso,
       to_char(last_seen_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') AS seen_local
  FROM sessions
 WHERE user_id = $1::uuid AND tenant_id = $5::uuid
   AND revoked_at IS NULL AND expires_at > now()
   AND last_seen_at > now() - make_interval(secs => $4::integer)
 ORDER BY id = $2::uuid DESC, last_seen_at DESC
 LIMIT 50;

-- name: session_revoke
-- "Sign out" of one other session of the person in this company: no row
-- when the id is not one ($1 the session, $2 the person, $3 the current,
-- $4 the company).
UPDATE sessions SET revoked_at = now()
 WHERE id = $1::uuid AND user_id = $2::uuid AND tenant_id = $4::uuid
   AND id <> $3::uuid AND revoked_at IS NULL
RETURNING id;

-- name: pending_set
-- The sealed secret of a new enrolment (replacing an unconfirmed one).
UPDATE users SET totp_pending = $2, totp_pending_at = now()
 WHERE id = $1::uuid AND totp_secret IS NULL;

-- name: enable
-- Confirms the enrolment: only once, only while it is pending and live
-- ($2 the step of the code that confirmed it).
UPDATE users SET totp_secret = totp_pending, totp_last_step = $2::bigint,
                 totp_pending = NULL, totp_pending_at = NULL
 WHERE id = $1::uuid AND totp_secret IS NULL AND totp_pending IS NOT NULL
   AND totp_pending_at > now() - interval '15 minutes'
RETURNING id;

-- name: disable
UPDATE users SET totp_secret = NULL, totp_last_step = NULL,
                 totp_pending = NULL, totp_pending_at = NULL
 WHERE id = $1::uuid AND totp_secret IS NOT NULL
RETURNING id;

-- name: step_use
-- Spends a code’s time step: a row only when it is later than every step
-- accepted before, so a replayed code (even two requests at once) fails.
UPDATE users SET totp_last_step = $2::bigint
 WHERE id = $1::uuid AND totp_secret IS NOT NULL
   AND (totp_last_step IS NULL OR totp_last_step < $2::bigint)
RETURNING id;

-- name: recovery_clear
DELETE FROM recovery_codes WHERE user_id = $1::uuid;

-- name: recovery_add
INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1::uuid, $2);

-- name: recovery_use
-- Spends a recovery code once; the codes still unused after it.
WITH used AS (
    UPDATE recovery_codes SET used_at = now()
     WHERE user_id = $1::uuid AND code_hash = $2 AND used_at IS NULL
    RETURNING user_id
)
SELECT (SELECT count(*) FROM recovery_codes
         WHERE user_id = $1::uuid AND used_at IS NULL) - 1 AS left
  FROM used;

-- name: challenge_new
-- The second step of a sign-in, 5 minutes ($4 where to go after it).
INSERT INTO signin_challenges (token_hash, user_id, tenant_id, next_path, expires_at)
VALUES (decode($1, 'hex'), $2::uuid, $3::uuid, nullif($4, ''),
        now() + interval '5 minutes');

-- name: challenge_live
-- retry: safe
-- The live challenge of a browser and its person, or no row: none either
-- when the person is no longer a member of the company, or the company is
-- no longer active (suspended after the password was given).
SELECT c.user_id, c.tenant_id, coalesce(c.next_path, '') AS next_path, u.email, u.locale,
       u.totp_secret, u.totp_last_step
  FROM signin_challenges c JOIN users u ON u.id = c.user_id
 WHERE c.token_hash = decode($1, 'hex') AND c.used_at IS NULL
   AND c.expires_at > now() AND c.attempts < 5
   AND EXISTS (SELECT 1 FROM portal_user_memberships(c.user_id) m
                WHERE m.tenant_id = c.tenant_id AND m.tenant_status = 'active');

-- name: challenge_try
-- One try of the code: counted first, so every guess costs one of five.
UPDATE signin_challenges SET attempts = attempts + 1
 WHERE token_hash = decode($1, 'hex') AND used_at IS NULL
   AND expires_at > now() AND attempts < 5
RETURNING 5 - attempts AS tries_left;

-- name: challenge_use
UPDATE signin_challenges SET used_at = now()
 WHERE token_hash = decode($1, 'hex') AND used_at IS NULL AND expires_at > now()
RETURNING user_id;
