-- Invitations, two checks 008_team.sql missed: an invitation to a company
-- that is not active (suspended by the vendor) cannot be used, and its link
-- says so (state 'suspended'); and the dashboard lists a person's
-- invitations only once their address is verified, so that someone who
-- signs up with another's address does not see that person's invitations.
CREATE OR REPLACE FUNCTION portal_invitation_by_token(p_hash bytea)
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
                    WHEN t.status <> 'active' THEN 'suspended'
                    ELSE 'live' END
          FROM invitations i JOIN tenants t ON t.id = i.tenant_id
          LEFT JOIN users u ON u.id = i.invited_by
         WHERE i.token_hash = p_hash;
    PERFORM set_config('portal.all_tenants', '', true);
END
$$;

CREATE OR REPLACE FUNCTION portal_invitations_for(p_user uuid)
RETURNS TABLE (id uuid, tenant_id uuid, role text, tenant_name text, expires_at timestamptz)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    PERFORM set_config('portal.all_tenants', 'on', true);
    RETURN QUERY
        SELECT i.id, i.tenant_id, i.role, t.name, i.expires_at
          FROM invitations i
          JOIN users u ON u.id = p_user AND u.email = i.email
                      AND u.email_verified_at IS NOT NULL
          JOIN tenants t ON t.id = i.tenant_id AND t.status = 'active'
         WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > now()
           AND NOT EXISTS (SELECT 1 FROM tenant_members m
                            WHERE m.tenant_id = i.tenant_id AND m.user_id = p_user)
         ORDER BY i.created_at DESC;
    PERFORM set_config('portal.all_tenants', '', true);
END
$$;
