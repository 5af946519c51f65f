-- Two pieces of shared machinery: the rate limiter's counters, kept in
-- PostgreSQL so that a limit holds across Apache nodes, and the audit log,
-- append-only and hash-chained so that `portalctl audit verify` finds a row
-- edited or removed behind the triggers' back. (002 is the identity
-- migration; nothing here depends on it: the audit log stores ids without
-- foreign keys, because an audit row must outlive what it describes.)

-- Rate limits ----------------------------------------------------------------
-- One row per (bucket, key): a fixed window that opens with the first hit
-- and ends at window_end; hits counts the hits inside it, at most limit + 1
-- (core/ratelimit.c, sql/ratelimit.sql "hit"). The key is stored as its
-- SHA-256 only: keys are e-mail addresses and IP addresses of any length.
-- Rows of expired windows are reused by the next hit of the same key and
-- deleted by "ratelimit.prune" (portalctl ratelimit prune, later the jobs
-- runner). fillfactor leaves room for HOT updates: a hit changes no
-- indexed column unless it opens a new window.
CREATE TABLE rate_limits (
    bucket      text NOT NULL CHECK (bucket ~ '^[a-z][a-z0-9_.]{0,63}$'),
    key_hash    bytea NOT NULL CHECK (octet_length(key_hash) = 32),
    window_end  timestamptz NOT NULL,
    hits        integer NOT NULL CHECK (hits > 0),
    PRIMARY KEY (bucket, key_hash)
) WITH (fillfactor = 80);

CREATE INDEX rate_limits_expired ON rate_limits (window_end);

-- SELECT and UPDATE for INSERT ... ON CONFLICT DO UPDATE ... RETURNING,
-- DELETE for the prune the jobs runner (inside Apache, as portal_app) runs.
GRANT SELECT, INSERT, UPDATE, DELETE ON rate_limits TO portal_app;

-- The contact form's limit moved onto rate_limits: nothing reads this index.
DROP INDEX contact_messages_by_ip;

-- Audit log ------------------------------------------------------------------
-- Writers insert rows unchained, in parallel, inside their own transactions:
-- no lock, no read of the previous row's hash. A sealer (audit_seal below,
-- run by `portalctl audit seal` and later the jobs runner) chains them
-- afterwards in id order into audit_chain, once no transaction can still
-- commit a row with a lower id.
--
-- Why the id comes from audit_next_id(): the sealer must know when every id
-- up to some value is final (committed, or a gap left by a rollback that
-- will never fill). A writer takes a transaction id *before* its row id, so
-- every transaction holding an id up to S (the sequence's value read by the
-- sealer) has an xid older than the sealer's own transaction, which it
-- assigns right after reading S; once no transaction older than its own is
-- running (the snapshot's xmin reaches it), ids up to S are final. CACHE 1
-- (the default, stated because it matters): with cached ranges a backend
-- could hand out a low id after the sealer read a higher one.
CREATE SEQUENCE audit_log_id_seq AS bigint CACHE 1;

CREATE FUNCTION audit_next_id() RETURNS bigint
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, public AS $$
BEGIN
    PERFORM pg_current_xact_id();   -- the xid first, then the row id (see above)
    RETURN nextval('audit_log_id_seq');
END
$$;

CREATE TABLE audit_log (
    id           bigint PRIMARY KEY DEFAULT audit_next_id(),
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- A stable dotted code: "user.signin.failed", "admin.user.role_changed".
    event        text NOT NULL CHECK (length(event) <= 64
                                      AND event ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$'),
    actor_kind   text NOT NULL CHECK (actor_kind IN ('user', 'admin', 'system', 'anonymous')),
    actor_id     uuid,              -- users.id, no foreign key (see the top)
    actor_email  text CHECK (length(actor_email) <= 320),   -- snapshot at the time
    tenant_id    uuid,              -- tenants.id, no foreign key
    ip           inet,
    user_agent   text CHECK (length(user_agent) <= 512),
    request_id   text CHECK (length(request_id) <= 64),     -- X-Request-Id, to find log lines
    detail       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object'),
    CHECK (actor_kind IN ('user', 'admin') OR actor_id IS NULL)
);
ALTER SEQUENCE audit_log_id_seq OWNED BY audit_log.id;

-- The filters of the admin audit page: tenant, actor, event, time.
CREATE INDEX audit_log_tenant ON audit_log (tenant_id, created_at) WHERE tenant_id IS NOT NULL;
CREATE INDEX audit_log_actor ON audit_log (actor_id, created_at) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_log_event ON audit_log (event, created_at);
CREATE INDEX audit_log_created ON audit_log (created_at);

-- One sealed row: its hash chains it to the row sealed before it (prev_id,
-- 0 for the first). Ids may skip (a rolled-back insert's id never returns);
-- prev_id says which skips are the chain's own.
CREATE TABLE audit_chain (
    id         bigint PRIMARY KEY,
    prev_id    bigint NOT NULL CHECK (prev_id >= 0 AND prev_id < id),
    hash       bytea NOT NULL CHECK (octet_length(hash) = 32),
    sealed_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The sealer's pending horizon: ids up to horizon_id are final once no
-- transaction up to horizon_xid is running. One row.
CREATE TABLE audit_seal_state (
    one          boolean PRIMARY KEY DEFAULT true CHECK (one),
    horizon_id   bigint,
    horizon_xid  xid8
);
INSERT INTO audit_seal_state DEFAULT VALUES;

-- Append-only: refused for every role, the owner included (only a
-- superuser, or the owner disabling the trigger, gets past it; the chain is
-- what catches that). Statement-level, so even an UPDATE that matches no
-- row is refused.
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_chain
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();

-- The canonical text of a row, the input of its chain hash (version 1):
--
--   "audit-v1" then, for each column in this order,
--     "|" + byte length + ":" + value     or   "|~" for NULL
--
--   id          decimal
--   created_at  microseconds since 1970-01-01 00:00 UTC, decimal
--   event, actor_kind, actor_email, user_agent, request_id   as stored
--   actor_id, tenant_id   uuid text (lowercase, with hyphens)
--   ip          text(inet): the address with its mask, always ("192.0.2.1/32",
--               "2001:db8::1/128")
--   detail      jsonb text (PostgreSQL's normal form: keys sorted, one space
--               after ":" and ",")
--
-- Lengths are UTF-8 bytes, so no value can pass for another's. The chain:
--   hash(row) = SHA-256(hash(previous sealed row) || canonical(row)),
--   with 32 zero bytes before the first row.
-- A column added to audit_log later needs an "audit-v2" form.
CREATE FUNCTION audit_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN v IS NULL THEN '|~' ELSE '|' || octet_length(v) || ':' || v END
$$;

CREATE FUNCTION audit_canonical(a audit_log) RETURNS text
LANGUAGE sql IMMUTABLE SET search_path = pg_catalog, public AS $$
    SELECT 'audit-v1'
        || audit_field(a.id::text)
        || audit_field(((extract(epoch FROM a.created_at) * 1000000)::bigint)::text)
        || audit_field(a.event)
        || audit_field(a.actor_kind)
        || audit_field(a.actor_id::text)
        || audit_field(a.actor_email)
        || audit_field(a.tenant_id::text)
        || audit_field(a.ip::text)
        || audit_field(a.user_agent)
        || audit_field(a.request_id)
        || audit_field(a.detail::text)
$$;

-- Chains every row whose id is final, in id order. wait_ms: how long to
-- wait for transactions older than this call to end (portalctl waits a few
-- seconds so one run seals what was committed before it; the jobs runner
-- passes 0 and seals, on each run, the horizon the run before recorded).
-- Sealers take turns (an advisory lock); writers never wait for them.
-- Returns the rows sealed now, the chain's head (id, hex hash) and how many
-- rows wait for a later run.
CREATE FUNCTION audit_seal(wait_ms integer DEFAULT 0)
RETURNS TABLE (sealed bigint, head_id bigint, head_hash text, waiting bigint)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    final_id  bigint;
    s         bigint;
    me        xid8;
    st        audit_seal_state;
    r         audit_log;
    h_id      bigint := 0;
    h         bytea := decode(repeat('00', 32), 'hex');
    n         bigint := 0;
    deadline  timestamptz := clock_timestamp() + make_interval(secs => greatest(wait_ms, 0) / 1000.0);
BEGIN
    -- An xid taken before S was read would let a writer slip under the
    -- horizon: the sealer's transaction must be its own.
    IF pg_current_xact_id_if_assigned() IS NOT NULL THEN
        RAISE EXCEPTION 'audit_seal must run in a transaction of its own'
            USING ERRCODE = 'active_sql_transaction';
    END IF;
    PERFORM pg_advisory_xact_lock(7263540193);
    SELECT * INTO st FROM audit_seal_state;
    IF st.horizon_xid IS NOT NULL
       AND pg_snapshot_xmin(pg_current_snapshot()) > st.horizon_xid THEN
        final_id := st.horizon_id;            -- recorded by an earlier run, final now
    END IF;
    -- A new horizon: S first, then this transaction's xid (see audit_next_id).
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO s FROM audit_log_id_seq;
    me := pg_current_xact_id();
    WHILE pg_snapshot_xmin(pg_current_snapshot()) < me AND clock_timestamp() < deadline LOOP
        PERFORM pg_sleep(0.01);
    END LOOP;
    IF pg_snapshot_xmin(pg_current_snapshot()) >= me THEN
        final_id := s;                        -- nothing older than this call runs
        UPDATE audit_seal_state SET horizon_id = NULL, horizon_xid = NULL;
    ELSE
        UPDATE audit_seal_state SET horizon_id = s, horizon_xid = me;
    END IF;

    SELECT c.id, c.hash INTO h_id, h FROM audit_chain c ORDER BY c.id DESC LIMIT 1;
    IF NOT FOUND THEN
        h_id := 0;
        h := decode(repeat('00', 32), 'hex');
    END IF;
    IF final_id > h_id THEN
        FOR r IN SELECT * FROM audit_log WHERE id > h_id AND id <= final_id ORDER BY id LOOP
            h := sha256(h || convert_to(audit_canonical(r), 'UTF8'));
            INSERT INTO audit_chain (id, prev_id, hash) VALUES (r.id, h_id, h);
            h_id := r.id;
            n := n + 1;
        END LOOP;
    END IF;
    RETURN QUERY SELECT n, h_id, CASE WHEN h_id = 0 THEN NULL ELSE encode(h, 'hex') END,
                        (SELECT count(*) FROM audit_log WHERE id > h_id);
END
$$;

-- The app writes rows (never their id or time) and may seal (the jobs
-- runner lives in Apache); it cannot read the log, nor touch the chain.
-- Reading (portalctl audit verify, later the admin page) is the owner's.
GRANT INSERT (event, actor_kind, actor_id, actor_email, tenant_id, ip, user_agent,
              request_id, detail) ON audit_log TO portal_app;
GRANT USAGE ON SEQUENCE audit_log_id_seq TO portal_app;
REVOKE EXECUTE ON FUNCTION audit_seal(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_seal(integer) TO portal_app;

-- The tenant an event concerns is a reference for filtering; the log is read
-- by admins across tenants and written for events with no tenant at all.
COMMENT ON COLUMN audit_log.tenant_id IS
    'not tenant-owned: the tenant an event concerns, for filtering; admins read across tenants';
