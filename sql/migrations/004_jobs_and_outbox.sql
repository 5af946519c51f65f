-- Work that runs outside requests, and the mail it sends.
--
-- jobs: claimed by any runner (mod_watchdog in each Apache node, or cron's
-- `portalctl jobs run`) with FOR UPDATE SKIP LOCKED, so two runners never
-- take one row at once, and held by a lease (locked_by, locked_until): a
-- runner that dies mid-job leaves the lease to run out, then the job is
-- taken again. A job with a unique_key exists once (the periodic ones, such
-- as mail.deliver); every_seconds makes a finished job due again that much
-- later instead of done.
--
-- mail_outbox: what a request queues instead of talking to SMTP. Subject and
-- bodies are stored as rendered when queued, so a template changed later
-- never alters a mail that waits; the mail.deliver job sends due rows with
-- retry and backoff. Status: queued (not tried yet), failing (a temporary
-- refusal, tried again at next_try_at), sent, failed (refused for good, or
-- out of attempts); a row is being sent while locked_until is ahead.

CREATE TABLE jobs (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind          text NOT NULL CHECK (kind ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    unique_key    text UNIQUE CHECK (length(unique_key) BETWEEN 1 AND 200),
    payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
    status        text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'done', 'failed')),
    run_at        timestamptz NOT NULL DEFAULT now(),
    every_seconds integer CHECK (every_seconds >= 0),
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  integer NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
    locked_by     text,
    locked_until  timestamptz,
    last_error    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    done_at       timestamptz,
    CHECK ((status = 'queued') = (done_at IS NULL)),
    CHECK ((locked_by IS NULL) = (locked_until IS NULL))
);

-- What a claim scans: queued jobs by due time.
CREATE INDEX jobs_due ON jobs (run_at) WHERE status = 'queued';

CREATE TABLE mail_outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at    timestamptz NOT NULL DEFAULT now(),
    recipient     text NOT NULL CHECK (length(recipient) BETWEEN 3 AND 254
                                       AND recipient !~ '[[:space:][:cntrl:],;<>"]'),
    locale        text NOT NULL CHECK (locale IN ('en', 'tr', 'az', 'ru')),
    template      text NOT NULL CHECK (template ~ '^[a-z0-9_]{1,64}$'),
    subject       text NOT NULL CHECK (subject !~ '[\r\n]'),
    body_text     text NOT NULL,
    body_html     text NOT NULL,
    message_id    text NOT NULL UNIQUE CHECK (message_id ~ '^<[^<>[:space:]]+@[^<>[:space:]]+>$'),
    status        text NOT NULL DEFAULT 'queued'
                  CHECK (status IN ('queued', 'failing', 'sent', 'failed')),
    attempts      integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts  integer NOT NULL DEFAULT 8 CHECK (max_attempts > 0),
    next_try_at   timestamptz NOT NULL DEFAULT now(),
    last_try_at   timestamptz,
    last_error    text,
    locked_by     text,
    locked_until  timestamptz,
    sent_at       timestamptz,
    sent_by       text,        -- the runner that sent it: host:pid
    CHECK ((status = 'sent') = (sent_at IS NOT NULL)),
    CHECK ((locked_by IS NULL) = (locked_until IS NULL))
);

-- What mail.deliver scans: rows still to send, by when they are due.
CREATE INDEX mail_outbox_due ON mail_outbox (next_try_at) WHERE status IN ('queued', 'failing');
-- The admin outbox page: newest first.
CREATE INDEX mail_outbox_recent ON mail_outbox (created_at DESC);

GRANT SELECT, INSERT, UPDATE ON jobs TO portal_app;
GRANT SELECT, INSERT, UPDATE ON mail_outbox TO portal_app;
