-- Identity, part three: team invitations. An owner or admin invites an
-- e-mail with a role; the link carries a random 256-bit token of which only
-- the SHA-256 is kept, valid 7 days, used once, revocable. A newer
-- invitation of the same address to the same company replaces the older.
CREATE TABLE invitations (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    tenant_id    uuid NOT NULL REFERENCES tenants (id),
    email        text NOT NULL
                 CHECK (length(email) BETWEEN 3 AND 254 AND email = lower(email)),
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'member', 'viewer')),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by   uuid REFERENCES users (id),     -- NULL: the vendor's admin
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  uuid REFERENCES users (id),
    revoked_at   timestamptz,
    CHECK (accepted_at IS NULL OR revoked_at IS NULL)
);
CREATE INDEX invitations_live ON invitations (tenant_id, email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_by_email ON invitations (email)
    WHERE accepted_at IS NULL AND revoked_at IS NULL;

ALTER TABLE invitations ENABLE ROW LEVEL SECURITY;
ALTER TABLE invitations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON invitations
    USING (tenant_id = portal_tenant() OR portal_all_tenants())
    WITH CHECK (tenant_id = portal_tenant() OR portal_all_tenants());

GRANT SELECT, INSERT, UPDATE (accepted_at, accepted_by, revoked_at) ON invitations
    TO portal_app;

-- The invitation a link is for, whatever its state, for /invite/{token}
-- (which has no tenant yet): one narrow door through the policy, by the
-- token's hash only. state: live, expired, used or revoked.
CREATE FUNCTION portal_invitation_by_token(p_hash bytea)
RETURNS TABLE (id uuid, tenant_id uuid, email text, role text, tenant_name text,
               inviter_name text, expires_at timestamptz, state text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM set_config('portal.all_tenants', 'on', true);
    RETURN QUERY
        SELECT i.id, i.tenant_id, i.email, i.role, t.name, coalesce(u.name, u.email),
               i.expires_at,
               CASE WHEN i.accepted_at IS NOT NULL THEN 'used'
                    WHEN i.revoked_at IS NOT NULL THEN 'revoked'
                    WHEN i.expires_at <= now() THEN 'expired'
                    ELSE 'live' END
          FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.token_hash = p_hash;
    PERFORM set_config('portal.all_tenants', '', true);
END
$$;
REVOKE ALL ON FUNCTION portal_invitation_by_token(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_invitation_by_token(bytea) TO portal_app;

-- The live invitations of an address to companies it is not a member of,
-- for that person's dashboard: by the signed-in person's own e-mail only.
CREATE FUNCTION portal_invitations_for(p_user uuid)
RETURNS TABLE (id uuid, tenant_id uuid, role text, tenant_name text, expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM set_config('portal.all_tenants', 'on', true);
    RETURN QUERY
        SELECT i.id, i.tenant_id, i.role, t.name, i.expires_at
          FROM invitations i
          JOIN users u ON u.id = p_user AND u.email = i.email
          JOIN tenants t ON t.id = i.tenant_id
         WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
           AND NOT EXISTS (SELECT 1 FROM tenant_members m
                            WHERE m.tenant_id = i.tenant_id AND m.user_id = p_user)
         ORDER BY i.created_at DESC;
    PERFORM set_config('portal.all_tenants', '', true);
END
$$;
REVOKE ALL ON FUNCTION portal_invitations_for(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_invitations_for(uuid) TO portal_app;
