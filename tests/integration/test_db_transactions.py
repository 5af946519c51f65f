"""core/db.c against a real PostgreSQL whose sessions die under it, through
build/itest/db_harness (tests/integration/c/db_harness.c), which runs the db
layer's calls one line at a time so the test can act between two of them.

A transaction whose session is lost must fail to the end, however it was
opened: no later statement runs on a fresh session in autocommit, and the
COMMIT reports failure. Only a query marked `-- retry: safe` is sent again
after its session ended under it; 26000 (nothing ran) is resent for any
query, outside a transaction only."""

import os
import subprocess
import time

import psycopg2
import pytest

import stack as stacklib

HARNESS = os.path.join(stacklib.BUILD, "itest", "db_harness")
TABLE = "itest_txn_rows"
SEQ = "itest_txn_seq"

QUERIES = f"""\
-- name: insert
INSERT INTO {TABLE} (note) VALUES ($1);

-- name: count
-- retry: safe
SELECT count(*) AS v FROM {TABLE};

-- name: slow_read
-- retry: safe
SELECT pg_sleep(CASE WHEN pg_backend_pid() = $2::int THEN $1::float8 ELSE 0 END)
       IS NOT NULL AS v;

-- name: slow_nextval
SELECT nextval('{SEQ}') AS v, pg_sleep($1::float8);

-- name: slow_count
SELECT count(*) AS v, pg_sleep($1::float8) FROM {TABLE};
"""


@pytest.fixture(scope="module")
def superuser(stack):
    """pg_terminate_backend on the app role's sessions needs more than the owner."""
    conn = psycopg2.connect(stack.pg.conninfo())
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture
def scratch(owner_db):
    """A table and a sequence the app role may write, empty for each test."""
    with owner_db.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {TABLE}; DROP SEQUENCE IF EXISTS {SEQ};"
                  f"CREATE TABLE {TABLE} (note text NOT NULL);"
                  f"CREATE SEQUENCE {SEQ};"
                  f"GRANT INSERT, SELECT ON {TABLE} TO {stacklib.APP_ROLE};"
                  f"GRANT USAGE, SELECT ON {SEQ} TO {stacklib.APP_ROLE}")
    yield
    with owner_db.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {TABLE}; DROP SEQUENCE IF EXISTS {SEQ}")


def rows(owner_db):
    with owner_db.cursor() as c:
        c.execute(f"SELECT note FROM {TABLE} ORDER BY note")
        return [r[0] for r in c.fetchall()]


class Harness:
    def __init__(self, conninfo, queries_path):
        assert os.access(HARNESS, os.X_OK), \
            f"{HARNESS} is missing: make -C {stacklib.ROOT} build/itest/db_harness"
        self.proc = subprocess.Popen([HARNESS, conninfo, queries_path], text=True,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)

    def send(self, *fields):
        self.proc.stdin.write("\t".join(fields) + "\n")
        self.proc.stdin.flush()

    def receive(self):
        line = self.proc.stdout.readline()
        assert line, "the harness died: " + self.proc.stderr.read()
        return line.rstrip("\n")

    def __call__(self, *fields):
        self.send(*fields)
        return self.receive()

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(10)


@pytest.fixture
def db(stack, scratch, tmp_path):
    path = tmp_path / "scratch.sql"
    path.write_text(QUERIES)
    h = Harness(stack.app_db, str(path))
    yield h
    h.close()


# How long the statements the tests kill sleep: far longer than a poll of
# pg_stat_activity can be starved on a loaded machine, so that the kill, not
# the end of the sleep, is what ends them.
LONG = "60"


def kill(superuser, pid, while_running=None):
    """Ends a session from the server side, as an administrator or a restart
    does, and waits until it is gone. With while_running, waits first until
    the session is running a statement that contains that text."""
    deadline = time.monotonic() + 10
    with superuser.cursor() as c:
        if while_running:
            while True:
                c.execute("SELECT state = 'active' AND position(%s in query) > 0 "
                          "FROM pg_stat_activity WHERE pid = %s", (while_running, pid))
                found = c.fetchone()
                if found and found[0]:
                    break
                assert time.monotonic() < deadline, "the statement did not start"
                time.sleep(0.02)
        c.execute("SELECT pg_terminate_backend(%s)", (pid,))
        assert c.fetchone()[0]
        while True:
            c.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,))
            if c.fetchone()[0] == 0:
                return
            assert time.monotonic() < deadline, "the session did not end"
            time.sleep(0.02)


def ok(answer):
    return answer == "ok" or answer.startswith("ok ")


def insert(how, note):
    if how == "exec":
        return ("exec", f"INSERT INTO {TABLE} (note) VALUES ('{note}')")
    return ("query", "scratch.insert", note)


# The three ways a transaction is opened: the db layer must know about each.
OPENERS = {
    "portal_db_begin": [("begin",), insert("exec", "before")],
    "exec BEGIN": [("exec", "BEGIN"), insert("exec", "before")],
    "one multi-statement text": [
        ("exec", f"BEGIN; INSERT INTO {TABLE} (note) VALUES ('before')")],
}


@pytest.mark.parametrize("later", ["exec", "query"])
@pytest.mark.parametrize("opener", sorted(OPENERS))
def test_a_lost_transaction_fails_to_the_end(db, superuser, owner_db, opener, later):
    for step in OPENERS[opener]:
        assert ok(db(*step))
    kill(superuser, int(db("pid")))

    # Every statement until the transaction ends fails, none of them on a
    # fresh session in autocommit: that would keep "after" without "before".
    seen = {
        "insert after-1": db(*insert(later, "after-1")),
        "insert after-2": db(*insert(later, "after-2")),
        "count (marked safe to resend)": db("query", "scratch.count"),
        "COMMIT": db("commit"),
        # Not sent, and the server rolled back when the session ended: a
        # caller may drop what only a committed transaction would need.
        "what is known of the COMMIT": db("fate"),
    }
    seen["rows in the table"] = rows(owner_db)
    assert all(v.startswith("error ") for k, v in seen.items()
               if k not in ("rows in the table", "what is known of the COMMIT")) \
        and seen["COMMIT"].startswith("error unavailable ") \
        and seen["what is known of the COMMIT"] == "unsent" \
        and seen["rows in the table"] == [], \
        "after the session was killed:\n" + "\n".join(f"  {k}: {v}" for k, v in seen.items())

    # The failed COMMIT ended it: the connection works again, on a new session.
    assert ok(db(*insert(later, "next")))
    assert rows(owner_db) == ["next"]


def test_the_db_layer_knows_a_transaction_opened_by_text(db):
    assert db("intx") == "0"
    assert db("exec", "BEGIN") == "ok"
    assert db("intx") == "1"
    assert db("exec", "COMMIT") == "ok"
    assert db("intx") == "0"
    assert db("exec", f"BEGIN; INSERT INTO {TABLE} (note) VALUES ('x')") == "ok"
    assert db("intx") == "1"
    assert db("exec", "ROLLBACK") == "ok"
    assert db("intx") == "0"


def test_only_rollback_ends_a_lost_transaction(db, superuser, owner_db):
    assert db("exec", "BEGIN") == "ok"
    assert db(*insert("exec", "before")) == "ok"
    kill(superuser, int(db("pid")))
    assert db(*insert("query", "after")).startswith("error ")
    assert db("exec", "SELECT 1").startswith("error "), \
        "still the lost transaction, though libpq now knows the session is gone"
    assert db("intx") == "1"
    assert db("rollback") == "ok"
    assert db("intx") == "0"
    assert ok(db(*insert("query", "next")))
    assert rows(owner_db) == ["next"]


def test_a_transaction_opened_and_lost_in_one_text(db, superuser, owner_db):
    """The session ends while the text that opened the transaction still
    runs: the layer cannot ask the server, so it counts one as open."""
    pid = int(db("pid"))
    db.send("exec", f"BEGIN; INSERT INTO {TABLE} (note) VALUES ('before'); "
                    f"SELECT pg_sleep({LONG})")
    kill(superuser, pid, while_running="pg_sleep")
    assert db.receive().startswith("error unavailable ")
    later = db(*insert("exec", "after"))
    committed = db("commit")
    assert (later.startswith("error "), committed.startswith("error "), rows(owner_db)) \
        == (True, True, []), (later, committed)


def test_a_commit_after_text_that_ended_the_transaction_fails(db, owner_db):
    """As a migration with its own COMMIT would: what followed it was not in
    the caller's transaction, and its COMMIT says so."""
    assert db("begin") == "ok"
    assert db("exec", f"INSERT INTO {TABLE} (note) VALUES ('one'); COMMIT") == "ok"
    assert db("intx") == "0"
    assert ok(db(*insert("query", "two")))
    got = db("commit")
    assert got.startswith("error failed - COMMIT without an open transaction"), got


def test_a_marked_read_is_resent_when_its_session_ends_under_it(db, superuser):
    pid = int(db("pid"))
    # Sleeps on this session only: sent again on the new one, it answers at once.
    db.send("query", "scratch.slow_read", LONG, str(pid))
    kill(superuser, pid, while_running="pg_sleep")
    assert db.receive() == "ok rows=1 value=t"
    assert int(db("pid")) != pid, "on a new session"


@pytest.mark.parametrize("label", ["slow_nextval", "slow_count"])
def test_an_unmarked_query_is_not_resent(db, superuser, owner_db, label):
    """Not even a SELECT: `SELECT nextval(...)` has a side effect, and what
    may be resent is the query's author's call, in sql/, not a guess."""
    pid = int(db("pid"))
    db.send("query", f"scratch.{label}", LONG)
    if label == "slow_nextval":
        # The statement is "running pg_sleep" as soon as it is active; kill
        # it only once its nextval has happened, or the count races.
        deadline = time.monotonic() + 10
        with owner_db.cursor() as c:
            while True:
                c.execute(f"SELECT is_called FROM {SEQ}")
                if c.fetchone()[0]:
                    break
                assert time.monotonic() < deadline, "nextval did not run"
                time.sleep(0.02)
    kill(superuser, pid, while_running="pg_sleep")
    got = db.receive()
    assert got.startswith("error unavailable 57P01 "), got
    assert db("fate") == "unknown", "killed while it ran: it may have had its effect"
    with owner_db.cursor() as c:
        c.execute(f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQ}")
        calls = c.fetchone()[0]
    assert calls == (1 if label == "slow_nextval" else 0), "the statement ran once"
    assert db("query", "scratch.count") == "ok rows=1 value=0", "the next one works"


def test_a_missing_prepared_statement_is_prepared_again_for_any_query(db, owner_db):
    assert db("query", "scratch.insert", "one") == "ok rows=0 value="
    assert db("exec", "DEALLOCATE ALL") == "ok"
    # 26000: nothing ran, so even a write is sent again, once.
    assert db("query", "scratch.insert", "two") == "ok rows=0 value="
    assert rows(owner_db) == ["one", "two"]


def test_a_missing_prepared_statement_inside_a_transaction_fails_it(db, owner_db):
    assert db("begin") == "ok"
    assert db("query", "scratch.insert", "one") == "ok rows=0 value="
    assert db("exec", "DEALLOCATE ALL") == "ok"
    got = db("query", "scratch.insert", "two")
    assert got.startswith("error failed 26000 "), got
    assert db("commit").startswith("error "), "the transaction had failed"
    assert rows(owner_db) == []


def test_a_commit_the_server_refused_is_known_rolled_back(db, owner_db):
    """A serialization failure found at COMMIT (40001), made here by a
    deferred trigger: the server answered, so nothing was committed."""
    with owner_db.cursor() as c:
        c.execute("CREATE FUNCTION itest_refuse() RETURNS trigger LANGUAGE plpgsql AS "
                  "$$BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = '40001'; END$$;"
                  f"CREATE CONSTRAINT TRIGGER itest_refuse AFTER INSERT ON {TABLE} "
                  "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION itest_refuse()")
    try:
        assert db("begin") == "ok"
        assert ok(db(*insert("query", "one")))
        got = db("commit")
        assert got.startswith("error unavailable 40001 "), got
        assert db("fate") == "rolled_back"
        assert db("intx") == "0" and rows(owner_db) == []
    finally:
        with owner_db.cursor() as c:
            c.execute(f"DROP TABLE {TABLE}; DROP FUNCTION itest_refuse()")


def test_a_commit_after_the_transaction_failed_is_known_rolled_back(db, owner_db):
    assert db("begin") == "ok"
    assert db("exec", "SELECT 1/0").startswith("error failed 22012 ")
    assert db("commit").startswith("error failed - COMMIT of a transaction that had failed")
    assert db("fate") == "rolled_back"


@pytest.mark.parametrize("lost", [True, False])
def test_begin_inside_a_transaction_is_refused_and_leaves_it(db, superuser, owner_db, lost):
    """Not ended for the caller: a lost transaction that a BEGIN quietly
    ended would let the caller's next statements autocommit on a new
    session; a live one that a BEGIN joined would make two transactions one."""
    assert db("begin") == "ok"
    assert ok(db(*insert("query", "before")))
    if lost:
        kill(superuser, int(db("pid")))
    got = db("begin")
    assert got.startswith("error failed - BEGIN inside a transaction"), got
    assert db("fate") == "unsent"
    assert db("intx") == "1", "the transaction is the caller's to end"
    if lost:
        assert db(*insert("query", "after")).startswith("error unavailable ")
        assert db("commit").startswith("error unavailable ")
    else:
        assert db("commit") == "ok"
    assert rows(owner_db) == ([] if lost else ["before"])
