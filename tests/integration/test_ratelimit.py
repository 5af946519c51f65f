"""The rate limiter (core/ratelimit.c) against a real PostgreSQL, through
build/itest/limits_harness (tests/integration/c/limits_harness.c) as the app
role, and through the contact form over HTTP: exactly `limit` of N parallel
hits allowed, Retry-After right and shrinking, the window resetting, one
counter for two Apache nodes, and the 429 page in every language."""

import concurrent.futures
import hashlib
import json
import os
import subprocess
import time
import uuid

import pytest
import requests

import stack as stacklib
from conftest import ROOT, csrf_of, text_of

HARNESS = os.path.join(stacklib.BUILD, "itest", "limits_harness")
LOCALES = ("en", "tr", "az", "ru")


def hits(stack, bucket, key, limit, window, threads=1):
    """THREADS hits released at once; the verdicts, in no particular order."""
    assert os.access(HARNESS, os.X_OK), \
        f"{HARNESS} is missing: make -C {ROOT} build/itest/limits_harness"
    r = subprocess.run([HARNESS, "hits", stack.app_db, bucket, key, str(limit), str(window),
                        str(threads)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    return [None if l == "allowed" else int(l.split()[1]) for l in lines[:-1]]


def fresh_key():
    return "itest-" + uuid.uuid4().hex


def test_parallel_hits_allow_exactly_the_limit(stack):
    verdicts = hits(stack, "itest.parallel", fresh_key(), limit=7, window=60, threads=40)
    assert len(verdicts) == 40
    assert verdicts.count(None) == 7, "exactly the limit gets through"
    assert all(59 <= v <= 60 for v in verdicts if v is not None), verdicts


def test_retry_after_shrinks_and_the_window_resets(stack):
    key = fresh_key()
    assert hits(stack, "itest.window", key, 2, 3) == [None]
    assert hits(stack, "itest.window", key, 2, 3) == [None]
    first = hits(stack, "itest.window", key, 2, 3)[0]
    assert first == 3
    time.sleep(1.2)
    later = hits(stack, "itest.window", key, 2, 3)[0]
    assert later is not None and later < first, "Retry-After counts down"
    time.sleep(later + 0.1)
    assert hits(stack, "itest.window", key, 2, 3) == [None], "a new window opens"
    assert hits(stack, "itest.window", key, 2, 3) == [None]
    assert hits(stack, "itest.window", key, 2, 3)[0] is not None


def test_buckets_and_keys_count_apart(stack):
    key = fresh_key()
    assert hits(stack, "itest.apart.a", key, 1, 60) == [None]
    assert hits(stack, "itest.apart.a", key, 1, 60)[0] is not None
    assert hits(stack, "itest.apart.b", key, 1, 60) == [None], "another bucket"
    assert hits(stack, "itest.apart.a", key + "x", 1, 60) == [None], "another key"


def test_any_key_is_stored_as_its_hash_only(stack, owner_db):
    key = "Aylin.Yılmaz+ö'\";--@example.com.tr " + "x" * 5000 + " 2001:db8::1"
    assert hits(stack, "itest.keys", key, 1, 60) == [None]
    assert hits(stack, "itest.keys", key, 1, 60)[0] is not None
    with owner_db.cursor() as c:
        c.execute("SELECT key_hash FROM rate_limits WHERE bucket = 'itest.keys'")
        rows = c.fetchall()
    assert [bytes(r[0]) for r in rows] == [hashlib.sha256(key.encode()).digest()]


def test_expired_counters_are_pruned_and_live_ones_kept(stack, owner_db):
    old, live = fresh_key(), fresh_key()
    hits(stack, "itest.prune", old, 5, 1)
    hits(stack, "itest.prune", live, 5, 600)
    time.sleep(1.1)
    r = stacklib.portalctl("ratelimit", "prune", conninfo=stack.app_db)
    assert r.returncode == 0
    assert "expired counters deleted" in r.stdout and not r.stdout.startswith("ratelimit prune: 0")
    with owner_db.cursor() as c:
        c.execute("SELECT key_hash FROM rate_limits WHERE bucket = 'itest.prune'")
        left = {bytes(x[0]) for x in c.fetchall()}
    assert left == {hashlib.sha256(live.encode()).digest()}


# --- through the contact form ------------------------------------------------

def message(token, i):
    return {"csrf": token, "name": "Leyla Məmmədova", "email": "leyla@example.az",
            "topic": "sales", "message": f"We would like a quote, message {i}."}


@pytest.fixture
def fresh_contact(owner_db):
    def reset():
        with owner_db.cursor() as c:
            c.execute("DELETE FROM contact_messages")
            c.execute("DELETE FROM rate_limits WHERE bucket = 'contact.ip'")
    reset()
    yield owner_db
    reset()


def stored(db):
    with db.cursor() as c:
        c.execute("SELECT count(*) FROM contact_messages")
        return c.fetchone()[0]


def test_parallel_contact_posts_store_exactly_five(base, fresh_contact):
    with requests.Session() as s:
        token = csrf_of(s.get(base + "/contact").text)
        cookies = s.cookies.get_dict()

    def post(i):
        return requests.post(base + "/contact", data=message(token, i), cookies=cookies,
                             headers={"Connection": "close"}, allow_redirects=False,
                             timeout=30)

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(post, range(20)))
    codes = sorted(a.status_code for a in answers)
    assert codes == [303] * 5 + [429] * 15
    assert stored(fresh_contact) == 5
    assert all(0 < int(a.headers["Retry-After"]) <= 3600 for a in answers
               if a.status_code == 429)


@pytest.fixture(scope="module")
def catalogs():
    out = {}
    for loc in LOCALES:
        with open(os.path.join(ROOT, "templates", "i18n", f"{loc}.json")) as f:
            out[loc] = json.load(f)
    return out


def test_the_contact_limit_answers_429_in_every_language(http, base, fresh_contact, catalogs):
    token = csrf_of(http.get(base + "/contact").text)
    for i in range(5):
        assert http.post(base + "/contact", data=message(token, i),
                         allow_redirects=False).status_code == 303
    for loc in LOCALES:
        r = http.post(base + f"/contact?lang={loc}", data=message(token, 9))
        assert r.status_code == 429
        assert 3500 < int(r.headers["Retry-After"]) <= 3600
        assert f'lang="{loc}"' in r.text
        own = catalogs[loc]["errors"]["contact_rate_limited"]
        assert own["title"] in text_of(r.text) and own["message"] in text_of(r.text)
    assert stored(fresh_contact) == 5


def test_the_generic_message_is_translated(catalogs):
    """portal_limit's own words (errors.rate_limited) exist in every catalog
    and are not the contact form's."""
    texts = {loc: catalogs[loc]["errors"]["rate_limited"] for loc in LOCALES}
    assert len({t["title"] for t in texts.values()}) == 4
    for loc in LOCALES:
        assert texts[loc] != catalogs[loc]["errors"]["contact_rate_limited"]


@pytest.fixture
def second_node(stack):
    n = stack.add_node("limits2", htdocs=stack.nodes[0].htdocs)
    yield n
    n.stop()
    stack.nodes.remove(n)


def test_two_apache_nodes_share_one_counter(http, base, second_node, fresh_contact):
    token = csrf_of(http.get(base + "/contact").text)
    for i, url in enumerate([base, second_node.url] * 2 + [base]):
        r = http.post(url + "/contact", data=message(token, i), allow_redirects=False)
        assert r.status_code == 303, (url, r.status_code)
    for url in (second_node.url, base):
        r = http.post(url + "/contact", data=message(token, 6))
        assert r.status_code == 429, url
        assert int(r.headers["Retry-After"]) > 3500
    assert stored(fresh_contact) == 5


def test_without_the_database_the_limiter_answers_503(stack, fresh_contact):
    """A node whose PostgreSQL is unreachable: the limit cannot be checked,
    so nothing is stored and the visitor is told to come back."""
    node = stacklib.Apache(stack.state, "limits-nodb", stacklib.free_port(),
                           stacklib.free_port(), htdocs=stack.nodes[0].htdocs)
    node.start()
    try:
        with requests.Session() as s:
            token = csrf_of(s.get(node.url + "/contact").text)
            r = s.post(node.url + "/contact", data=message(token, 1))
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "5"
    finally:
        node.stop()
    assert stored(fresh_contact) == 0
