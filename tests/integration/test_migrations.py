"""portal_migrate_apply, the function portalctl migrate applies each
migration with, driven through build/itest/db_harness with migration texts
no shipped build contains: one that ends its own transaction, and one that
another migrator applies while this one waits for the lock.

A migration runs inside one transaction that the migrator opens, holds the
migration lock in and records it in; text that commits, rolls back or opens
a transaction of its own is refused, and not recorded as applied."""

import hashlib
import os
import re
import time

import psycopg2
import pytest

import stack as stacklib
from test_db_transactions import Harness

DB = "itest_migrate"


def lock_key():
    """The migration lock, as sql/migrate.sql takes it."""
    with open(os.path.join(stacklib.ROOT, "sql", "migrate.sql")) as f:
        return int(re.search(r"pg_advisory(?:_xact)?_lock\((\d+)\)", f.read()).group(1))


@pytest.fixture
def scratch_db(stack):
    """A fresh database the owner migrates, with the bookkeeping table."""
    stack.pg.psql(f"DROP DATABASE IF EXISTS {DB}")
    stack.pg.psql(f"CREATE DATABASE {DB} OWNER {stacklib.OWNER_ROLE}")
    conn = psycopg2.connect(stack.pg.conninfo(stacklib.OWNER_ROLE, DB))
    conn.autocommit = True
    yield conn
    conn.close()
    stack.pg.psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


@pytest.fixture
def harness(stack, scratch_db, tmp_path):
    empty = tmp_path / "none.sql"
    empty.write_text("")
    h = Harness(stack.pg.conninfo(stacklib.OWNER_ROLE, DB), str(empty))
    assert h("query", "migrate.bookkeeping").startswith("ok")
    yield h
    h.close()


def recorded(conn):
    with conn.cursor() as c:
        c.execute("SELECT version, name FROM portal_schema_migrations ORDER BY version")
        return c.fetchall()


def tables(conn):
    with conn.cursor() as c:
        c.execute("SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables "
                  "WHERE tablename LIKE 'mig\\_%'")
        return c.fetchone()[0] or ""


def test_a_migration_is_applied_once_and_recorded(harness, scratch_db):
    assert harness("migrate", "901_a.sql", "CREATE TABLE mig_a (x int)") == "ok applied"
    assert harness("migrate", "901_a.sql", "CREATE TABLE mig_a (x int)") == "ok skipped"
    assert recorded(scratch_db) == [("901", "901_a.sql")]
    assert harness("intx") == "0"


@pytest.mark.parametrize("text", [
    "CREATE TABLE mig_a (x int); COMMIT",               # the record would autocommit
    "COMMIT; CREATE TABLE mig_a (x int); BEGIN",        # ends inside a new transaction
    "ROLLBACK; BEGIN; CREATE TABLE mig_a (x int)",
])
def test_a_migration_that_controls_its_transaction_is_refused(harness, scratch_db, text):
    got = harness("migrate", "901_own_txn.sql", text)
    assert got.startswith("error migrate migration 901_own_txn.sql ended the migrator's "
                          "transaction"), got
    assert "must not contain COMMIT, ROLLBACK or BEGIN" in got, got
    assert recorded(scratch_db) == [], "a refused migration is not recorded as applied"
    assert harness("intx") == "0", "and no transaction is left open"
    if text.startswith(("COMMIT;", "ROLLBACK;")):
        assert tables(scratch_db) == "", "what ran in the text's own transaction is undone"


def test_a_migration_waits_for_the_lock_and_skips_what_was_applied_meanwhile(
        harness, scratch_db, stack):
    """As a second migrator would: it holds the lock (on a session of its own,
    so even one holding it the old, session-level way counts) while this one
    waits, and records the migration before letting go."""
    text = "CREATE TABLE mig_lock (x int)"
    other = psycopg2.connect(stack.pg.conninfo(stacklib.OWNER_ROLE, DB))
    other.autocommit = True
    try:
        with other.cursor() as c:
            c.execute("SELECT pg_advisory_lock(%s)", (lock_key(),))
        pid = int(harness("pid"))
        harness.send("migrate", "901_lock.sql", text)
        deadline = time.monotonic() + 10
        with scratch_db.cursor() as c:
            while True:
                c.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", (pid,))
                if c.fetchone()[0] == "advisory":
                    break
                assert time.monotonic() < deadline, \
                    "the migration did not wait for the migration lock"
                time.sleep(0.02)
        with other.cursor() as c:
            c.execute("INSERT INTO portal_schema_migrations (version, name, checksum) "
                      "VALUES ('901', '901_lock.sql', %s)",
                      (hashlib.sha256(text.encode()).hexdigest(),))
            c.execute("SELECT pg_advisory_unlock(%s)", (lock_key(),))
        assert harness.receive() == "ok skipped"
    finally:
        other.close()
    assert tables(scratch_db) == "", "the text did not run a second time"
    assert recorded(scratch_db) == [("901", "901_lock.sql")]


def test_a_migration_applied_meanwhile_from_another_text_stops(harness, scratch_db):
    """Another build applied the same number with other text: nothing runs."""
    with scratch_db.cursor() as c:
        c.execute("INSERT INTO portal_schema_migrations (version, name, checksum) "
                  "VALUES ('901', '901_a.sql', repeat('0', 64))")
    got = harness("migrate", "901_a.sql", "CREATE TABLE mig_a (x int)")
    assert got.startswith("error migrate migration 901_a.sql was applied meanwhile with "
                          "other text"), got
    assert tables(scratch_db) == "" and harness("intx") == "0"
