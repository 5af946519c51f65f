-- The mail outbox (core/outbox.c): rows queued by requests and portalctl,
-- sent by the mail.deliver job. As in jobs.sql, every write after a claim
-- names the runner holding the lease.

-- name: insert
INSERT INTO mail_outbox (recipient, locale, template, subject, body_text, body_html,
                         message_id, max_attempts)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8::int)
RETURNING id;

-- name: claim
-- The next due mail, leased to the runner for a number of seconds (longer
-- than one SMTP transaction may take); the attempt is counted here, so a
-- mail whose sending kills its runner still runs out of attempts.
UPDATE mail_outbox o
   SET locked_by = $1,
       locked_until = now() + make_interval(secs => $2::int),
       attempts = o.attempts + 1,
       last_try_at = now()
 WHERE o.id IN (SELECT id FROM mail_outbox
                 WHERE status IN ('queued', 'failing') AND next_try_at <= now()
                   AND (locked_until IS NULL OR locked_until < now())
                 ORDER BY next_try_at, id
                 LIMIT 1
                 FOR UPDATE SKIP LOCKED)
RETURNING o.id, o.recipient, o.locale, o.subject, o.body_text, o.body_html, o.message_id,
          o.attempts, o.max_attempts,
          extract(epoch FROM o.created_at)::bigint AS created_epoch;

-- name: sent
UPDATE mail_outbox
   SET status = 'sent', sent_at = now(), sent_by = $2, last_error = NULL,
       locked_by = NULL, locked_until = NULL
 WHERE id = $1::bigint AND locked_by = $2;

-- name: retry
-- A temporary failure: tried again after the backoff delay in seconds.
UPDATE mail_outbox
   SET status = 'failing', next_try_at = now() + make_interval(secs => $4::int),
       last_error = $3, locked_by = NULL, locked_until = NULL
 WHERE id = $1::bigint AND locked_by = $2;

-- name: fail
-- Refused for good (a 5xx), or out of attempts.
UPDATE mail_outbox
   SET status = 'failed', last_error = $3, locked_by = NULL, locked_until = NULL
 WHERE id = $1::bigint AND locked_by = $2;

-- name: counts
-- retry: safe
-- One line of `portalctl doctor` and the runner's report.
SELECT count(*) FILTER (WHERE status = 'queued') AS queued,
       count(*) FILTER (WHERE status = 'failing') AS failing,
       count(*) FILTER (WHERE status = 'failed') AS failed,
       count(*) FILTER (WHERE status = 'sent') AS sent
  FROM mail_outbox;

-- name: release
-- The SMTP server took no mail at all (down, TLS or login refused): the
-- row goes back as it was, its attempt not counted, with the reason.
UPDATE mail_outbox
   SET attempts = greatest(attempts - 1, 0), last_error = $3,
       locked_by = NULL, locked_until = NULL
 WHERE id = $1::bigint AND locked_by = $2;
