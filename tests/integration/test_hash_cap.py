"""At most PortalMaxConcurrentHashes argon2id runs at once per Apache child:
a burst of parallel sign-ins beyond the cap gets clear 503 pages with
Retry-After instead of piling up 19 MiB hashes, nothing crashes, and the
children's peak memory stays within the cap's share."""

import importlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import csrf_of, text_of
from test_memory import peak_kib

PARALLEL = 16
ARGON2_KIB = 19 * 1024


@pytest.fixture(scope="module")
def capped(stack):
    n = stack.add_node("hashcap", htdocs=stack.nodes[0].htdocs,
                       overrides="PortalMaxConcurrentHashes 1\n")
    yield n
    n.stop()
    stack.nodes.remove(n)


@pytest.fixture(autouse=True)
def fresh_limits(owner_db):
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%'")
    yield
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%'")


def burst(url, n):
    """n sign-ins of unknown addresses (each a dummy argon2id run), posted
    at the same moment; the answers."""
    sessions = []
    for i in range(n):
        s = requests.Session()
        s.headers["Accept-Language"] = "en"
        page = s.get(url + "/signin")
        assert page.status_code == 200
        sessions.append((s, csrf_of(page.text), i))
    start = threading.Barrier(n)

    def post(item):
        s, csrf, i = item
        start.wait()
        return s.post(url + "/signin", allow_redirects=False, data={
            "csrf": csrf, "email": f"nobody-{i}@cap.example", "password": "guess-guess-guess"})
    with ThreadPoolExecutor(n) as pool:
        return list(pool.map(post, sessions))


def test_sign_ins_beyond_the_cap_get_503_with_retry_after(capped):
    for s in (requests.get(capped.url + "/features") for _ in range(8)):
        assert s.status_code == 200
    before = {pid: peak_kib(pid) for pid in capped.child_pids()}
    answers = burst(capped.url, PARALLEL)
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {401, 503}, codes
    busy = [r for r in answers if r.status_code == 503]
    assert busy, f"{PARALLEL} hashes at once on 2 children with one slot each: {codes}"
    assert 401 in codes, codes
    for r in busy:
        assert r.headers["Retry-After"] == "2"
        assert "Too many sign-ins at once" in text_of(r.text)
    # Nothing crashed: the same children serve on, and the log has no signal.
    assert requests.get(capped.url + "/signin").status_code == 200
    after = {pid: peak_kib(pid) for pid in capped.child_pids()}
    assert set(after) == set(before), "a child died"
    with open(capped.error_log) as f:
        assert "exit signal" not in f.read()
    # One slot per child: its peak grows by about one argon2id run (19 MiB),
    # where four at once would add 76 MiB.
    for pid, kib in before.items():
        grown = after[pid] - kib
        assert grown < 2 * ARGON2_KIB, f"child {pid} peak grew by {grown} KiB"


def test_the_directive_refuses_a_bad_count(stack):
    tools = importlib.import_module("stack")
    n = tools.Apache(stack.state, "hashcap-bad", tools.free_port(), stack.pg.port,
                     htdocs=stack.nodes[0].htdocs, overrides="PortalMaxConcurrentHashes 0\n")
    n.write_config()
    r = n.configtest()
    assert r.returncode != 0
    assert "PortalMaxConcurrentHashes 0: give a count from 1 to 256" in r.stderr + r.stdout


def test_turning_two_factor_off_beyond_the_cap_gets_503_too(capped):
    """The password check of turning two-step verification off takes a slot
    like sign-in's: busy is 503 with Retry-After, never a 500."""
    import twofa
    data, s = twofa.fresh_account(capped.url)
    twofa.enrol(s, capped.url)
    csrf = csrf_of(twofa.page(s, capped.url).text)
    n = 8   # under the 10 code tries per person
    start = threading.Barrier(n)

    def post(_):
        x = requests.Session()
        x.headers["Accept-Language"] = "en"
        x.cookies.update(s.cookies)
        start.wait()
        return x.post(capped.url + "/account/security/2fa/disable", allow_redirects=False,
                      data={"csrf": csrf, "password": "not-my-password-77",
                            "code": "2222-2222-2222"})
    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(post, range(n)))
    codes = sorted(r.status_code for r in answers)
    assert set(codes) <= {401, 503}, codes
    assert 503 in codes, codes
    for r in answers:
        if r.status_code == 503:
            assert r.headers["Retry-After"] == "2"
def test_an_admin_sign_in_waiting_on_the_database_holds_no_hash_slot(stack, capped, owner_db):
    """The admin sign-in reads the account first and hashes after: while its
    query waits (the admins table locked here), it holds no slot, and the
    customers' sign-ins on the same children still get their hash."""
    import psycopg2
    with owner_db.cursor() as c:
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'admin.signin.%'")
    admins = []
    for i in range(6):
        s = requests.Session()
        page = s.get(capped.url + "/admin/signin")
        assert page.status_code == 200
        admins.append((s, csrf_of(page.text), i))
    locker = psycopg2.connect(stack.owner_db)
    try:
        with locker.cursor() as c:
            c.execute("LOCK TABLE admins IN ACCESS EXCLUSIVE MODE")

        def admin_post(item):
            s, csrf, i = item
            return s.post(capped.url + "/admin/signin", allow_redirects=False, timeout=30,
                          data={"csrf": csrf, "email": f"staff-{i}@cap.example",
                                "password": "guess-guess-guess", "code": "123456"})
        pool = ThreadPoolExecutor(len(admins))
        waiting = pool.map(admin_post, admins)
        deadline = time.time() + 10
        while time.time() < deadline:
            with owner_db.cursor() as c:
                c.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
                if c.fetchone()[0] >= len(admins):
                    break
            time.sleep(0.05)
        answers = []
        for i in range(4):
            s = requests.Session()
            s.headers["Accept-Language"] = "en"
            page = s.get(capped.url + "/signin")
            answers.append(s.post(capped.url + "/signin", allow_redirects=False, data={
                "csrf": csrf_of(page.text), "email": f"nobody-admin-{i}@cap.example",
                "password": "guess-guess-guess"}).status_code)
    finally:
        locker.rollback()
        locker.close()
    # Let go together, the admins' hashes may find the slots busy.
    assert {r.status_code for r in waiting} <= {401, 503}
    pool.shutdown()
    assert answers == [401] * 4, answers
