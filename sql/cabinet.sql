-- Queries of the customer-facing area: the public site and, later, the cabinet.

-- name: plans_active
-- retry: safe
-- The Pricing page: every plan on sale, shortest first.
SELECT code, months, price_minor, currency, max_devices, popular
  FROM plans
 WHERE active
 ORDER BY currency, months;

-- name: contact_insert
INSERT INTO contact_messages (locale, name, email, company, topic, message, request_id,
                              client_ip, attachment_id, attachment_name,
                              attachment_type, attachment_size, attachment_sha256)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::inet, $9, $10, $11, $12::bigint, $13)
RETURNING id;

-- name: user_for_signin
-- retry: safe
-- The account an e-mail signs in to ($1 lower-cased by the page).
SELECT id, password_hash, locale, email_verified_at IS NOT NULL AS verified,
       totp_secret IS NOT NULL AS two_factor
  FROM users
 WHERE email = $1;

-- name: user_rehash
-- A stronger hash of the same password, after a sign-in under an older policy.
UPDATE users SET password_hash = $2 WHERE id = $1::uuid;

-- name: user_memberships
-- retry: safe
-- The companies of a person, first joined first: sign-in opens the first
-- one that is active.
SELECT tenant_id, role, tenant_name, tenant_status
  FROM portal_user_memberships($1::uuid);

-- name: dashboard
-- retry: safe
-- Everything the dashboard reads besides the session, in one round trip
-- (the tenant of the statement is the session's): the company's open
-- invitations when $4 (the person manages the team), the person's open
-- invitations to other companies, and their five latest sign-ins ($1 the
-- person, $2 the current session, $3 the person's time zone).
SELECT CASE WHEN $4::boolean THEN
           (SELECT count(*) FROM invitations
             WHERE tenant_id = portal_tenant() AND accepted_at IS NULL
               AND revoked_at IS NULL AND expires_at > now())
       ELSE 0 END AS pending,
       (SELECT coalesce(json_agg(json_build_object('tenant_name', i.tenant_name,
                                                   'role', i.role)
                                 ORDER BY i.tenant_name), '[]')
          FROM portal_invitations_for($1::uuid) i) AS invitations,
       (SELECT coalesce(json_agg(json_build_object(
                   'at_iso', to_char(s.created_at AT TIME ZONE 'UTC',
                                     'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                   'at', to_char(s.created_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI'),
                   'ip', coalesce(host(s.ip), ''),
                   'user_agent', s.user_agent,
                   'current', s.id = $2::uuid,
                   'active', s.revoked_at IS NULL AND s.expires_at > now())
                 ORDER BY s.created_at DESC), '[]')
          FROM (SELECT * FROM sessions WHERE user_id = $1::uuid
                 ORDER BY created_at DESC LIMIT 5) s) AS sessions;

-- name: signup_user
-- A new person ($1 e-mail, lower-cased; $2 argon2id hash; $6 the terms'
-- version). A taken e-mail is a unique violation (users_email_key).
INSERT INTO users (email, password_hash, name, phone, locale, terms_version,
                   terms_accepted_at)
VALUES ($1, $2, $3, $4, $5, $6, now())
RETURNING id;

-- name: signup_tenant
-- The new company, under the id the page made (the policy wants it set).
INSERT INTO tenants (id, name, tax_id, country, city, phone)
VALUES ($1::uuid, $2, nullif($3, ''), $4, nullif($5, ''), nullif($6, ''));

-- name: signup_owner
INSERT INTO tenant_members (tenant_id, user_id, role)
VALUES ($1::uuid, $2::uuid, 'owner');

-- name: code_new
-- A fresh verification code; the earlier live ones are replaced.
WITH replaced AS (
    UPDATE email_codes SET replaced_at = now()
     WHERE user_id = $1::uuid AND used_at IS NULL AND replaced_at IS NULL
)
INSERT INTO email_codes (user_id, code_hash, expires_at)
VALUES ($1::uuid, $2, now() + interval '15 minutes');

-- name: code_try
-- One try of a code: the live code of the person, its tries counted first
-- (so a wrong guess always costs one), and whether it matched ($2 the
-- hash of what was typed).
UPDATE email_codes SET attempts = attempts + 1,
                       used_at = CASE WHEN code_hash = $2 AND attempts < 5 THEN now() END
 WHERE id = (SELECT id FROM email_codes
              WHERE user_id = $1::uuid AND used_at IS NULL AND replaced_at IS NULL
                AND expires_at > now() AND attempts < 5
              ORDER BY created_at DESC LIMIT 1)
RETURNING used_at IS NOT NULL AS matched, 5 - attempts AS tries_left;

-- name: user_verified
UPDATE users SET email_verified_at = now()
 WHERE id = $1::uuid AND email_verified_at IS NULL;

-- name: reset_new
-- A reset link for the person ($2 the token's SHA-256, hex); the earlier
-- unused ones are replaced.
WITH replaced AS (
    UPDATE password_resets SET replaced_at = now()
     WHERE user_id = $1::uuid AND used_at IS NULL AND replaced_at IS NULL
)
INSERT INTO password_resets (token_hash, user_id, expires_at)
VALUES (decode($2, 'hex'), $1::uuid, now() + interval '30 minutes');

-- name: reset_live
-- retry: safe
-- The person a live link is for, or no row.
SELECT r.user_id, u.email, u.locale
  FROM password_resets r JOIN users u ON u.id = r.user_id
 WHERE r.token_hash = decode($1, 'hex') AND r.used_at IS NULL
   AND r.replaced_at IS NULL AND r.expires_at > now();

-- name: reset_use
-- Spends the link: only one request can (the row is updated once).
UPDATE password_resets SET used_at = now()
 WHERE token_hash = decode($1, 'hex') AND used_at IS NULL AND replaced_at IS NULL
   AND expires_at > now()
RETURNING user_id;

-- name: user_password
UPDATE users SET password_hash = $2 WHERE id = $1::uuid;
