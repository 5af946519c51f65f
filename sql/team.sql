-- Queries of the cabinets profile, company, team and invitation pages.

-- name: profile
-- retry: safe
SELECT email, coalesce(name, '') AS name, coalesce(phone, '') AS phone, locale, time_zone
  FROM users WHERE id = $1::uuid;

-- name: time_zones
-- retry: safe
-- The zones the profile offers (sql/migrations/014_time_zones.sql).
SELECT name FROM time_zones ORDER BY name;

-- name: time_zone_known
-- retry: safe
SELECT EXISTS (SELECT 1 FROM time_zones WHERE name = $1) AS known;

-- name: profile_update
-- The person own profile, with what it was before, for the audit row.
WITH old AS (SELECT id, coalesce(name, '') AS name, coalesce(phone, '') AS phone, locale,
                    time_zone
               FROM users WHERE id = $1::uuid FOR UPDATE)
UPDATE users u SET name = $2, phone = nullif($3, ''), locale = $4, time_zone = $5
  FROM old WHERE u.id = old.id
RETURNING old.name AS old_name, old.phone AS old_phone, old.locale AS old_locale,
          old.time_zone AS old_time_zone;

-- name: company
-- retry: safe
-- The session company (the policy shows no other).
SELECT name, coalesce(tax_id, '') AS tax_id, coalesce(country, 'AZ') AS country,
       coalesce(city, '') AS city, coalesce(phone, '') AS phone
  FROM tenants WHERE id = portal_tenant();

-- name: company_update
-- The company profile, with what it was before, for the audit row.
WITH old AS (SELECT id, name, coalesce(tax_id, '') AS tax_id, coalesce(country, '') AS country,
                    coalesce(city, '') AS city, coalesce(phone, '') AS phone
               FROM tenants WHERE id = portal_tenant() FOR UPDATE)
UPDATE tenants t SET name = $1, tax_id = nullif($2, ''), country = $3, city = nullif($4, ''),
                     phone = nullif($5, '')
  FROM old WHERE t.id = old.id
RETURNING old.name AS old_name, old.tax_id AS old_tax_id, old.country AS old_country,
          old.city AS old_city, old.phone AS old_phone;

-- name: members
-- retry: safe
-- The team: owners first, then by joining ($1 the reader time zone).
SELECT m.user_id, u.email, coalesce(u.name, '') AS name, m.role,
       to_char(m.created_at AT TIME ZONE $1, 'YYYY-MM-DD') AS joined,
       to_char(m.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS joined_iso
  FROM tenant_members m JOIN users u ON u.id = m.user_id
 WHERE m.tenant_id = portal_tenant()
 ORDER BY array_position(ARRAY['owner', 'admin', 'member', 'viewer'], m.role), m.created_at;

-- name: invitations
-- retry: safe
-- The invitations not accepted nor revoked, newest first ($1 the time zone).
SELECT i.id, i.email, i.role, coalesce(u.name, u.email, '') AS inviter,
       to_char(i.expires_at AT TIME ZONE $1, 'YYYY-MM-DD HH24:MI') AS expires,
       to_char(i.expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS expires_iso,
       i.expires_at <= now() AS expired
  FROM invitations i LEFT JOIN users u ON u.id = i.invited_by
 WHERE i.tenant_id = portal_tenant() AND i.accepted_at IS NULL AND i.revoked_at IS NULL
 ORDER BY i.created_at DESC;

-- name: lock
-- Every change of a team takes the company row first, so two changes of
-- one team run one after the other and each counts the owners the other
-- left (two parallel demotions cannot both pass the last-owner rule).
SELECT id FROM tenants WHERE id = portal_tenant() FOR UPDATE;

-- name: member
-- retry: safe
SELECT m.role, u.email, coalesce(u.name, '') AS name, u.locale
  FROM tenant_members m JOIN users u ON u.id = m.user_id
 WHERE m.tenant_id = portal_tenant() AND m.user_id = $1::uuid;

-- name: owners
-- retry: safe
SELECT count(*) AS owners FROM tenant_members
 WHERE tenant_id = portal_tenant() AND role = 'owner';

-- name: is_member
-- retry: safe
SELECT EXISTS (SELECT 1 FROM tenant_members m JOIN users u ON u.id = m.user_id
                WHERE m.tenant_id = portal_tenant() AND u.email = $1) AS member;

-- name: set_role
UPDATE tenant_members SET role = $2
 WHERE tenant_id = portal_tenant() AND user_id = $1::uuid;

-- name: remove
DELETE FROM tenant_members WHERE tenant_id = portal_tenant() AND user_id = $1::uuid;

-- name: revoke_sessions
-- A removed members sessions in this company end at once.
UPDATE sessions SET revoked_at = now()
 WHERE user_id = $1::uuid AND tenant_id = portal_tenant() AND revoked_at IS NULL;

-- name: invitation
-- retry: safe
-- One open invitation of the session company (none of anothers).
SELECT id, email, role FROM invitations
 WHERE tenant_id = portal_tenant() AND id = $1::uuid
   AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: invitation_revoke
UPDATE invitations SET revoked_at = now()
 WHERE tenant_id = portal_tenant() AND id = $1::uuid
   AND accepted_at IS NULL AND revoked_at IS NULL;

-- name: invite_by_token
-- retry: safe
-- The invitation of a link ($1 the token SHA-256, hex), whatever its
-- state; no row for a token never issued.
SELECT id, tenant_id, email, role, tenant_name, inviter_name, state
  FROM portal_invitation_by_token(decode($1, 'hex'));

-- name: invite_user
-- A new person who came through an invitation: the address is verified by
-- the act of opening the mailed link.
INSERT INTO users (email, password_hash, name, locale, email_verified_at, terms_version,
                   terms_accepted_at)
VALUES ($1, $2, $3, $4, now(), $5, now())
RETURNING id;

-- name: invite_use
-- Spends the invitation: only one request can, and only while the company
-- is active.
UPDATE invitations SET accepted_at = now(), accepted_by = $2::uuid
 WHERE token_hash = decode($1, 'hex') AND tenant_id = portal_tenant()
   AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > now()
   AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = portal_tenant() AND t.status = 'active')
RETURNING id, role;

-- name: join
-- The membership an invitation gives; someone already in keeps their role.
INSERT INTO tenant_members (tenant_id, user_id, role)
VALUES (portal_tenant(), $1::uuid, $2)
ON CONFLICT (tenant_id, user_id) DO NOTHING;

-- name: user_verify
-- Joining through a mailed link also proves the address.
UPDATE users SET email_verified_at = now() WHERE id = $1::uuid AND email_verified_at IS NULL;

-- name: memberships
-- retry: safe
-- The companies of a person, the one used most recently first: sign-in
-- opens the first active one, the company switcher lists them all.
SELECT m.tenant_id, m.role, m.tenant_name, m.tenant_status
  FROM portal_user_memberships($1::uuid) m
 ORDER BY (SELECT max(s.created_at) FROM sessions s
            WHERE s.user_id = $1::uuid AND s.tenant_id = m.tenant_id) DESC NULLS LAST,
          m.tenant_name;

-- name: invitations_for
-- retry: safe
-- The open invitations of the signed-in person address to other
-- companies ($2 the person time zone).
SELECT id, tenant_name, role, to_char(expires_at AT TIME ZONE $2, 'YYYY-MM-DD') AS expires
  FROM portal_invitations_for($1::uuid);
