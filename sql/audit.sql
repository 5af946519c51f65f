-- The audit log (core/audit.c; the table, its chain and the canonical form
-- are described in sql/migrations/003_audit_and_limits.sql).

-- name: insert
-- One event, inside the transaction of the caller if one is open. Unchained: no
-- lock, no read of another row (audit_seal chains it later). A write.
INSERT INTO audit_log (event, actor_kind, actor_id, actor_email, tenant_id, ip,
                       user_agent, request_id, detail)
VALUES ($1, $2, $3::uuid, $4, $5::uuid, $6::inet, $7, $8, $9::jsonb);

-- name: seal
-- Chains the rows whose ids are final; waits up to $1 ms for older
-- transactions. Writes the chain: never resent.
SELECT sealed, head_id, head_hash, waiting FROM audit_seal($1::int);

-- name: counts
-- retry: safe
SELECT (SELECT count(*) FROM audit_log) AS total,
       (SELECT count(*) FROM audit_chain) AS sealed;

-- name: chain_page
-- retry: safe
-- The chain after id $1, $2 entries, each with the canonical text of its row
-- (NULL when the row is gone).
SELECT c.id, c.prev_id, encode(c.hash, 'hex') AS hash,
       CASE WHEN l.id IS NULL THEN NULL ELSE audit_canonical(l) END AS canonical
  FROM audit_chain c
  LEFT JOIN audit_log l ON l.id = c.id
 WHERE c.id > $1::bigint
 ORDER BY c.id
 LIMIT $2::int;

-- name: unchained
-- retry: safe
-- The first row at or below the head of the chain ($1) that is not in the chain:
-- the sealer never leaves one, so it was inserted behind its back.
SELECT l.id
  FROM audit_log l
 WHERE l.id <= $1::bigint
   AND NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.id = l.id)
 ORDER BY l.id
 LIMIT 1;
