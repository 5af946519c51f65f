-- The rate limiter (core/ratelimit.c): counters shared by every Apache node.

-- name: hit
-- One hit of a key ($2, the hex SHA-256 of the key of the caller) in a bucket
-- ($1), counted and judged in one statement: $3 hits per window of $4
-- seconds. The first hit opens the window; a hit after window_end opens a new
-- one. Parallel hits of one key queue on its row (ON CONFLICT locks it and
-- re-reads the committed count), so exactly $3 of them are allowed; never a
-- count followed by an insert. Now is the window_end of the proposed row minus
-- the window, one clock reading for the whole statement (clock_timestamp,
-- not the start of the transaction). A write: never resent.
INSERT INTO rate_limits AS r (bucket, key_hash, window_end, hits)
SELECT $1, decode($2, 'hex'), t + make_interval(secs => $4::int), 1
  FROM clock_timestamp() AS t
    ON CONFLICT (bucket, key_hash) DO UPDATE
   SET window_end = CASE WHEN r.window_end <= EXCLUDED.window_end - make_interval(secs => $4::int)
                         THEN EXCLUDED.window_end ELSE r.window_end END,
       hits = CASE WHEN r.window_end <= EXCLUDED.window_end - make_interval(secs => $4::int)
                   THEN 1 ELSE least(r.hits + 1, $3::int + 1) END
RETURNING r.hits <= $3::int AS allowed,
          CASE WHEN r.hits <= $3::int THEN 0
               ELSE greatest(1, ceil(extract(epoch FROM r.window_end - clock_timestamp())))::int
          END AS retry_after;

-- name: peek
-- retry: safe
-- The hits of a key ($2, hex SHA-256) in its live window of bucket $1 and
-- the seconds until that window ends; no row when it ended or never opened.
-- Counts nothing.
SELECT hits, greatest(1, ceil(extract(epoch FROM window_end - clock_timestamp())))::int
       AS seconds_left
  FROM rate_limits
 WHERE bucket = $1 AND key_hash = decode($2, 'hex') AND window_end > clock_timestamp();

-- name: prune
-- Deletes up to $1 rows whose window ended (the jobs runner, or `portalctl
-- ratelimit prune`). The outer test is checked again on a row a hit
-- renewed meanwhile, so a live window is never deleted.
DELETE FROM rate_limits
 WHERE window_end < clock_timestamp()
   AND (bucket, key_hash) IN (SELECT bucket, key_hash FROM rate_limits
                               WHERE window_end < clock_timestamp()
                               ORDER BY window_end
                               LIMIT $1::int);
