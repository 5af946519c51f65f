-- Queries of the admin area.

-- name: server_status
-- retry: safe
SELECT current_setting('server_version') AS server_version,
       to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS now;
