"""Tenants never see each other's rows, even through a query that forgets its
`WHERE tenant_id`: every tenant-owned table has a FORCEd row-level-security
policy, and core/db.c's portal_db_query_as sends the statement's tenant in
the same pipeline as the statement. Checked through the db layer itself
(build/itest/db_harness), for every table the schema calls tenant-owned,
also across a PostgreSQL restart in the middle of a sequence."""

import os
import uuid

import psycopg2
import pytest

import stack as stacklib
from test_db_transactions import Harness, kill, ok

A = str(uuid.uuid4())
B = str(uuid.uuid4())

# How each tenant-owned table names its tenant: a table the schema adds
# without an entry here fails test_every_tenant_owned_table_is_covered.
TENANT_COLUMN = {"tenants": "id", "tenant_members": "tenant_id", "invitations": "tenant_id"}


def tenant_tables(conn):
    with conn.cursor() as c:
        c.execute("SELECT table_name, row_security, forced FROM portal_tenant_tables "
                  "ORDER BY table_name")
        return c.fetchall()


@pytest.fixture(scope="module")
def two_tenants(stack):
    """Tenants A and B with one member each, made as the owner, who obeys
    the policies too (FORCE) and so names every tenant to write them."""
    conn = psycopg2.connect(stack.owner_db)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        for tenant, who in ((A, "a"), (B, "b")):
            c.execute("INSERT INTO tenants (id, name) VALUES (%s, %s)", (tenant, f"Tenant {who}"))
            c.execute("INSERT INTO users (email, password_hash) VALUES (%s, %s) RETURNING id",
                      (f"{who}-{tenant[:8]}@example.az", "$argon2id$v=19$m=19456,t=2,p=1$x$y"))
            user = c.fetchone()[0]
            c.execute("INSERT INTO tenant_members (tenant_id, user_id, role) "
                      "VALUES (%s, %s, 'owner')", (tenant, user))
            c.execute("INSERT INTO invitations (tenant_id, email, role, token_hash, expires_at) "
                      "VALUES (%s, %s, 'viewer', sha256(%s::bytea), now() + interval '7 days')",
                      (tenant, f"invited-{who}-{tenant[:8]}@example.az", tenant))
    yield conn
    conn.close()
    conn = psycopg2.connect(stack.owner_db)   # a restart test ended the first
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SELECT set_config('portal.all_tenants', 'on', false)")
        c.execute("DELETE FROM invitations WHERE tenant_id IN (%s, %s)", (A, B))
        c.execute("DELETE FROM tenant_members WHERE tenant_id IN (%s, %s)", (A, B))
        c.execute("DELETE FROM tenants WHERE id IN (%s, %s)", (A, B))
    conn.close()


@pytest.fixture
def db(stack, two_tenants, tmp_path):
    """The db layer on the app role's connection, with one query per
    tenant-owned table that forgets its WHERE: the tenants it sees."""
    queries = []
    for table, column in TENANT_COLUMN.items():
        queries.append(f"-- name: seen_{table}\n-- retry: safe\n"
                       f"SELECT coalesce(string_agg(DISTINCT {column}::text, ','), '') AS v "
                       f"FROM {table};\n")
    queries.append("-- name: members_of\n-- retry: safe\n"
                   "SELECT count(*) AS v FROM tenant_members WHERE tenant_id = $1::uuid;\n")
    queries.append("-- name: add_member\nINSERT INTO tenant_members (tenant_id, user_id, role) "
                   "SELECT $1::uuid, user_id, 'viewer' FROM tenant_members LIMIT 1;\n")
    path = tmp_path / "tenancy.sql"
    path.write_text("\n".join(queries))
    h = Harness(stack.app_db, str(path))
    yield h
    h.close()


def seen(answer):
    assert ok(answer), answer
    return answer.split("value=", 1)[1]


def test_every_tenant_owned_table_is_covered(owner_db):
    tables = tenant_tables(owner_db)
    assert {t for t, _, _ in tables} == set(TENANT_COLUMN)
    for table, row_security, forced in tables:
        assert row_security and forced, f"{table}: row security must be on and forced"


@pytest.mark.parametrize("table", sorted(TENANT_COLUMN))
def test_a_query_without_where_sees_only_its_tenant(db, table):
    assert seen(db("query_as", A, f"scratch.seen_{table}")) == A
    assert seen(db("query_as", B, f"scratch.seen_{table}")) == B


@pytest.mark.parametrize("table", sorted(TENANT_COLUMN))
def test_without_a_tenant_nothing_is_seen(db, table):
    """Fails closed: a statement that reaches the server unscoped sees no row."""
    assert seen(db("query", f"scratch.seen_{table}")) == ""
    assert db("query_as", "-", f"scratch.seen_{table}").startswith("error failed")


@pytest.mark.parametrize("table", sorted(TENANT_COLUMN))
def test_the_setting_ends_with_the_statement(db, table):
    """The tenant is local to the statement's transaction: the next
    statement on the same pooled connection, unscoped, sees nothing."""
    assert seen(db("query_as", A, f"scratch.seen_{table}")) == A
    assert seen(db("query", f"scratch.seen_{table}")) == ""


def test_the_admin_scope_sees_every_tenant(db):
    assert set(seen(db("query_as", "*", "scratch.seen_tenants")).split(",")) >= {A, B}


def test_a_tenant_cannot_write_into_another(db):
    answer = db("query_as", A, "scratch.add_member", B)
    assert answer.startswith("error failed 42501"), answer
    assert seen(db("query_as", B, "scratch.seen_tenant_members")) == B
    assert seen(db("query_as", "*", "scratch.members_of", B)) == "1"


def test_no_statement_runs_without_its_tenant_across_a_restart(db, stack):
    """A restart between two statements, and a session killed between two:
    each later statement either fails (503 to its request) or sees exactly
    its tenant, never nothing (run unscoped) and never the other tenant."""
    answers = []
    for step in range(12):
        tenant = A if step % 2 == 0 else B
        if step == 4:
            stack.pg.restart()
        if step == 8:
            superuser = psycopg2.connect(stack.pg.conninfo())
            superuser.autocommit = True
            kill(superuser, int(db("pid")))
            superuser.close()
        answers.append((tenant, db("query_as", tenant, "scratch.seen_tenant_members")))
    for tenant, answer in answers:
        assert answer.startswith("error unavailable") or seen(answer) == tenant, answer
    assert sum(ok(a) for _, a in answers) >= 10, answers
    assert ok(answers[-1][1]) and ok(answers[5][1])
