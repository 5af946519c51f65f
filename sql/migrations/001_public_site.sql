-- The public site: the plans on the Pricing page and the messages sent
-- from the Contact page. The portal connects as portal_app, a role that
-- owns nothing: it gets exactly the rights granted here.

CREATE TABLE plans (
    code         text PRIMARY KEY CHECK (code ~ '^[a-z0-9_-]{1,32}$'),
    months       integer NOT NULL CHECK (months IN (1, 3, 6, 12)),
    price_minor  bigint NOT NULL CHECK (price_minor > 0),
    currency     char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    max_devices  integer NOT NULL CHECK (max_devices > 0),
    popular      boolean NOT NULL DEFAULT false,
    active       boolean NOT NULL DEFAULT true,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- At most one highlighted plan.
CREATE UNIQUE INDEX plans_one_popular ON plans (popular) WHERE popular AND active;

CREATE TABLE contact_messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at        timestamptz NOT NULL DEFAULT now(),
    locale            text NOT NULL,
    name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    email             text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
    company           text CHECK (length(company) <= 160),
    topic             text NOT NULL CHECK (topic IN ('sales', 'support', 'billing',
                                                     'partnership', 'other')),
    message           text NOT NULL CHECK (length(message) BETWEEN 10 AND 5000),
    request_id        text NOT NULL,
    client_ip         inet,
    attachment_id     text CHECK (attachment_id ~ '^[a-f0-9]{32}$'),
    attachment_name   text,
    attachment_type   text,
    attachment_size   bigint CHECK (attachment_size >= 0),
    attachment_sha256 text CHECK (attachment_sha256 ~ '^[a-f0-9]{64}$'),
    CHECK ((attachment_id IS NULL) = (attachment_sha256 IS NULL))
);

CREATE INDEX contact_messages_recent ON contact_messages (created_at DESC);
-- How many messages an address sent lately: the form's flood limit.
CREATE INDEX contact_messages_by_ip ON contact_messages (client_ip, created_at);

GRANT USAGE ON SCHEMA public TO portal_app;
GRANT SELECT ON plans TO portal_app;
GRANT INSERT, SELECT (id, client_ip, created_at) ON contact_messages TO portal_app;
GRANT SELECT ON portal_schema_migrations TO portal_app;
