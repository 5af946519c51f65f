-- Queries of the licensing API used by the desktop ERP.

-- name: server_time
-- retry: safe
-- The database's clock: the one every licence decision is made against.
SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS server_time;
