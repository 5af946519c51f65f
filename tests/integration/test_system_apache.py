"""`make install` into this machine's own Apache, the way README tells a
hosting team, next to Debian's default site: its DocumentRoot /var/www/html
holds Debian's "It works" index.html, and mod_dir, mod_autoindex and
mod_negotiation are on. To that the test adds what a server that hosted an
older site has lying around under the DocumentRoot: an .htaccess (allowed
by AllowOverride All) with Redirect, RewriteRule, Options and DirectoryIndex
lines, MultiViews, a pricing.html, and directories named like the portal's
pages. Every page still answers as the portal.

It changes the machine's real /etc/apache2, /var/www/html and the places
`make install` writes to, so it saves all of them first and puts them back
afterwards, also when it fails; the machine's Apache is stopped during the
test (with `apache2ctl -k stop/start`) and started again only if it was
running before. It needs root and port 80: it skips when something other
than this machine's apache2 holds the port. CI runs it as root, on the
machine CI runs on, like every test of `make test`."""

import http.client
import glob
import os
import re
import shutil
import subprocess
import tempfile
import time

import pytest
import requests

import stack as stacklib
from conftest import text_of

APACHE_CONF = "/etc/apache2"
DOCROOT = "/var/www/html"
PIDFILE = "/run/apache2/apache2.pid"
SNIPPET = APACHE_CONF + "/conf-available/portal.conf"
VHOST = APACHE_CONF + "/sites-available/000-default.conf"
PORTALCTL = "/usr/local/bin/portalctl"
URL = "http://127.0.0.1"

# What the test or `make install`, `portalctl secret`, `a2enmod` and the
# machine's Apache change: saved before, removed and restored after.
TOUCHED = [
    APACHE_CONF, "/var/lib/apache2",          # a2enmod keeps its state there
    DOCROOT, "/var/log/apache2", "/run/apache2", "/run/lock/apache2",
    "/usr/lib/apache2/modules/mod_portal.so", PORTALCTL,
    "/usr/local/share/mod_portal", "/var/lib/mod_portal", "/etc/mod_portal",
]

# Each public page and a sentence of its own that a visitor reads there.
PAGES = {
    "/": "Windows ERP for suppliers and distributors",
    "/features": "Built for companies that buy, stock and sell goods",
    "/pricing": "One product, every module, four ways to pay",
    "/security": "How we protect your account, payments and licenses",
    "/contact": "Talk to us",
}

# What a server that hosted another site before may have in its
# DocumentRoot; each line would take one of the portal's pages.
HTACCESS = """\
# Left by the site this server hosted before the portal.
Options +Indexes +MultiViews
DirectoryIndex index.html
DirectorySlash On
Redirect 302 /contact http://old-site.invalid/contact
RewriteEngine On
RewriteRule ^api/ - [F]
RewriteRule ^admin/ /index.html [L]
"""


def run(*cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    assert r.returncode == 0, f"{' '.join(cmd)} failed:\n{r.stdout}{r.stderr}"
    return r


def system_apache_pid():
    """The pid of this machine's own Apache (Debian's pid file), if it runs."""
    try:
        with open(PIDFILE) as f:
            pid = int(f.read().split()[0])
        with open(f"/proc/{pid}/comm") as f:
            return pid if f.read().strip() == "apache2" else None
    except (OSError, ValueError, IndexError):
        return None


def stop_system_apache():
    pid = system_apache_pid()
    if pid is None:
        return
    subprocess.run(["apache2ctl", "-k", "stop"], capture_output=True)
    deadline = time.time() + 20
    while time.time() < deadline and (os.path.exists(f"/proc/{pid}")
                                      or stacklib.port_in_use(80)):
        time.sleep(0.1)


def start_system_apache():
    """`apache2ctl -k start`, not `service`: Debian's init script refuses
    while the private test Apaches (also named apache2) run."""
    r = subprocess.run(["apache2ctl", "-k", "start"], capture_output=True, text=True)
    if r.returncode != 0 or not stacklib.wait_for_port(80, 20):
        try:
            with open("/var/log/apache2/error.log") as f:
                log = "".join(f.readlines()[-20:])
        except OSError:
            log = "(no error log)"
        raise AssertionError(f"apache2ctl -k start failed:\n{r.stdout}{r.stderr}\n{log}")


class Saved:
    """A tar of every path of TOUCHED that exists; restore() removes them
    all and unpacks the tar, so what was not there is gone again, and puts
    back the times of the folders that hold them."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="mod_portal-system-apache-", dir="/var/tmp")
        self.tar = os.path.join(self.dir, "saved.tar")
        present = [p.lstrip("/") for p in TOUCHED if os.path.lexists(p)]
        run("tar", "-C", "/", "--numeric-owner", "-cpf", self.tar, *present)
        self.parents = {}
        for p in TOUCHED:
            parent = os.path.dirname(p)
            if os.path.isdir(parent):
                st = os.stat(parent)
                self.parents[parent] = (st.st_atime_ns, st.st_mtime_ns)

    @staticmethod
    def leftovers():
        """Saves of a run that was killed before it could put things back
        (its finalizer never ran): the machine is still as that run left it."""
        return sorted(glob.glob("/var/tmp/mod_portal-system-apache-*/saved.tar"))

    @classmethod
    def put_back_leftovers(cls):
        for tar in cls.leftovers():
            left = cls.__new__(cls)
            left.dir, left.tar, left.parents = os.path.dirname(tar), tar, {}
            stop_system_apache()
            left.restore()

    def restore(self):
        for p in TOUCHED:
            if os.path.isdir(p) and not os.path.islink(p):
                shutil.rmtree(p)
            elif os.path.lexists(p):
                os.remove(p)
        run("tar", "-C", "/", "--numeric-owner", "-xpf", self.tar)
        for parent, times in self.parents.items():
            os.utime(parent, ns=times)
        shutil.rmtree(self.dir)


@pytest.fixture
def machine():
    """This machine's Apache configuration and files, saved and put back."""
    if os.geteuid() != 0:
        pytest.skip("installs into the machine's own Apache: needs root")
    if not os.path.exists(VHOST) or shutil.which("apache2ctl") is None:
        pytest.skip("Debian's apache2 is not installed (make deps installs it)")
    Saved.put_back_leftovers()
    was_running = system_apache_pid() is not None
    if stacklib.port_in_use(80) and not was_running:
        pytest.skip("port 80 is taken by something that is not this machine's apache2")
    saved = Saved()
    try:
        stop_system_apache()
        if stacklib.port_in_use(80):
            pytest.skip("port 80 is still taken after stopping this machine's apache2")
        yield
    finally:
        stop_system_apache()
        saved.restore()
        if was_running:
            start_system_apache()


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    changed = re.sub(old, new, text, count=1, flags=re.S)
    assert changed != text, f"{path} no longer has {old!r}"
    with open(path, "w") as f:
        f.write(changed)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.fixture
def installed(machine, stack):
    """README's install section, step by step, into Debian's default site,
    on the shared test PostgreSQL (already migrated, with demo plans)."""
    run("make", "-s", "-C", stacklib.ROOT, "install")
    run(PORTALCTL, "secret", "/etc/mod_portal/secret")
    run("a2enmod", "-q", "portal")
    run(PORTALCTL, "migrate", env={**os.environ, "PORTAL_DB": stack.owner_db})
    # The EDIT lines: the database, the public address.
    edit(SNIPPET, r"port=5432", f"port={stack.pg.port}")
    edit(SNIPPET, r"PortalBaseURL \S+", "PortalBaseURL " + URL)
    # The portal inside Debian's <VirtualHost *:80>, after a vhost-wide
    # MultiViews that an older site needed.
    edit(VHOST, r"</VirtualHost>",
         f"\tOptions +MultiViews\n\tInclude {SNIPPET}\n</VirtualHost>")
    # The older site's leftovers: .htaccess honoured, mod_rewrite on,
    # MultiViews, and files and directories named like the portal's pages.
    edit(APACHE_CONF + "/apache2.conf",
         r"(<Directory /var/www/>.*?)Options Indexes FollowSymLinks(.*?)AllowOverride None",
         r"\1Options Indexes FollowSymLinks MultiViews\2AllowOverride All")
    run("a2enmod", "-q", "rewrite")
    write(DOCROOT + "/.htaccess", HTACCESS)
    write(DOCROOT + "/pricing.html", "<h1>Old pricing, found by MultiViews</h1>\n")
    write(DOCROOT + "/features/index.html", "<h1>Old features, a DirectoryIndex</h1>\n")
    os.makedirs(DOCROOT + "/security", exist_ok=True)   # DirectorySlash, autoindex
    os.makedirs(DOCROOT + "/admin", exist_ok=True)
    doctor = subprocess.run([PORTALCTL, "-c", SNIPPET, "doctor"], capture_output=True, text=True)
    assert doctor.returncode == 0, "portalctl doctor:\n" + doctor.stdout + doctor.stderr
    run("apache2ctl", "configtest")
    start_system_apache()


def get(path):
    return requests.get(URL + path, headers={"Accept-Language": "en"},
                        allow_redirects=False, timeout=10)


def test_every_page_answers_as_the_portal_inside_debians_default_site(installed):
    wrong = []
    for path, sentence in PAGES.items():
        r = get(path)
        text = text_of(r.text)
        if r.status_code != 200 or sentence not in text:
            wrong.append(f"GET {path}: {r.status_code} {r.headers.get('Location', '')} "
                         f"{text[:120]!r}")
    home = text_of(get("/").text)
    if "It works" in home:
        wrong.append("GET / shows Debian's \"It works\" page")

    css = get("/static/css/portal.css")
    if css.status_code != 200 or not css.headers.get("Content-Type", "").startswith("text/css"):
        wrong.append(f"GET /static/css/portal.css: {css.status_code} "
                     f"{css.headers.get('Content-Type')}")

    admin = get("/admin/")
    if admin.status_code != 200 or "System status" not in text_of(admin.text):
        wrong.append(f"GET /admin/ from 127.0.0.1: {admin.status_code} "
                     f"{text_of(admin.text)[:120]!r}")

    ping = get("/api/license/v1/ping")
    try:
        body = ping.json()
    except ValueError:
        body = {}
    if ping.status_code != 200 or body.get("status") != "ok" \
            or ping.headers.get("Content-Type") != "application/json":
        wrong.append(f"GET /api/license/v1/ping: {ping.status_code} {ping.text[:120]!r}")

    # The <Location>'s own Require still holds: 127.0.0.2 is not on the
    # allowlist of /admin.
    other = http.client.HTTPConnection("127.0.0.1", 80, timeout=10,
                                       source_address=("127.0.0.2", 0))
    other.request("GET", "/admin/")
    denied = other.getresponse()
    if denied.status != 403:
        wrong.append(f"GET /admin/ from 127.0.0.2: {denied.status}, not 403")
    other.close()

    # Outside the portal's areas Apache still maps to files: /static is
    # served from the installed htdocs by Debian's mod_dir and
    # mod_autoindex, which list no directory there (Options None).
    # (Nothing of Debian's default site is left outside the portal: mounted
    # at /, it also takes /icons/ and /server-status.)
    listing = get("/static/")
    if listing.status_code != 403:
        wrong.append(f"GET /static/: {listing.status_code}, not 403 "
                     f"{text_of(listing.text)[:120]!r}")

    assert not wrong, "as a visitor of the portal sees it:\n" + "\n".join(wrong)
