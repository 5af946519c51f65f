-- The session check learns two things about the company it reads anyway:
--  * a suspended company has no live sessions. Suspending revokes them, but
--    a session can still be born after it (an invitation or a second-step
--    challenge made before): the check itself refuses them, whatever path
--    made the session;
--  * whether the company requires two-step verification, so the router's
--    gate (core/mod_portal_session.c) costs no second statement.
DROP FUNCTION portal_session_check(bytea, integer);

CREATE FUNCTION portal_session_check(p_token_hash bytea, p_idle_seconds integer)
RETURNS TABLE (session_id uuid, user_id uuid, tenant_id uuid, email text, user_name text,
               locale text, time_zone text, email_verified boolean, totp_enabled boolean,
               role text, tenant_name text, tenant_status text, created_at timestamptz,
               tenant_requires_2fa boolean)
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
               m.role, t.name, t.status, s.created_at, t.require_2fa
          FROM users u
          JOIN tenant_members m ON m.user_id = u.id AND m.tenant_id = s.tenant_id
          JOIN tenants t ON t.id = m.tenant_id
         WHERE u.id = s.user_id AND t.status = 'active';
END
$$;
REVOKE ALL ON FUNCTION portal_session_check(bytea, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_session_check(bytea, integer) TO portal_app;
