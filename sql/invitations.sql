-- Team invitations (core/invitations.c), shared by the cabinet and the
-- admin area.

-- name: locale_of
-- retry: safe
-- The language of an existing account of the invited address.
SELECT locale FROM users WHERE email = $1;

-- name: create
-- A new invitation ($4 the token SHA-256, hex; $5 the inviter or NULL;
-- $6 days valid); the live ones of the same address to the same company
-- are revoked first.
WITH replaced AS (
    UPDATE invitations SET revoked_at = now()
     WHERE tenant_id = $1::uuid AND email = $2
       AND accepted_at IS NULL AND revoked_at IS NULL
)
INSERT INTO invitations (tenant_id, email, role, token_hash, invited_by, expires_at)
VALUES ($1::uuid, $2, $3, decode($4, 'hex'), $5::uuid,
        now() + make_interval(days => $6::integer))
RETURNING id;
