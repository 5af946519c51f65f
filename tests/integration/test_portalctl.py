"""portalctl: migrate (idempotent, refuses edited history), --status,
seed-demo, secret, doctor on a good and on a broken installation."""

import glob
import os
import re
import shutil
import stat
import subprocess

import psycopg2
import pytest

import stack as stacklib

MIGRATIONS = len(glob.glob(os.path.join(stacklib.ROOT, "sql", "migrations", "*.sql")))


def ctl(stack, *args, check=False, db=None):
    return stacklib.portalctl(*args, conninfo=db or stack.owner_db, check=check)


def test_migrate_twice_changes_nothing(stack):
    r = ctl(stack, "migrate")
    assert r.returncode == 0
    assert "nothing to apply, schema is current" in r.stdout


def test_migrate_status_lists_each_file(stack):
    r = ctl(stack, "migrate", "--status")
    assert r.returncode == 0
    assert "applied  001_public_site.sql" in r.stdout
    assert r.stdout.strip().endswith("0 pending")


def test_an_edited_migration_stops_migrate(stack, owner_db):
    with owner_db.cursor() as c:
        c.execute("SELECT checksum FROM portal_schema_migrations WHERE version = '001'")
        (good,) = c.fetchone()
        c.execute("UPDATE portal_schema_migrations SET checksum = repeat('0', 64) "
                  "WHERE version = '001'")
    try:
        r = ctl(stack, "migrate")
        assert r.returncode == 1
        assert "migration 001_public_site.sql was edited after it was applied" in r.stderr
    finally:
        with owner_db.cursor() as c:
            c.execute("UPDATE portal_schema_migrations SET checksum = %s WHERE version = '001'",
                      (good,))


def test_migrate_on_a_fresh_database_then_seed(stack):
    stack.pg.psql("DROP DATABASE IF EXISTS scratch")
    stack.pg.psql(f"CREATE DATABASE scratch OWNER {stacklib.OWNER_ROLE}")
    db = stack.pg.conninfo(stacklib.OWNER_ROLE, "scratch")
    r = ctl(stack, "migrate", db=db)
    assert r.returncode == 0 and "applied 001_public_site.sql" in r.stdout
    assert "applied 002_identity.sql" in r.stdout
    assert f"{MIGRATIONS} applied, schema is current" in r.stdout
    assert "4 plans added" in ctl(stack, "seed-demo", db=db).stdout
    assert "0 plans added" in ctl(stack, "seed-demo", db=db).stdout
    stack.pg.psql("DROP DATABASE scratch")


def test_concurrent_migrates_on_a_fresh_database_apply_each_migration_once(stack):
    """Two hosts deploying at once: both succeed, and between them every
    migration is applied exactly once (each under the lock, re-checked there)."""
    files = sorted(os.listdir(os.path.join(stacklib.ROOT, "sql", "migrations")))
    migrations = len(files)
    env = dict(os.environ, PORTAL_DB=stack.pg.conninfo(stacklib.OWNER_ROLE, "scratch_race"))
    for attempt in range(5):
        stack.pg.psql("DROP DATABASE IF EXISTS scratch_race")
        stack.pg.psql(f"CREATE DATABASE scratch_race OWNER {stacklib.OWNER_ROLE}")
        runs = [subprocess.Popen([os.path.join(stacklib.BUILD, "portalctl"), "migrate"],
                                 env=env, text=True, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE) for _ in range(3)]
        outs = [(r.wait(60), *r.communicate()) for r in runs]
        assert [rc for rc, _, _ in outs] == [0, 0, 0], outs
        applied = re.findall(r"^applied (\S+)$", "".join(o for _, o, _ in outs), re.M)
        assert sorted(applied) == sorted(set(applied)) and len(applied) == migrations, outs
        conn = psycopg2.connect(stack.pg.conninfo(stacklib.OWNER_ROLE, "scratch_race"))
        with conn, conn.cursor() as c:
            c.execute("SELECT version FROM portal_schema_migrations ORDER BY version")
            versions = [v for (v,) in c.fetchall()]
        conn.close()
        assert versions == [f[:3] for f in files], attempt
    stack.pg.psql("DROP DATABASE scratch_race")


def test_seed_demo_before_migrate_says_what_to_do(stack):
    stack.pg.psql("DROP DATABASE IF EXISTS empty_db")
    stack.pg.psql(f"CREATE DATABASE empty_db OWNER {stacklib.OWNER_ROLE}")
    r = ctl(stack, "seed-demo", db=stack.pg.conninfo(stacklib.OWNER_ROLE, "empty_db"))
    assert r.returncode == 1 and "run `portalctl migrate` first?" in r.stderr
    stack.pg.psql("DROP DATABASE empty_db")


def test_an_unreachable_database_is_one_clear_line(stack):
    r = ctl(stack, "migrate", db=f"host=127.0.0.1 port={stacklib.free_port()} dbname=x "
                                 "connect_timeout=2")
    assert r.returncode == 1
    assert r.stderr.startswith("portalctl: cannot connect to PostgreSQL")


def test_secret_is_created_private_and_never_overwritten(tmp_path):
    path = tmp_path / "etc" / "secret"
    r = stacklib.portalctl("secret", str(path))
    assert "created" in r.stdout
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    first = path.read_text()
    assert len(first.strip()) >= 64
    assert "kept as it is" in stacklib.portalctl("secret", str(path)).stdout
    assert path.read_text() == first


def test_unknown_command_prints_usage(stack):
    r = ctl(stack, "frobnicate")
    assert r.returncode == 2 and "usage: portalctl" in r.stderr


@pytest.fixture
def doctor_conf(node, tmp_path):
    conf = tmp_path / "portal.conf"
    shutil.copy(os.path.join(node.dir, "portal.conf"), conf)
    return conf


def doctor(conf, user="nobody"):
    return stacklib.portalctl("-c", str(conf), "--apache-user", user, "doctor", check=False)


def test_doctor_on_a_good_installation(doctor_conf, stack):
    r = doctor(doctor_conf)
    assert r.returncode == 0, r.stdout
    for check in ("configuration", "secret file", "templates", "storage", "database",
                  "database role", "row security", "migrations"):
        assert f"ok    {check}" in r.stdout, check
    assert "portal_app owns no tables" in r.stdout
    assert "portal_app is bound by it on invitations, tenant_members, tenants" in r.stdout
    assert f"ok    mail           {stack.mail.url} answers" in r.stdout
    assert r.stdout.strip().endswith("doctor: 9 ok, 0 failed")


def test_doctor_finds_a_broken_installation(doctor_conf, tmp_path, stack):
    secret = tmp_path / "loose-secret"
    secret.write_text("x" * 64)
    os.chmod(secret, 0o644)
    storage = tmp_path / "root-only"
    storage.mkdir(mode=0o700)
    text = doctor_conf.read_text()
    text = text.replace(os.path.join(stack.state, "secret"), str(secret))
    text = text.replace(os.path.join(stack.state, "storage"), str(storage))
    text = text.replace(f"port={stack.pg.port}", f"port={stacklib.free_port()}")
    doctor_conf.write_text(text)
    r = doctor(doctor_conf)
    assert r.returncode == 1
    assert f"FAIL  secret file    {secret} is readable by group or others" in r.stdout
    assert f"fix: chmod 600 {secret}" in r.stdout
    assert f"FAIL  storage        {storage} is missing or not writable by nobody" in r.stdout
    assert f"fix: mkdir -p {storage} && chown nobody: {storage}" in r.stdout
    assert "FAIL  database" in r.stdout
    assert r.stdout.strip().endswith("doctor: 3 ok, 3 failed")


def test_doctor_finds_pending_migrations(owner_db, doctor_conf):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM portal_schema_migrations WHERE version = '001' "
                  "RETURNING version, name, checksum, applied_at")
        saved = c.fetchone()
    try:
        r = doctor(doctor_conf)
    finally:
        with owner_db.cursor() as c:
            c.execute("INSERT INTO portal_schema_migrations VALUES (%s, %s, %s, %s)", saved)
    assert r.returncode == 1
    assert f"FAIL  migrations     {MIGRATIONS - 1} applied, 1 pending" in r.stdout
    assert "fix: run `portalctl migrate` as the schema owner" in r.stdout


def test_doctor_finds_a_role_that_owns_tables(stack, doctor_conf, owner_db):
    text = doctor_conf.read_text().replace(f"user={stacklib.APP_ROLE}",
                                           f"user={stacklib.OWNER_ROLE}")
    doctor_conf.write_text(text)
    r = doctor(doctor_conf)
    with owner_db.cursor() as c:
        c.execute("SELECT count(*) FROM pg_tables WHERE tableowner = current_user "
                  "AND schemaname = 'public'")
        (owned,) = c.fetchone()
    assert r.returncode == 1
    assert f"FAIL  database role  portal_owner owns {owned} tables" in r.stdout


def test_doctor_finds_a_tenant_table_without_forced_row_security(owner_db, doctor_conf):
    with owner_db.cursor() as c:
        c.execute("ALTER TABLE tenant_members NO FORCE ROW LEVEL SECURITY")
    try:
        r = doctor(doctor_conf)
    finally:
        with owner_db.cursor() as c:
            c.execute("ALTER TABLE tenant_members FORCE ROW LEVEL SECURITY")
    assert r.returncode == 1
    assert "FAIL  row security   1 tenant-owned tables lack forced row security" in r.stdout


def test_doctor_finds_a_role_that_bypasses_row_security(stack, doctor_conf):
    stack.pg.psql(f"ALTER ROLE {stacklib.APP_ROLE} BYPASSRLS")
    try:
        r = doctor(doctor_conf)
    finally:
        stack.pg.psql(f"ALTER ROLE {stacklib.APP_ROLE} NOBYPASSRLS")
    assert r.returncode == 1
    assert "portal_app is a superuser or has BYPASSRLS" in r.stdout
    assert "fix: ALTER ROLE portal_app NOSUPERUSER NOBYPASSRLS" in r.stdout


def test_create_admin_links_under_the_configured_mount_and_is_audited(stack, tmp_path, owner_db):
    import uuid
    conf = tmp_path / "portal.conf"
    conf.write_text("PortalBaseURL https://portal.example\n"
                    "<Location /staff>\n    SetHandler portal-admin\n</Location>\n"
                    "<Location />\n    SetHandler portal-cabinet\n</Location>\n")
    email = f"mount-{uuid.uuid4().hex[:8]}@portal.example"
    out = stacklib.portalctl("-c", str(conf), "create-admin", email, "--role", "finance",
                             conninfo=stack.owner_db).stdout
    assert "https://portal.example/staff/enrol/" in out, out
    with owner_db.cursor() as c:
        c.execute("SELECT actor_kind, detail FROM audit_log WHERE event = 'admin.admin.created' "
                  "AND detail->>'email' = %s", (email,))
        [(kind, detail)] = c.fetchall()
    assert kind == "system" and detail["role"] == "finance" and detail["via"] == "portalctl"
