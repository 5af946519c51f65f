"""PostgreSQL goes away and comes back while Apache keeps running: every page
answers a clear 503 quickly while it is down, and no request fails once it
answers again — after stop-then-start and after `pg_ctl restart`, with
requests spread over every child of two Apache nodes on one database."""

import concurrent.futures as futures
import os
import re
import threading
import time

import pytest
import requests

import stack as stacklib

PATHS = ["/pricing", "/", "/api/license/v1/ping", "/pricing?lang=ru"]


@pytest.fixture(scope="module")
def two_nodes():
    with stacklib.temporary_stack(nodes=2) as s:
        yield s
        if os.environ.get("KEEP_LOGS"):
            for n in s.nodes:
                os.system(f"cp {n.error_log} /tmp/outage-{os.path.basename(n.dir)}.log")


def get(url):
    """One request on its own connection, so the load spreads over children."""
    started = time.monotonic()
    try:
        r = requests.get(url, headers={"Connection": "close"}, timeout=15)
        return started, time.monotonic() - started, r.status_code, r
    except requests.RequestException as e:
        return started, time.monotonic() - started, 0, e


def urls(stack, n):
    return [node.url + PATHS[i % len(PATHS)] for i, node in
            ((i, stack.nodes[i % len(stack.nodes)]) for i in range(n))]


def burst(stack, n, workers=12):
    with futures.ThreadPoolExecutor(workers) as pool:
        return list(pool.map(get, urls(stack, n)))


def children_seen(node, since_line):
    with open(node.dir + "/logs/access.log") as f:
        lines = f.readlines()[since_line:]
    return {int(m.group(1)) for m in (re.search(r" pid=(\d+) ", l) for l in lines) if m}


def log_length(node):
    with open(node.dir + "/logs/access.log") as f:
        return len(f.readlines())


def assert_all_ok(results):
    bad = [(status, str(r)[:200]) for _, _, status, r in results if status != 200]
    assert not bad, f"{len(bad)} of {len(results)} requests failed: {bad[:5]}"


def test_down_then_up_again(two_nodes):
    s = two_nodes
    assert_all_ok(burst(s, 80))

    s.pg.stop()
    down = burst(s, 40)
    for _, elapsed, status, r in down:
        assert status == 503, r
        assert elapsed < 3.0, "a 503 comes quickly, without hanging"
        if r.headers["Content-Type"] == "application/json":
            assert r.json()["error"]["code"] == "service_unavailable"
        else:
            assert r.headers["Content-Type"].startswith("text/html")
            assert r.headers["Retry-After"]
    admin = requests.get(s.nodes[0].url + "/admin/")
    assert admin.status_code == 200, "the status page still answers and says why"
    rid = down[0][3].headers["X-Request-Id"]
    with open(s.nodes[0].error_log) as f1, open(s.nodes[1].error_log) as f2:
        assert rid in f1.read() + f2.read(), "the log line of a failure carries its request id"
    assert_contact_refused_cleanly(s)

    s.pg.start()
    marks = [log_length(n) for n in s.nodes]
    assert_all_ok(burst(s, 400))
    for node, mark in zip(s.nodes, marks):
        children = set(node.child_pids())
        assert children and children <= children_seen(node, mark), \
            "every child of every node served requests after the restart"


def test_restart_under_load(two_nodes):
    s = two_nodes
    results, stop = [], threading.Event()

    def load(i):
        while not stop.is_set():
            results.append(get(s.nodes[i % 2].url + PATHS[i % len(PATHS)]))

    threads = [threading.Thread(target=load, args=(i,)) for i in range(10)]
    for t in threads:
        t.start()
    time.sleep(1.5)
    s.pg.restart()
    back = time.monotonic()
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join()

    after = [r for r in results if r[0] > back]
    assert len(after) > 100, "the load kept running after the restart"
    assert_all_ok(after)
    assert {status for _, _, status, _ in results} <= {200, 503}, \
        "while it restarts, a request is answered or told to retry"


def assert_contact_refused_cleanly(s):
    """A contact form sent while PostgreSQL is down: 503, and no file left."""
    node = s.nodes[0]
    with requests.Session() as browser:
        page = browser.get(node.url + "/contact")
        token = re.search(r'name="csrf"\s+value="([^"]+)"', page.text).group(1)
        r = browser.post(node.url + "/contact", data={
            "csrf": token, "name": "Nigar", "email": "nigar@example.az", "topic": "support",
            "message": "Sent while the database is down."},
            files={"attachment": ("s.png", b"\x89PNG\r\n\x1a\n" + bytes(4096), "image/png")})
    assert r.status_code == 503
    storage = os.path.join(s.state, "storage")
    left = [f for d in ("tmp", "contact") if os.path.isdir(os.path.join(storage, d))
            for f in os.listdir(os.path.join(storage, d))]
    assert left == []


def test_repeated_restarts_leave_nothing_broken(two_nodes):
    s = two_nodes
    for _ in range(3):
        s.pg.restart()
        assert_all_ok(burst(s, 120))
