"""`make install` into a staging DESTDIR puts every file where Debian's
Apache looks, and the installed snippet passes `apache2 -t` there."""

import os
import re
import subprocess

import pytest

import stack as stacklib


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    dest = tmp_path_factory.mktemp("destdir")
    r = subprocess.run(["make", "-s", "-C", stacklib.ROOT, "install", f"DESTDIR={dest}"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return str(dest)


def test_files_land_where_debian_apache_looks(staged):
    for path in ("usr/lib/apache2/modules/mod_portal.so",
                 "etc/apache2/mods-available/portal.load",
                 "etc/apache2/conf-available/portal.conf",
                 "usr/local/bin/portalctl",
                 "usr/local/share/mod_portal/templates/layouts/base.mustache",
                 "usr/local/share/mod_portal/templates/i18n/az.json",
                 "usr/local/share/mod_portal/htdocs/css/portal.css",
                 "var/lib/mod_portal/storage"):
        assert os.path.exists(os.path.join(staged, path)), path
    load = open(os.path.join(staged, "etc/apache2/mods-available/portal.load")).read()
    assert "LoadModule portal_module /usr/lib/apache2/modules/mod_portal.so" in load
    assert "# Depends: dbd unique_id" in load, "a2enmod portal enables what it needs"
    conf = open(os.path.join(staged, "etc/apache2/conf-available/portal.conf")).read()
    assert not re.search(r"@[A-Z]+@", conf), "every placeholder was filled in"
    assert "PortalTemplateDir /usr/local/share/mod_portal/templates" in conf
    assert "PortalStorageDir /var/lib/mod_portal/storage" in conf


def test_the_installed_snippet_passes_apache_configtest(staged, tmp_path):
    etc = os.path.join(staged, "etc")
    secret = os.path.join(etc, "mod_portal", "secret")
    stacklib.portalctl("secret", secret)
    stage = lambda text: (text.replace("/usr/lib/apache2/modules/mod_portal.so",
                                       staged + "/usr/lib/apache2/modules/mod_portal.so")
                          .replace("/usr/local/share", staged + "/usr/local/share")
                          .replace("/var/lib/mod_portal", staged + "/var/lib/mod_portal")
                          .replace("/etc/mod_portal", etc + "/mod_portal"))
    load = stage(open(os.path.join(etc, "apache2/mods-available/portal.load")).read())
    conf = stage(open(os.path.join(etc, "apache2/conf-available/portal.conf")).read())
    mods = "/usr/lib/apache2/modules"
    httpd = tmp_path / "apache2.conf"
    httpd.write_text(f"""
ServerRoot {tmp_path}
Listen 127.0.0.1:{stacklib.free_port()}
ServerName localhost
PidFile {tmp_path}/httpd.pid
ErrorLog {tmp_path}/error.log
User nobody
Group nogroup
LoadModule mpm_event_module {mods}/mod_mpm_event.so
LoadModule authz_core_module {mods}/mod_authz_core.so
LoadModule authz_host_module {mods}/mod_authz_host.so
LoadModule alias_module {mods}/mod_alias.so
LoadModule dbd_module {mods}/mod_dbd.so
LoadModule unique_id_module {mods}/mod_unique_id.so
{load}
{conf}
""")
    os.chown(os.path.join(staged, "var/lib/mod_portal/storage"), *stacklib.run_user_ids())
    r = subprocess.run(["apache2", "-f", str(httpd), "-t"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Syntax OK" in r.stderr
