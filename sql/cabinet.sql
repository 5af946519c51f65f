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
SELECT id, password_hash, locale, email_verified_at IS NOT NULL AS verified
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

-- name: recent_sessions
-- retry: safe
-- The dashboard's recent sign-ins of the person ($2 the current session,
-- $3 the person's time zone).
SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS at_iso,
       to_char(created_at AT TIME ZONE $3, 'YYYY-MM-DD HH24:MI') AS at_local,
       host(ip) AS ip, user_agent, id = $2::uuid AS current,
       revoked_at IS NULL AND expires_at > now() AS active
  FROM sessions
 WHERE user_id = $1::uuid
 ORDER BY created_at DESC
 LIMIT 5;
