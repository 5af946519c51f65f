"""The audit log against a real PostgreSQL: append-only for every role (the
triggers), writers in parallel without waiting for each other
(build/itest/limits_harness writes through core/audit.c as the app role),
rows committed out of id order and rolled-back ids sealed into one intact
chain, and `portalctl audit verify` naming a row edited, removed or slipped
in behind the triggers' back by a superuser."""

import datetime
import json
import os
import subprocess
import time

import psycopg2
import pytest

import stack as stacklib
from conftest import ROOT

HARNESS = os.path.join(stacklib.BUILD, "itest", "limits_harness")
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
TABLES = ("audit_log", "audit_chain")


@pytest.fixture(scope="module")
def superuser(stack):
    conn = psycopg2.connect(stack.pg.conninfo(db=stacklib.DB_NAME))
    conn.autocommit = True
    yield conn
    conn.close()


def behind_the_triggers(superuser, sql, params=None):
    """What only a superuser (or the owner, disabling the trigger) can do."""
    with superuser.cursor() as c:
        for t in TABLES:
            c.execute(f"ALTER TABLE {t} DISABLE TRIGGER {t}_append_only")
        try:
            c.execute(sql, params)
        finally:
            for t in TABLES:
                c.execute(f"ALTER TABLE {t} ENABLE TRIGGER {t}_append_only")


@pytest.fixture
def empty_log(superuser):
    behind_the_triggers(superuser, "TRUNCATE audit_log, audit_chain; "
                        "UPDATE audit_seal_state SET horizon_id = NULL, horizon_xid = NULL")
    yield
    behind_the_triggers(superuser, "TRUNCATE audit_log, audit_chain; "
                        "UPDATE audit_seal_state SET horizon_id = NULL, horizon_xid = NULL")


def write(stack, threads, rows, hold_ms=0):
    assert os.access(HARNESS, os.X_OK), \
        f"{HARNESS} is missing: make -C {ROOT} build/itest/limits_harness"
    r = subprocess.run([HARNESS, "audit", stack.app_db, str(threads), str(rows), str(hold_ms)],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    fields = dict(kv.split("=") for kv in r.stdout.split())
    return int(fields["committed"]), int(fields["rolled_back"]), float(fields["seconds"])


def seal(stack, *args, db=None):
    r = stacklib.portalctl("audit", "seal", *args, conninfo=db or stack.app_db, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout


def verify(stack):
    return stacklib.portalctl("audit", "verify", conninfo=stack.owner_db, check=False)


def app_conn(stack):
    conn = psycopg2.connect(stack.app_db)
    conn.autocommit = True
    return conn


def field(v):
    return "|~" if v is None else f"|{len(v.encode())}:{v}"


def jsonb_text(v):
    """PostgreSQL's jsonb output: keys by length then bytes, ": " and ", "."""
    if isinstance(v, dict):
        keys = sorted(v, key=lambda k: (len(k.encode()), k.encode()))
        return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + jsonb_text(v[k])
                               for k in keys) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(jsonb_text(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def canonical(row):
    """The documented canonical form (003_audit_and_limits.sql), rebuilt here
    from the columns, not asked of the database."""
    (id_, created, event, kind, actor, email, tenant, ip, ua, rid, detail) = row
    us = (created - EPOCH) // datetime.timedelta(microseconds=1)
    return ("audit-v1" + field(str(id_)) + field(str(us)) + field(event) + field(kind)
            + field(actor and str(actor)) + field(email) + field(tenant and str(tenant))
            + field(ip) + field(ua) + field(rid) + field(jsonb_text(detail)))


def chain_in_python(owner_db):
    import hashlib
    with owner_db.cursor() as c:
        c.execute("SELECT l.id, l.created_at, l.event, l.actor_kind, l.actor_id, "
                  "l.actor_email, l.tenant_id, l.ip::text, l.user_agent, l.request_id, "
                  "l.detail, c.prev_id, c.hash FROM audit_log l "
                  "JOIN audit_chain c USING (id) ORDER BY id")
        rows = c.fetchall()
    h, prev = b"\0" * 32, 0
    for r in rows:
        h = hashlib.sha256(h + canonical(r[:11]).encode()).digest()
        assert r[11] == prev, f"row {r[0]} links to {r[11]}, the row before is {prev}"
        assert bytes(r[12]) == h, f"row {r[0]}: {canonical(r[:11])!r}"
        prev = r[0]
    return len(rows)


def count(owner_db, sql):
    with owner_db.cursor() as c:
        c.execute(sql)
        return c.fetchone()[0]


@pytest.mark.parametrize("role", ["owner", "app"])
@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}",
                                       "TRUNCATE {t}"])
def test_the_log_and_its_chain_refuse_every_change(stack, empty_log, role, table, statement):
    write(stack, 1, 3)
    seal(stack)
    conn = psycopg2.connect(stack.owner_db if role == "owner" else stack.app_db)
    conn.autocommit = True
    try:
        with pytest.raises(psycopg2.Error) as e, conn.cursor() as c:
            c.execute(statement.format(t=table))
    finally:
        conn.close()
    assert e.value.pgcode == "42501"
    if role == "owner":     # nothing but the trigger stops the owner
        assert f"{table} is append-only" in str(e.value)
    else:                   # the app is not even granted it
        assert "permission denied" in str(e.value)
    assert verify(stack).returncode == 0


def test_the_app_writes_rows_but_not_their_id_nor_the_chain(stack, empty_log):
    conn = app_conn(stack)
    try:
        with conn.cursor() as c:
            for sql in ["INSERT INTO audit_log (id, event, actor_kind) "
                        "VALUES (1, 'user.signup', 'anonymous')",
                        "INSERT INTO audit_chain (id, prev_id, hash) "
                        "VALUES (1, 0, sha256(''::bytea))",
                        "SELECT count(*) FROM audit_log"]:
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    c.execute(sql)
            c.execute("INSERT INTO audit_log (event, actor_kind) VALUES ('user.signup', 'anonymous')")
            c.execute("BEGIN; INSERT INTO audit_log (event, actor_kind) "
                      "VALUES ('user.signup', 'anonymous')")
            with pytest.raises(psycopg2.Error) as e:
                c.execute("SELECT * FROM audit_seal(0)")
            assert "audit_seal must run in a transaction of its own" in str(e.value)
            c.execute("ROLLBACK")
    finally:
        conn.close()


def test_parallel_writes_are_sealed_into_one_intact_chain(stack, empty_log, owner_db):
    committed, rolled_back, _ = write(stack, 8, 50)
    assert (committed, rolled_back) == (360, 40)
    out = seal(stack)
    assert "audit seal: 360 rows sealed" in out
    r = verify(stack)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("audit log: 360 rows, chain intact\n")
    assert count(owner_db, "SELECT max(id) - min(id) + 1 FROM audit_log") > 360, \
        "the rolled-back ids are gaps"
    assert chain_in_python(owner_db) == 360
    assert "0 rows sealed" in seal(stack), "sealing twice adds nothing"


@pytest.mark.parametrize("ending", ["COMMIT", "ROLLBACK"])
def test_a_transaction_still_open_holds_sealing_back_not_writers(stack, empty_log, owner_db,
                                                                 ending):
    write(stack, 2, 10)
    assert "18 rows sealed" in seal(stack, "--wait", "0")
    slow = psycopg2.connect(stack.app_db)      # a request still working
    try:
        with slow.cursor() as c:
            c.execute("INSERT INTO audit_log (event, actor_kind, detail) "
                      "VALUES ('user.signin.succeeded', 'anonymous', '{\"slow\": true}')")
        started = time.monotonic()
        committed, _, seconds = write(stack, 8, 20, hold_ms=20)
        assert committed == 144
        assert time.monotonic() - started < 20 and seconds < 15, \
            "writers do not wait for an open one"
        out = seal(stack, "--wait", "1")
        assert "0 rows sealed" in out and "144 rows wait" in out, "the open one is not seen yet"
        r = verify(stack)
        assert r.returncode == 0 and "144 rows not sealed yet" in r.stdout
        slow.cursor().execute(ending)
    finally:
        slow.close()
    out = seal(stack)
    total = 18 + 144 + (ending == "COMMIT")
    assert f"{total - 18} rows sealed" in out, out
    r = verify(stack)
    assert r.returncode == 0 and f"audit log: {total} rows, chain intact" in r.stdout
    assert chain_in_python(owner_db) == total
    if ending == "COMMIT":   # the slow row committed after rows with higher ids
        assert count(owner_db, "SELECT count(*) FROM audit_log l JOIN audit_chain USING (id) "
                               "WHERE l.detail ? 'slow'") == 1


def sealed_rows(stack, owner_db, n=3):
    write(stack, 1, 30)
    seal(stack)
    with owner_db.cursor() as c:
        c.execute("SELECT id FROM audit_chain ORDER BY id")
        ids = [r[0] for r in c.fetchall()]
    assert len(ids) == 27
    return ids


def test_verify_names_an_edited_row(stack, empty_log, owner_db, superuser):
    ids = sealed_rows(stack, owner_db)
    victim = ids[10]
    behind_the_triggers(superuser, "UPDATE audit_log SET detail = detail || '{\"n\": 999}' "
                                   "WHERE id = %s", (victim,))
    r = verify(stack)
    assert r.returncode == 1
    assert f"chain BROKEN at row {victim}: row {victim} was edited after it was sealed" \
        in r.stdout


def test_verify_names_a_removed_row(stack, empty_log, owner_db, superuser):
    ids = sealed_rows(stack, owner_db)
    victim = ids[20]
    behind_the_triggers(superuser, "DELETE FROM audit_log WHERE id = %s", (victim,))
    r = verify(stack)
    assert r.returncode == 1
    assert f"row {victim} was removed" in r.stdout


def test_verify_names_rows_removed_with_their_chain_entries(stack, empty_log, owner_db,
                                                            superuser):
    ids = sealed_rows(stack, owner_db)
    behind_the_triggers(superuser, "DELETE FROM audit_log WHERE id = ANY(%s); "
                        "DELETE FROM audit_chain WHERE id = ANY(%s)", (ids[5:7], ids[5:7]))
    r = verify(stack)
    assert r.returncode == 1
    assert f"sealed rows after row {ids[4]} and before row {ids[7]} were removed" in r.stdout


def test_verify_names_a_row_slipped_into_a_gap(stack, empty_log, owner_db, superuser):
    ids = sealed_rows(stack, owner_db)
    gap = next(i for a, b in zip(ids, ids[1:]) for i in range(a + 1, b))
    with superuser.cursor() as c:
        c.execute("INSERT INTO audit_log (id, event, actor_kind) "
                  "VALUES (%s, 'admin.user.role_changed', 'system')", (gap,))
    r = verify(stack)
    assert r.returncode == 1
    assert f"row {gap} is inside the sealed range but not in the chain" in r.stdout


def test_verify_needs_the_owner(stack, empty_log):
    r = stacklib.portalctl("audit", "verify", conninfo=stack.app_db, check=False)
    assert r.returncode == 1
    assert "permission denied" in r.stderr and "schema owner" in r.stderr
