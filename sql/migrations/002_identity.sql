-- Identity, part one: companies (tenants), the people who sign in, and who
-- belongs to which company with which role.
--
-- Tenancy. Every tenant-owned table carries tenant_id and a FORCEd
-- row-level-security policy comparing it with portal_tenant(): the tenant
-- of the statement, set by the db layer with set_config('portal.tenant_id',
-- ..., true) in the same implicit transaction as the statement (libpq
-- pipeline: one round trip, see core/db.h portal_db_query_as). A local
-- setting ends with its transaction, so it never outlives the statement on
-- a pooled connection, and a statement sent without one sees no row at all
-- (portal_tenant() is NULL): the policies fail closed. The portal's role
-- owns no table, and FORCE makes the owner obey the policies too.

CREATE FUNCTION portal_tenant() RETURNS uuid
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT nullif(current_setting('portal.tenant_id', true), '')::uuid $$;

-- The admin area's statements see every tenant: set the same way, by the
-- db layer, for admin requests only.
CREATE FUNCTION portal_all_tenants() RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('portal.all_tenants', true), '') = 'on' $$;

CREATE TABLE tenants (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 160),
    tax_id        text CHECK (length(tax_id) <= 32),
    country       char(2) CHECK (country ~ '^[A-Z]{2}$'),
    city          text CHECK (length(city) <= 120),
    phone         text CHECK (length(phone) <= 40),
    status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
    require_2fa   boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- A person's account: one e-mail, possibly a member of several companies
-- (an invitation joins an existing account), so not tenant-owned; every
-- query reaches a user through a session or a membership.
CREATE TABLE users (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email              text NOT NULL UNIQUE
                       CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    password_hash      text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
    name               text CHECK (length(name) <= 120),
    phone              text CHECK (length(phone) <= 40),
    locale             text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'tr', 'az', 'ru')),
    time_zone          text NOT NULL DEFAULT 'UTC' CHECK (length(time_zone) <= 64),
    email_verified_at  timestamptz,
    totp_secret        text,          -- sealed (core/secretbox.h), never plain
    totp_last_step     bigint,        -- the last code accepted: replay refused
    terms_version      text,
    terms_accepted_at  timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE tenant_members (
    tenant_id   uuid NOT NULL REFERENCES tenants (id),
    user_id     uuid NOT NULL REFERENCES users (id),
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX tenant_members_by_user ON tenant_members (user_id);

ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenants
    USING (id = portal_tenant() OR portal_all_tenants())
    WITH CHECK (id = portal_tenant() OR portal_all_tenants());

ALTER TABLE tenant_members ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_members FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_members
    USING (tenant_id = portal_tenant() OR portal_all_tenants())
    WITH CHECK (tenant_id = portal_tenant() OR portal_all_tenants());

GRANT SELECT, INSERT, UPDATE ON tenants TO portal_app;
GRANT SELECT, INSERT, UPDATE (email, password_hash, name, phone, locale, time_zone,
                              email_verified_at, totp_secret, totp_last_step,
                              terms_version, terms_accepted_at) ON users TO portal_app;
GRANT SELECT, INSERT, UPDATE (role), DELETE ON tenant_members TO portal_app;

-- Which tables are tenant-owned: `tenants` and every table with a
-- tenant_id column, except where that column is only a reference (its
-- comment says "not tenant-owned: why", as the audit log's will).
-- `portalctl doctor` and the isolation test check that each has row
-- security on and forced.
CREATE VIEW portal_tenant_tables AS
SELECT c.relname::text AS table_name,
       c.relrowsecurity AS row_security,
       c.relforcerowsecurity AS forced
  FROM pg_class c
 WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
   AND (c.relname = 'tenants'
        OR EXISTS (SELECT 1 FROM pg_attribute a
                    WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
                      AND coalesce(col_description(c.oid, a.attnum), '')
                          NOT LIKE 'not tenant-owned:%'));
GRANT SELECT ON portal_tenant_tables TO portal_app;

-- Sessions: the SHA-256 of a random 256-bit cookie token, never the token.
-- Idle and absolute timeouts are decided at each check; a signed-out or
-- revoked session is kept (revoked_at) for the security page's history.
CREATE TABLE sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    user_id       uuid NOT NULL REFERENCES users (id),
    tenant_id     uuid NOT NULL REFERENCES tenants (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    ip            inet,
    user_agent    text CHECK (length(user_agent) <= 512)
);
CREATE INDEX sessions_by_user ON sessions (user_id, created_at DESC);

-- The session of a request in one round trip: the session, its user, the
-- membership and the tenant, or no row. Seen-at is written at most once a
-- minute, so a busy user does not write on every request. It runs as the
-- owner (SECURITY DEFINER) because the tenant is what it finds out: it sets
-- the tenant of the statement itself before reading the membership, so the
-- policies still apply.
CREATE FUNCTION portal_session_check(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (session_id uuid, user_id uuid, tenant_id uuid, email text, user_name text,
               locale text, time_zone text, email_verified boolean, totp_enabled boolean,
               role text, tenant_name text, tenant_status text, created_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    s sessions%ROWTYPE;
BEGIN
    SELECT * INTO s FROM sessions
     WHERE token_hash = p_token_hash AND revoked_at IS NULL AND expires_at > now()
       AND last_seen_at > now() - make_interval(secs => p_idle_seconds);
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF s.last_seen_at < now() - interval '1 minute' THEN
        UPDATE sessions SET last_seen_at = now() WHERE id = s.id;
    END IF;
    PERFORM set_config('portal.tenant_id', s.tenant_id::text, true);
    RETURN QUERY
        SELECT s.id, u.id, t.id, u.email, u.name, u.locale, u.time_zone,
               u.email_verified_at IS NOT NULL, u.totp_secret IS NOT NULL,
               m.role, t.name, t.status, s.created_at
          FROM users u
          JOIN tenant_members m ON m.user_id = u.id AND m.tenant_id = s.tenant_id
          JOIN tenants t ON t.id = m.tenant_id
         WHERE u.id = s.user_id;
END
$$;
REVOKE ALL ON FUNCTION portal_session_check(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_session_check(bytea, integer) TO portal_app;

GRANT SELECT, INSERT, UPDATE (revoked_at, last_seen_at) ON sessions TO portal_app;

COMMENT ON COLUMN sessions.tenant_id IS
    'not tenant-owned: a session belongs to its user; this is the tenant signed into';

-- The companies a person belongs to, for sign-in (which has no tenant yet):
-- one narrow door through the policies, by user id only.
CREATE FUNCTION portal_user_memberships(p_user uuid)
RETURNS TABLE (tenant_id uuid, role text, tenant_name text, tenant_status text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM set_config('portal.all_tenants', 'on', true);
    RETURN QUERY
        SELECT m.tenant_id, m.role, t.name, t.status
          FROM tenant_members m JOIN tenants t ON t.id = m.tenant_id
         WHERE m.user_id = p_user
         ORDER BY m.created_at, m.tenant_id;
    PERFORM set_config('portal.all_tenants', '', true);
END
$$;
REVOKE ALL ON FUNCTION portal_user_memberships(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_user_memberships(uuid) TO portal_app;
