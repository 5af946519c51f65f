"""A private mod_portal stack: a PostgreSQL cluster and Apache instances with
the module, on loopback ports, in a state directory the unprivileged user
can reach. Used by `make run`, the integration and browser tests, and the
benchmarks; run by /usr/bin/python3 (Debian's, see PLATFORM-NOTES.md).

Everything the children of Apache read at run time (static files, storage)
and everything PostgreSQL writes lives under the state directory; templates
and the secret are read by Apache's parent, as root, at start-up.
"""

import contextlib
import hashlib
import os
import pwd
import grp
import shutil
import signal
import socket
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
PG_BIN = "/usr/lib/postgresql/15/bin"
RUN_USER = "nobody"
RUN_GROUP = "nogroup"
APP_ROLE = "portal_app"
OWNER_ROLE = "portal_owner"
DB_NAME = "portal"


def migration_files():
    """The migrations this tree ships, and the tables they create (plus
    portal_schema_migrations): what the tests expect to find applied."""
    import glob
    import re
    files = sorted(glob.glob(os.path.join(ROOT, "sql", "migrations", "*.sql")))
    tables = sum(len(re.findall(r"(?im)^CREATE TABLE ", open(f).read())) for f in files)
    return len(files), tables + 1


class StackError(Exception):
    pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_in_use(port):
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port, timeout=20.0, proc=None):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            return False
        if port_in_use(port):
            return True
        time.sleep(0.05)
    return False


def run_user_ids():
    return pwd.getpwnam(RUN_USER).pw_uid, grp.getgrnam(RUN_GROUP).gr_gid


def reachable_by_run_user(path):
    """True if every directory up to path lets others traverse it."""
    path = os.path.abspath(path)
    while True:
        if not os.stat(path).st_mode & 0o001:
            return False
        parent = os.path.dirname(path)
        if parent == path:
            return True
        path = parent


def make_state_dir(prefix="mod_portal-"):
    """A fresh directory under /var/tmp that the run user can enter."""
    d = tempfile.mkdtemp(prefix=prefix, dir="/var/tmp")
    os.chmod(d, 0o755)
    return d


def chown_run_user(path):
    uid, gid = run_user_ids()
    os.chown(path, uid, gid)


def as_run_user(cmd, **kw):
    """Runs a command as the unprivileged user (initdb refuses root)."""
    uid, gid = run_user_ids()

    def demote():
        os.setgid(gid)
        os.setgroups([])
        os.setuid(uid)

    if os.geteuid() != 0:
        demote = None
    return subprocess.run(cmd, preexec_fn=demote, cwd="/", **kw)


class Postgres:
    """A private PostgreSQL 15 cluster on 127.0.0.1:port."""

    def __init__(self, state_dir, port):
        self.dir = os.path.join(state_dir, "pgdata")
        self.log = os.path.join(state_dir, "postgres.log")
        self.port = port

    def exists(self):
        return os.path.exists(os.path.join(self.dir, "PG_VERSION"))

    def init(self):
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o700)
        chown_run_user(self.dir)
        r = as_run_user([f"{PG_BIN}/initdb", "-D", self.dir, "-U", "postgres",
                         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                        capture_output=True, text=True)
        if r.returncode != 0:
            raise StackError("initdb failed: " + r.stderr.strip())
        with open(os.path.join(self.dir, "postgresql.conf"), "a") as f:
            f.write("\n# mod_portal private cluster\n"
                    "listen_addresses = '127.0.0.1'\n"
                    "unix_socket_directories = ''\n"
                    "max_connections = 300\n"
                    "shared_buffers = 128MB\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                    "log_min_messages = warning\n")

    def pg_ctl(self, *args, check=True):
        if not os.path.exists(self.log):
            open(self.log, "a").close()
            chown_run_user(self.log)
        r = as_run_user([f"{PG_BIN}/pg_ctl", "-D", self.dir, "-l", self.log,
                         "-o", f"-p {self.port}", *args],
                        capture_output=True, text=True)
        if check and r.returncode != 0:
            raise StackError(f"pg_ctl {' '.join(args)} failed: {r.stderr.strip()}"
                             f"\n(see {self.log})")
        return r

    def start(self):
        self.pg_ctl("start", "-w", "-t", "60")

    def stop(self, mode="fast"):
        self.pg_ctl("stop", "-w", "-m", mode, check=False)

    def restart(self):
        self.pg_ctl("restart", "-w", "-m", "fast")

    def running(self):
        return self.pg_ctl("status", check=False).returncode == 0

    def conninfo(self, user="postgres", db="postgres"):
        return f"host=127.0.0.1 port={self.port} user={user} dbname={db}"

    def psql(self, sql, user="postgres", db="postgres"):
        r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1",
                            self.conninfo(user, db), "-c", sql],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise StackError(f"psql failed: {r.stderr.strip()}")
        return r.stdout

    def bootstrap(self):
        """Roles and database as DESIGN.md wants them: an owner that runs
        migrations and an application role that owns nothing."""
        roles = self.psql("SELECT string_agg(rolname, ',') FROM pg_roles", )
        if OWNER_ROLE not in roles:
            self.psql(f"CREATE ROLE {OWNER_ROLE} LOGIN")
        if APP_ROLE not in roles:
            self.psql(f"CREATE ROLE {APP_ROLE} LOGIN")
        dbs = self.psql("SELECT string_agg(datname, ',') FROM pg_database")
        if DB_NAME not in dbs.split(",") and f"{DB_NAME}\n" not in dbs:
            self.psql(f"CREATE DATABASE {DB_NAME} OWNER {OWNER_ROLE}")
            self.psql(f"REVOKE ALL ON SCHEMA public FROM PUBLIC; "
                      f"ALTER SCHEMA public OWNER TO {OWNER_ROLE}", db=DB_NAME)


def portalctl(*args, conninfo=None, check=True):
    env = dict(os.environ)
    if conninfo:
        env["PORTAL_DB"] = conninfo
    r = subprocess.run([os.path.join(BUILD, "portalctl"), *args], env=env,
                       capture_output=True, text=True)
    if check and r.returncode != 0:
        raise StackError(f"portalctl {' '.join(args)} failed:\n{r.stdout}{r.stderr}")
    return r


def demo_accounts(seed_output):
    """The demo accounts `portalctl seed-demo` reports on its last line."""
    import json
    for line in seed_output.splitlines():
        if line.startswith("seed-demo: accounts "):
            return json.loads(line[len("seed-demo: accounts "):])
    raise StackError("portalctl seed-demo reported no demo accounts:\n" + seed_output)


def write_demo_json(state, extra):
    """Adds extra's keys to STATE/demo.json (var/demo.json under make run),
    keeping what other parts of the demo wrote there."""
    import json
    path = os.path.join(state, "demo.json")
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        data = {}
    data.update(extra)
    with open(path + ".tmp", "w") as f:
        json.dump(data, f, indent=2, ensure_ascii=False)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return path


def fill(template, values):
    for k, v in values.items():
        template = template.replace("@" + k + "@", str(v))
    return template


class Apache:
    """One Apache instance with mod_portal, from conf/dev/httpd.conf.in and
    the same conf/portal.conf a hosting team installs."""

    def __init__(self, state_dir, name, port, pg_port, overrides="", htdocs=None,
                 storage=None, secret=None, template_dir=None, edit=None):
        self.dir = os.path.join(state_dir, name)
        self.port = port
        self.pg_port = pg_port
        self.overrides = overrides
        self.edit = edit or (lambda text: text)   # changes to portal.conf, for tests
        self.htdocs = htdocs or os.path.join(ROOT, "htdocs")
        self.storage = storage or os.path.join(state_dir, "storage")
        self.secret = secret or os.path.join(state_dir, "secret")
        self.template_dir = template_dir or os.path.join(ROOT, "templates")
        self.proc = None
        self.conf = os.path.join(self.dir, "httpd.conf")
        self.error_log = os.path.join(self.dir, "logs", "error.log")
        self.url = f"http://127.0.0.1:{port}"

    def dbd_params(self):
        return (f"host=127.0.0.1 port={self.pg_port} dbname={DB_NAME} user={APP_ROLE} "
                f"connect_timeout=3 options='-c statement_timeout=10000'")

    def write_config(self):
        for sub in ("", "logs", "run", "empty"):
            os.makedirs(os.path.join(self.dir, sub), exist_ok=True)
        for sub in ("logs", "run"):
            chown_run_user(os.path.join(self.dir, sub))
        os.makedirs(self.storage, exist_ok=True)
        chown_run_user(self.storage)
        portal = fill(open(os.path.join(ROOT, "conf", "portal.conf")).read(), {
            "DBDPARAMS": self.dbd_params(),
            "DATADIR": "@DATADIR@",
            "STATEDIR": os.path.dirname(self.storage),
            "SYSCONFDIR": "@SYSCONFDIR@",
        })
        portal = portal.replace("@DATADIR@/templates", self.template_dir)
        portal = portal.replace("@DATADIR@/htdocs", self.htdocs)
        portal = portal.replace("@SYSCONFDIR@/mod_portal/secret", self.secret)
        portal = portal.replace("PortalBaseURL https://portal.example.com",
                                f"PortalBaseURL http://127.0.0.1:{self.port}")
        portal = portal.replace(os.path.dirname(self.storage) + "/storage", self.storage)
        with open(os.path.join(self.dir, "portal.conf"), "w") as f:
            f.write(self.edit(portal) + "\n" + self.overrides + "\n")
        uid_name = RUN_USER
        httpd = fill(open(os.path.join(ROOT, "conf", "dev", "httpd.conf.in")).read(), {
            "APACHEDIR": self.dir, "PORT": self.port, "USER": uid_name,
            "GROUP": RUN_GROUP, "MODULE": os.path.join(BUILD, "mod_portal.so"),
        })
        with open(self.conf, "w") as f:
            f.write(httpd)

    def configtest(self):
        return subprocess.run(["apache2", "-f", self.conf, "-t"], capture_output=True,
                              text=True, env=apache_env())

    def start(self, timeout=20.0):
        self.write_config()
        if port_in_use(self.port):
            raise StackError(f"port {self.port} is already in use")
        log = open(os.path.join(self.dir, "logs", "stderr.log"), "a")
        self.proc = subprocess.Popen(["apache2", "-f", self.conf, "-DFOREGROUND"],
                                     stdout=log, stderr=log, env=apache_env(),
                                     start_new_session=True)
        if not wait_for_port(self.port, timeout, self.proc):
            self.stop()
            raise StackError(f"Apache did not start on port {self.port}:\n" + self.tail_log())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def graceful(self):
        self.proc.send_signal(signal.SIGUSR1)

    def child_pids(self):
        r = subprocess.run(["pgrep", "-P", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in r.stdout.split()]

    def tail_log(self, n=30):
        try:
            with open(self.error_log) as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return "(no error log)"


def apache_env():
    env = dict(os.environ)
    env["LANG"] = "C"
    return env


def make_secret(path):
    if not os.path.exists(path):
        portalctl("secret", path)


MAIL_FROM = "noreply@portal.example.com"


def mail_directives(smtp_url, interval=1):
    """What points a node's mail at a local catcher: plain SMTP on loopback
    (no STARTTLS), jobs every `interval` seconds."""
    return (f"PortalSMTPURL {smtp_url}\nPortalSMTPStartTLS Off\n"
            f"PortalMailFrom {MAIL_FROM}\nPortalJobsInterval {interval}\n")


class Stack:
    """PostgreSQL plus one or more Apache nodes on one database, and an SMTP
    sink the nodes send their mail to (once start_mail has run)."""

    def __init__(self, state_dir, pg_port=None):
        self.state = state_dir
        self.pg = Postgres(state_dir, pg_port or free_port())
        self.nodes = []
        self.demo = {}
        self.mail = None

    def start_mail(self, maildir=None, port=None):
        from mail_sink import SmtpSink   # aiosmtpd only where mail is wanted
        self.mail = SmtpSink(port=port, maildir=maildir)
        self.mail.start()
        return self.mail

    @property
    def owner_db(self):
        return self.pg.conninfo(OWNER_ROLE, DB_NAME)

    @property
    def app_db(self):
        return self.pg.conninfo(APP_ROLE, DB_NAME)

    def start_database(self, demo=True):
        fresh = not self.pg.exists()
        if fresh:
            self.pg.init()
        self.pg.start()
        self.pg.bootstrap()
        portalctl("migrate", conninfo=self.owner_db)
        secret = os.path.join(self.state, "secret")
        make_secret(secret)
        if demo:
            # The secret first: the demo admin's TOTP secret is sealed with it.
            out = portalctl("seed-demo", "--secret", secret, conninfo=self.owner_db).stdout
            self.demo = demo_accounts(out)

    def add_node(self, name="apache", port=None, **kw):
        if self.mail:
            kw["overrides"] = mail_directives(self.mail.url) + kw.get("overrides", "")
        node = Apache(self.state, name, port or free_port(), self.pg.port, **kw)
        node.start()
        self.nodes.append(node)
        return node

    def stop(self):
        for n in self.nodes:
            n.stop()
        self.nodes = []
        if self.mail:
            self.mail.stop()
        self.pg.stop()


def state_dir_for_tree():
    """`make run` keeps its state in var/ when the unprivileged user can
    reach the tree, else under /var/tmp, named after the tree's path."""
    var = os.path.join(ROOT, "var")
    if os.path.islink(var):
        return os.path.realpath(var)
    if reachable_by_run_user(ROOT):
        os.makedirs(var, exist_ok=True)
        os.chmod(var, 0o755)
        return var
    digest = hashlib.sha256(ROOT.encode()).hexdigest()[:12]
    d = f"/var/tmp/mod_portal-{digest}"
    os.makedirs(d, exist_ok=True)
    os.chmod(d, 0o755)
    os.symlink(d, var)
    return d


def htdocs_for(state):
    """Static files where the children can read them."""
    src = os.path.join(ROOT, "htdocs")
    if reachable_by_run_user(src):
        return src
    dst = os.path.join(state, "htdocs")
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst)
    for base, dirs, files in os.walk(dst):
        for d in dirs:
            os.chmod(os.path.join(base, d), 0o755)
        for f in files:
            os.chmod(os.path.join(base, f), 0o644)
    os.chmod(dst, 0o755)
    return dst


@contextlib.contextmanager
def temporary_stack(nodes=1, demo=True, mail=True, maildir=None, **node_kw):
    state = make_state_dir()
    stack = Stack(state)
    try:
        stack.start_database(demo=demo)
        if mail:
            stack.start_mail(maildir=maildir)
        htdocs = htdocs_for(state)
        for i in range(nodes):
            stack.add_node(f"apache{i}", htdocs=htdocs, **node_kw)
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(state, ignore_errors=True)
