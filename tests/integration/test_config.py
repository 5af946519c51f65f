"""Misconfiguration stops `apache2 -t` with one line that names the
directive and the fix."""

import os
import shutil

import pytest

import stack as stacklib


@pytest.fixture
def node_conf(stack, tmp_path):
    """An Apache configuration for the shared database, not started."""
    node = stacklib.Apache(stack.state, f"conftest-{os.getpid()}-{tmp_path.name}",
                           stacklib.free_port(), stack.pg.port)
    node.write_config()
    yield node
    shutil.rmtree(node.dir, ignore_errors=True)


def configtest(node, replace=None, append=""):
    path = os.path.join(node.dir, "portal.conf")
    text = open(path).read()
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    with open(path, "w") as f:
        f.write(text + "\n" + append)
    return node.configtest()


def test_the_shipped_configuration_passes(node_conf):
    r = configtest(node_conf)
    assert r.returncode == 0, r.stderr
    assert "Syntax OK" in r.stderr


def line_of(r):
    assert r.returncode != 0
    return r.stderr.strip()


def test_missing_secret_file(node_conf):
    err = line_of(configtest(node_conf, {node_conf.secret: "/nonexistent/secret"}))
    assert "PortalSecretFile /nonexistent/secret" in err
    assert "portalctl secret /nonexistent/secret" in err


def test_secret_readable_by_others(node_conf, tmp_path):
    loose = tmp_path / "secret"
    loose.write_text("x" * 64)
    os.chmod(loose, 0o644)
    err = line_of(configtest(node_conf, {node_conf.secret: str(loose)}))
    assert "readable by group or others (mode 0644)" in err
    assert f"chmod 600 {loose}" in err


def test_short_secret(node_conf, tmp_path):
    short = tmp_path / "secret"
    short.write_text("tooshort")
    os.chmod(short, 0o600)
    err = line_of(configtest(node_conf, {node_conf.secret: str(short)}))
    assert "fewer than 32" in err


def test_missing_template_dir(node_conf):
    err = line_of(configtest(node_conf, {node_conf.template_dir: "/nonexistent/templates"}))
    assert "PortalTemplateDir /nonexistent/templates: no such directory" in err


def test_broken_template_is_named(node_conf, tmp_path):
    broken = tmp_path / "templates"
    shutil.copytree(node_conf.template_dir, broken)
    (broken / "public" / "home.mustache").write_text("<p>{{#open}}never closed</p>\n")
    err = line_of(configtest(node_conf, {node_conf.template_dir: str(broken)}))
    assert "PortalTemplateDir" in err and "public/home" in err


def test_missing_storage_dir(node_conf):
    err = line_of(configtest(node_conf, {node_conf.storage: "/nonexistent/storage"}))
    assert "PortalStorageDir /nonexistent/storage: no such directory" in err


def test_storage_not_writable_by_apache_user(node_conf, tmp_path):
    locked = tmp_path / "storage"
    locked.mkdir()
    os.chmod(locked, 0o755)
    err = line_of(configtest(node_conf, {node_conf.storage: str(locked)}))
    assert "not writable by Apache's user nobody" in err
    assert f"chown nobody {locked}" in err


@pytest.mark.parametrize("directive,value,expect", [
    ("PortalDefaultLocale", "de", "PortalDefaultLocale de: not a shipped language"),
    ("PortalMaxUploadSize", "lots", "PortalMaxUploadSize lots: give a size"),
    ("PortalBaseURL", "portal.example.com", "PortalBaseURL portal.example.com"),
    ("PortalStaticURL", "static", "PortalStaticURL static"),
])
def test_bad_values(node_conf, directive, value, expect):
    assert expect in line_of(configtest(node_conf, append=f"{directive} {value}\n"))


def test_a_required_directive_left_out(node_conf):
    r = configtest(node_conf, {f"PortalSecretFile {node_conf.secret}\n": ""})
    err = line_of(r)
    assert "PortalSecretFile is not set" in err


@pytest.mark.parametrize("lines,expect", [
    # Debian's libaprutil1-dbd-sqlite3 loads, so only mod_portal can refuse it.
    ({"DBDriver pgsql": "DBDriver sqlite3"},
     "DBDriver sqlite3: mod_portal needs PostgreSQL; set DBDriver pgsql"),
    ({"DBDriver pgsql": "DBDriver pgsql\nDBDPersist Off"},
     "DBDPersist Off: mod_portal needs mod_dbd's pooled connections"),
    ({"DBDriver pgsql\n": ""}, "DBDriver is not set"),
])
def test_database_drivers_mod_portal_cannot_use(node_conf, lines, expect):
    assert expect in line_of(configtest(node_conf, lines))


def test_dbd_lines_of_a_virtual_host_are_its_own(node_conf):
    """The main server's pgsql does not hide a virtual host's sqlite3."""
    text = open(os.path.join(node_conf.dir, "portal.conf")).read()
    vhost = f"<VirtualHost 127.0.0.1:{node_conf.port}>\nServerName other\n" + \
        text.replace("DBDriver pgsql", "DBDriver sqlite3") + "\n</VirtualHost>\n"
    assert "DBDriver sqlite3: mod_portal needs PostgreSQL" in \
        line_of(configtest(node_conf, append=vhost))


@pytest.mark.parametrize("directive,value,expect", [
    # The digits fit in 64 bits, their product with the unit does not.
    ("PortalMaxUploadSize", "1000000000000G", "PortalMaxUploadSize 1000000000000G: give a size"),
    ("PortalMaxFormSize", "8589934592G", "PortalMaxFormSize 8589934592G: give a size"),
    # The origin of an absolute static URL goes into the CSP: nothing that
    # could end or add a directive.
    ("PortalStaticURL", "https://cdn.example.com;script-src", "PortalStaticURL https://cdn"),
    ("PortalStaticURL", "http://cdn.example.com/static", "PortalStaticURL http://cdn"),
    ("PortalStaticURL", "//cdn.example.com/static", "PortalStaticURL //cdn"),
])
def test_values_that_would_overflow_or_break_the_policy(node_conf, directive, value, expect):
    assert expect in line_of(configtest(node_conf, append=f"{directive} {value}\n"))


def test_another_site_may_use_another_dbd_driver(node_conf):
    """The portal in its own virtual host; a second site uses mod_dbd with
    sqlite3 (say for mod_authn_dbd) and mounts no portal area: fine."""
    path = os.path.join(node_conf.dir, "portal.conf")
    portal = open(path).read()
    with open(path, "w") as f:
        f.write(f"<VirtualHost 127.0.0.1:{node_conf.port}>\nServerName portal\n{portal}\n"
                f"</VirtualHost>\n<VirtualHost 127.0.0.1:{node_conf.port}>\nServerName other\n"
                f"DBDriver sqlite3\nDBDParams {node_conf.dir}/other.db\n</VirtualHost>\n")
    r = node_conf.configtest()
    assert r.returncode == 0, r.stderr
