-- The job queue (core/jobs.c). A runner is "host:pid" of the Apache child
-- or portalctl that holds a lease; every write after a claim names it, so a
-- runner whose lease ran out (and whose job another runner took) changes
-- nothing.

-- name: ensure_periodic
-- A periodic kind has one row, keyed by its kind, made by the first runner
-- that knows the kind; a changed period is taken over.
INSERT INTO jobs (kind, unique_key, every_seconds)
VALUES ($1, $1, $2::int)
ON CONFLICT (unique_key) DO UPDATE
   SET every_seconds = EXCLUDED.every_seconds, updated_at = now()
 WHERE jobs.every_seconds IS DISTINCT FROM EXCLUDED.every_seconds;

-- name: enqueue
-- A one-off job, due after a delay in seconds; with a unique key, a second
-- enqueue of the same key is a no-op (no row returned).
INSERT INTO jobs (kind, payload, unique_key, run_at, max_attempts)
VALUES ($1, $2::jsonb, $3, now() + make_interval(secs => $4::int), $5::int)
ON CONFLICT (unique_key) DO NOTHING
RETURNING id;

-- name: claim
-- The next due job of a kind this runner can run (kinds and their leases as
-- two parallel arrays), leased to the runner. Its attempt is counted here,
-- so a job that kills its runner every time still runs out of attempts.
-- The fourth array lists the jobs this run has run already: a periodic job
-- due again at once (every_seconds 0) runs once per run.
UPDATE jobs j
   SET locked_by = $1,
       locked_until = now() + make_interval(secs => (
           SELECT k.lease FROM unnest($2::text[], $3::int[]) AS k(kind, lease)
            WHERE k.kind = j.kind)),
       attempts = j.attempts + 1,
       updated_at = now()
 WHERE j.id IN (SELECT id FROM jobs
                 WHERE status = 'queued' AND run_at <= now()
                   AND (locked_until IS NULL OR locked_until < now())
                   AND kind = ANY ($2::text[])
                   AND NOT (id = ANY ($4::bigint[]))
                 ORDER BY run_at, id
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED)
RETURNING j.id, j.kind, j.payload::text AS payload, j.attempts, j.max_attempts,
          j.every_seconds;

-- name: done
-- Success: a one-off job is done; a periodic one is due again after its
-- period, with its attempts reset.
UPDATE jobs
   SET status = CASE WHEN every_seconds IS NULL THEN 'done' ELSE 'queued' END,
       done_at = CASE WHEN every_seconds IS NULL THEN now() END,
       run_at = CASE WHEN every_seconds IS NULL THEN run_at
                     ELSE now() + make_interval(secs => every_seconds) END,
       attempts = CASE WHEN every_seconds IS NULL THEN attempts ELSE 0 END,
       locked_by = NULL, locked_until = NULL, last_error = NULL, updated_at = now()
 WHERE id = $1::bigint AND locked_by = $2;

-- name: retry
-- A temporary failure: due again after the backoff delay in seconds.
UPDATE jobs
   SET run_at = now() + make_interval(secs => $4::int), last_error = $3,
       locked_by = NULL, locked_until = NULL, updated_at = now()
 WHERE id = $1::bigint AND locked_by = $2;

-- name: fail
-- A permanent failure, or the last attempt: never run again.
UPDATE jobs
   SET status = 'failed', done_at = now(), last_error = $3,
       locked_by = NULL, locked_until = NULL, updated_at = now()
 WHERE id = $1::bigint AND locked_by = $2;
