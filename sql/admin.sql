-- Queries of the admin area.

-- name: server_status
-- retry: safe
SELECT current_setting('server_version') AS server_version,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS now;

-- Admin accounts -------------------------------------------------------------

-- name: for_signin
-- retry: safe
SELECT id, email, password_hash, totp_secret, totp_last_step, role, status
  FROM admins
 WHERE email = $1;

-- name: signed_in
-- A sign-in: the TOTP step just used (never accepted again) and the time.
-- Only if the step is newer than the stored one, so two requests with the
-- same code cannot both pass.
UPDATE admins SET totp_last_step = $2::bigint, last_signin_at = now()
 WHERE id = $1::uuid AND (totp_last_step IS NULL OR totp_last_step < $2::bigint)
RETURNING id;

-- name: create
-- A new admin without a password: the enrolment link sets it.
INSERT INTO admins (email, role) VALUES ($1, $2)
RETURNING id;

-- name: enrolment_new
-- A one-time enrolment link, 24 hours ($2 the SHA-256 of the token, hex); the
-- earlier unused links of the admin stop working.
WITH spent AS (
    UPDATE admin_enrolments SET used_at = now()
     WHERE admin_id = $1::uuid AND used_at IS NULL
)
INSERT INTO admin_enrolments (token_hash, admin_id, expires_at)
VALUES (decode($2, 'hex'), $1::uuid, now() + interval '24 hours');

-- name: enrolment_live
-- retry: safe
SELECT a.id AS admin_id, a.email, a.role
  FROM admin_enrolments e JOIN admins a ON a.id = e.admin_id
 WHERE e.token_hash = decode($1, 'hex') AND e.used_at IS NULL AND e.expires_at > now()
   AND a.status = 'active';

-- name: enrolment_use
UPDATE admin_enrolments SET used_at = now()
 WHERE token_hash = decode($1, 'hex') AND used_at IS NULL AND expires_at > now()
RETURNING admin_id;

-- name: enrol
-- The password and the sealed TOTP secret, with the step of the code that
-- confirmed it; every earlier session ends.
WITH ended AS (
    UPDATE admin_sessions SET revoked_at = now()
     WHERE admin_id = $1::uuid AND revoked_at IS NULL
)
UPDATE admins SET password_hash = $2, totp_secret = $3, totp_last_step = $4::bigint
 WHERE id = $1::uuid;

-- name: list
-- retry: safe
SELECT id, email, role, status, password_hash IS NOT NULL AS enrolled,
       to_char(last_signin_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS last_signin,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created
  FROM admins
 ORDER BY created_at, email;

-- name: supers_lock
-- In a change's transaction, before anything is read: the active super
-- admins, locked in one order, so two changes of super admins run one after
-- the other and the second reads what the first left (the last-super rule).
SELECT id FROM admins WHERE role = 'super' AND status = 'active'
 ORDER BY id
   FOR UPDATE;

-- name: get_locked
-- An admin read again under supers_lock, and locked.
SELECT id, email, role, status FROM admins WHERE id = $1::uuid
   FOR UPDATE;

-- name: supers_left
-- retry: safe
-- Active super admins other than $1.
SELECT count(*) AS n FROM admins
 WHERE role = 'super' AND status = 'active' AND id <> $1::uuid;

-- name: set_role
UPDATE admins SET role = $2 WHERE id = $1::uuid;

-- name: set_status
UPDATE admins SET status = $2 WHERE id = $1::uuid;

-- Tenants --------------------------------------------------------------------

-- name: tenants_search
-- retry: safe
-- By company name, tax id or the e-mail of a member ($1 NULL: every tenant),
-- newest first, one page ($2 limit, $3 offset). One more row than a page
-- tells the page there is a next one.
SELECT t.id, t.name, t.tax_id, t.status, t.country,
       to_char(t.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created,
       (SELECT count(*) FROM tenant_members m WHERE m.tenant_id = t.id) AS members
  FROM tenants t
 WHERE $1::text IS NULL
    OR t.name ILIKE '%' || $1 || '%'
    OR t.tax_id = $1
    OR EXISTS (SELECT 1 FROM tenant_members m JOIN users u ON u.id = m.user_id
                WHERE m.tenant_id = t.id AND u.email LIKE '%' || lower($1) || '%')
 ORDER BY t.created_at DESC, t.id
 LIMIT $2::integer OFFSET $3::integer;

-- name: tenant
-- retry: safe
SELECT id, name, tax_id, country, city, phone, status,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS created
  FROM tenants WHERE id = $1::uuid;

-- name: tenant_members
-- retry: safe
-- The members with their roles and last sign-in into this tenant.
SELECT u.id, u.email, u.name, m.role,
       u.email_verified_at IS NOT NULL AS verified, u.totp_secret IS NOT NULL AS totp,
       (SELECT to_char(max(s.created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"')
          FROM sessions s WHERE s.user_id = u.id AND s.tenant_id = m.tenant_id) AS last_signin
  FROM tenant_members m JOIN users u ON u.id = m.user_id
 WHERE m.tenant_id = $1::uuid
 ORDER BY m.created_at, u.email;

-- name: tenant_invitations
-- retry: safe
-- The invitations of a tenant still waiting for an answer, and who sent
-- them (NULL: the vendor, from this area).
SELECT i.email, i.role, coalesce(u.email, '') AS invited_by,
       to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI "UTC"') AS expires
  FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
 WHERE i.tenant_id = $1::uuid AND i.accepted_at IS NULL AND i.revoked_at IS NULL
   AND i.expires_at > now()
 ORDER BY i.created_at;

-- name: tenant_create
INSERT INTO tenants (name, tax_id, country) VALUES ($1, nullif($2, ''), nullif($3, ''))
RETURNING id;

-- name: tenant_status
-- Suspend or unsuspend; no row when it already had that status, else the
-- status it had (for the audit row).
UPDATE tenants t SET status = $2
  FROM (SELECT id, status FROM tenants WHERE id = $1::uuid) old
 WHERE t.id = old.id AND t.status <> $2
RETURNING t.id, old.status AS before;

-- name: tenant_sessions_revoke
-- Every customer session signed into the tenant.
UPDATE sessions SET revoked_at = now()
 WHERE tenant_id = $1::uuid AND revoked_at IS NULL;

-- Users ----------------------------------------------------------------------

-- name: user
-- retry: safe
-- A person and their memberships (one row per membership; none: no such
-- person, or one no tenant knows).
SELECT u.id, u.email, u.name, u.locale, u.totp_secret IS NOT NULL AS totp,
       u.email_verified_at IS NOT NULL AS verified,
       to_char(u.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created,
       m.tenant_id, m.role, t.name AS tenant_name, t.status AS tenant_status,
       (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL
           AND s.expires_at > now()) AS live_sessions
  FROM users u
  JOIN tenant_members m ON m.user_id = u.id
  JOIN tenants t ON t.id = m.tenant_id
 WHERE u.id = $1::uuid
 ORDER BY m.created_at;

-- name: user_totp_reset
-- Two-step verification off by support: the secret, an enrolment not yet
-- confirmed and every recovery code; what there was, for the audit row.
WITH was AS (
    SELECT totp_secret IS NOT NULL AS totp, totp_pending IS NOT NULL AS pending
      FROM users WHERE id = $1::uuid
), codes AS (
    DELETE FROM recovery_codes WHERE user_id = $1::uuid RETURNING used_at
)
UPDATE users SET totp_secret = NULL, totp_last_step = NULL,
                 totp_pending = NULL, totp_pending_at = NULL
 WHERE id = $1::uuid
RETURNING (SELECT totp FROM was) AS totp, (SELECT pending FROM was) AS pending,
          (SELECT count(*) FROM codes WHERE used_at IS NULL) AS recovery_left;

-- Audit and outbox ----------------------------------------------------------

-- name: audit
-- retry: safe
SELECT id, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS at,
       event, actor_kind, actor_email, tenant_id, host(ip) AS ip, detail::text AS detail
  FROM admin_audit_search(nullif($1, '')::uuid, nullif($2, ''), nullif($3, ''),
                          nullif($4, '')::timestamptz, nullif($5, '')::timestamptz,
                          $6::integer, $7::integer);

-- name: outbox
-- retry: safe
-- Mail by status ($1 empty for all; "failed" shows failing and failed),
-- newest first.
SELECT id, recipient, template, subject, status, attempts, last_error,
       to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS created,
       CASE WHEN status IN ('queued', 'failing')
            THEN to_char(next_try_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') END AS next_try,
       to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS sent
  FROM mail_outbox
 WHERE $1 = '' OR status = $1 OR ($1 = 'failed' AND status = 'failing')
 ORDER BY id DESC
 LIMIT $2::integer OFFSET $3::integer;
