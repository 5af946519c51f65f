"""Fixtures: a real PostgreSQL and real Apache instances with mod_portal on
free loopback ports (tools/stack.py), an SMTP sink for the areas that send
mail, and helpers to read what a user sees."""

import os
import re
import shutil
import subprocess
import sys

import psycopg2
import pytest
import requests

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)

import stack as stacklib  # noqa: E402


@pytest.fixture(scope="session")
def stack():
    """One database and one Apache node shared by the read-mostly tests."""
    with stacklib.temporary_stack(nodes=1) as s:
        yield s


@pytest.fixture(scope="session")
def node(stack):
    return stack.nodes[0]


@pytest.fixture(scope="session")
def base(node):
    return node.url


@pytest.fixture
def http():
    with requests.Session() as s:
        s.headers["Accept-Language"] = "en"
        yield s


@pytest.fixture(scope="session")
def owner_db(stack):
    """A connection as the schema owner, to arrange and inspect data."""
    conn = psycopg2.connect(stack.owner_db)
    conn.autocommit = True
    yield conn
    conn.close()


@pytest.fixture
def mailbox(stack):
    """The SMTP sink every node of the shared stack sends its mail to (jobs
    every second), up and accepting at the start and end of the test."""
    stack.mail.reset()
    yield stack.mail
    stack.mail.reset()


@pytest.fixture
def smtp():
    """An SMTP sink on a free port (aiosmtpd); .messages holds what arrived."""
    from smtp_sink import SmtpSink
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def portal_routes(stack):
    """Every route as the module lists it (`apache2 -t -D DUMP_PORTAL_ROUTES`):
    (area, method, pattern) -> permission; (area, "DEFAULT", "*") -> default."""
    node = stacklib.Apache(stack.state, f"routes-{os.getpid()}", stacklib.free_port(),
                           stack.pg.port)
    node.write_config()
    try:
        r = subprocess.run(["apache2", "-f", node.conf, "-t", "-D", "DUMP_PORTAL_ROUTES"],
                           capture_output=True, text=True, env=stacklib.apache_env())
    finally:
        shutil.rmtree(node.dir, ignore_errors=True)
    assert r.returncode == 0, r.stderr
    found = {}
    for line in r.stdout.splitlines():
        area, method, pattern, perm = line.split(" ")
        found[(area, method, pattern)] = perm
    return found


def csrf_of(html):
    m = re.search(r'name="csrf"\s+value="([^"]+)"', html)
    assert m, "the form carries a csrf field"
    return m.group(1)


def text_of(html):
    """The visible text of a page, roughly: tags removed, whitespace folded."""
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    text = re.sub(r"<[^>]+>", " ", html)
    text = text.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')
    return re.sub(r"\s+", " ", text).strip()
