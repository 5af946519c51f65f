-- Admin accounts: staff of the vendor, not members of any tenant. A table,
-- a session space and a cookie of their own (core/mod_portal_admin_session.c):
-- a customer session never opens the admin area and an admin session never
-- opens the cabinet. None of these tables is tenant-owned (no tenant_id).

CREATE TABLE admins (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email           text NOT NULL UNIQUE
                    CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    -- NULL until the enrolment link sets one: no password signs in.
    password_hash   text CHECK (password_hash LIKE '$argon2id$%'),
    totp_secret     text,          -- sealed (core/secretbox.h, key "totp"), never plain
    totp_last_step  bigint,        -- the last code accepted: replay refused
    -- conf/roles.json's admin_roles; one role per admin.
    role            text NOT NULL CHECK (role IN ('super', 'support', 'finance')),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_signin_at  timestamptz,
    -- Signing in needs both: the enrolment sets them together.
    CHECK ((password_hash IS NULL) = (totp_secret IS NULL))
);

-- Like sessions (002), without a tenant.
CREATE TABLE admin_sessions (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    token_hash    bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    admin_id      uuid NOT NULL REFERENCES admins (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    revoked_at    timestamptz,
    ip            inet,
    user_agent    text CHECK (length(user_agent) <= 512)
);
CREATE INDEX admin_sessions_by_admin ON admin_sessions (admin_id, created_at DESC);

-- One-time enrolment links (portalctl create-admin, the admins page): the
-- SHA-256 of a random 256-bit token, 24 hours, used once.
CREATE TABLE admin_enrolments (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    admin_id    uuid NOT NULL REFERENCES admins (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX admin_enrolments_by_admin ON admin_enrolments (admin_id) WHERE used_at IS NULL;

GRANT SELECT, INSERT, UPDATE (password_hash, totp_secret, totp_last_step, role, status,
                              last_signin_at) ON admins TO portal_app;
GRANT SELECT, INSERT, UPDATE (revoked_at, last_seen_at) ON admin_sessions TO portal_app;
GRANT SELECT, INSERT, UPDATE (used_at) ON admin_enrolments TO portal_app;

-- The admin audit page: the app still cannot read the log at will (003);
-- this one door reads it with the page's filters, newest first. Admin
-- pages call it only for an admin session holding admin.audit.read.
CREATE FUNCTION admin_audit_search(p_tenant uuid, p_actor text, p_event text,
                                   p_from timestamptz, p_to timestamptz,
                                   p_limit integer, p_offset integer)
RETURNS TABLE (id bigint, created_at timestamptz, event text, actor_kind text,
               actor_email text, tenant_id uuid, ip inet, detail jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
    SELECT a.id, a.created_at, a.event, a.actor_kind, a.actor_email, a.tenant_id, a.ip,
           a.detail
      FROM audit_log a
     WHERE (p_tenant IS NULL OR a.tenant_id = p_tenant)
       AND (p_actor IS NULL OR a.actor_email = p_actor)
       AND (p_event IS NULL OR a.event = p_event OR a.event LIKE p_event || '.%')
       AND (p_from IS NULL OR a.created_at >= p_from)
       AND (p_to IS NULL OR a.created_at < p_to)
     ORDER BY a.id DESC
     LIMIT least(greatest(p_limit, 1), 200) OFFSET greatest(p_offset, 0)
$$;
REVOKE ALL ON FUNCTION admin_audit_search(uuid, text, text, timestamptz, timestamptz,
                                          integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION admin_audit_search(uuid, text, text, timestamptz, timestamptz,
                                             integer, integer) TO portal_app;
