"""`make bench`: wrk against a small static file and against mod_portal's hot
pages on the same Apache, in the same run, at 16 and 64 connections. Prints
requests/s, p50 and p99 of each and their ratio to the static file, and the
resident memory of every Apache child before, between and after the runs.

Then 64 concurrent sign-ins (each from its own loopback address and
account, so that the limiter lets them through): sign-ins per second, the
share answered 503 because every argon2id slot was taken, and the Apache
children's peak memory (VmHWM), which PortalMaxConcurrentHashes bounds.

Later hot paths (license validation, downloads, cabinet pages) add a line
to TARGETS. Timing lives here, never in the tests."""

import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import requests
from requests.adapters import HTTPAdapter

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import stack  # noqa: E402

DURATION = os.environ.get("BENCH_SECONDS", "10")
CONNECTIONS = (16, 64)
STATIC = ("static 1 KiB file", "/static/bench-1k.txt")
TARGETS = [
    ("Pricing page (PostgreSQL + template)", "/pricing"),
    ("Home page (PostgreSQL + template)", "/"),
    ("Licensing ping (PostgreSQL + JSON)", "/api/license/v1/ping"),
    ("Signed-in /account/ (session + tenant)", "/account/"),
]
SIGNED_IN = {"/account/"}
SIGNIN_CLIENTS = 64
SIGNIN_ACCOUNTS = 1000   # ten tries each in 15 minutes would lock them


def wrk(url, connections, cookie=None):
    extra = ["-H", f"Cookie: {cookie}"] if cookie else []
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{DURATION}s", "--latency",
                          *extra, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))

    def pct(p):
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)\b", out)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": pct(50), "p99_ms": pct(99),
            "non_2xx": int(errors.group(1)) if errors else 0}


def rss_kib(pids):
    sizes = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                sizes[pid] = int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))
        except OSError:
            pass
    return sizes


def main():
    state = stack.make_state_dir("mod_portal-bench-")
    s = stack.Stack(state)
    try:
        s.start_database(demo=True)
        htdocs = os.path.join(state, "htdocs")
        shutil.copytree(os.path.join(ROOT, "htdocs"), htdocs)
        with open(os.path.join(htdocs, "bench-1k.txt"), "w") as f:
            f.write(("mod_portal benchmark reference file\n" * 32)[:1024])
        for base, dirs, files in os.walk(state + "/htdocs"):
            os.chmod(base, 0o755)
            for name in files:
                os.chmod(os.path.join(base, name), 0o644)
        node = s.add_node("apache", htdocs=htdocs)
        cookie = session_cookie(node.url, s.demo["customer"])
        for _, path in [STATIC] + TARGETS:   # warm every child's connections and caches
            subprocess.run(["wrk", "-t2", "-c64", "-d2s", *cookie_args(path, cookie),
                            node.url + path], capture_output=True)
        memory = {"before": rss_kib(node.child_pids())}
        results = []
        for connections in CONNECTIONS:
            ref = wrk(node.url + STATIC[1], connections)
            results.append((STATIC[0], connections, ref, 1.0))
            for name, path in TARGETS:
                r = wrk(node.url + path, connections, cookie if path in SIGNED_IN else None)
                results.append((name, connections, r, r["rps"] / ref["rps"]))
        memory["after first run"] = rss_kib(node.child_pids())
        for name, path in TARGETS:
            wrk(node.url + path, 64, cookie if path in SIGNED_IN else None)
        memory["after second run"] = rss_kib(node.child_pids())
        signins = signin_run(s, node)
        report(results, memory, signins)
    finally:
        s.stop()
        shutil.rmtree(state, ignore_errors=True)


def cookie_args(path, cookie):
    return ["-H", f"Cookie: {cookie}"] if path in SIGNED_IN else []


def csrf_of(html):
    return re.search(r'name="csrf"\s+value="([^"]+)"', html).group(1)


def session_cookie(url, who):
    with requests.Session() as c:
        page = c.get(url + "/signin")
        r = c.post(url + "/signin", allow_redirects=False, data={
            "csrf": csrf_of(page.text), "email": who["email"], "password": who["password"]})
        assert r.status_code == 303, r.status_code
        return "; ".join(f"{k}={v}" for k, v in c.cookies.items())


class SourceAdapter(HTTPAdapter):
    """Connects from one loopback address: each client its own rate-limit key."""
    def __init__(self, source, **kw):
        self.source = source
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.source, 0)
        super().init_poolmanager(*args, **kw)


def peak_kib(pids):
    sizes = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as f:
                sizes[pid] = int(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))
        except OSError:
            pass
    return sizes


def signin_run(s, node):
    """SIGNIN_CLIENTS clients signing in over and over for DURATION seconds,
    every try as the next of SIGNIN_ACCOUNTS accounts (copies of the demo
    customer: same hash, same company) from the next loopback address, so
    that neither the account nor the address limit (nor the proof of work)
    is what is measured."""
    who = s.demo["customer"]
    conn = psycopg2.connect(s.owner_db)
    conn.autocommit = True
    with conn.cursor() as c:
        c.execute("SET portal.all_tenants = 'on'")
        c.execute("SELECT u.password_hash, m.tenant_id FROM users u JOIN tenant_members m "
                  "ON m.user_id = u.id WHERE u.email = %s LIMIT 1", (who["email"],))
        hash_, tenant = c.fetchone()
        emails = [f"bench-{i}@bench.example" for i in range(SIGNIN_ACCOUNTS)]
        c.execute("INSERT INTO users (email, password_hash, email_verified_at) "
                  "SELECT e, %s, now() FROM unnest(%s::text[]) AS e "
                  "ON CONFLICT (email) DO NOTHING", (hash_, emails))
        c.execute("INSERT INTO tenant_members (tenant_id, user_id, role) "
                  "SELECT %s, id, 'member' FROM users WHERE email = ANY(%s) "
                  "ON CONFLICT DO NOTHING", (tenant, emails))
        c.execute("DELETE FROM rate_limits WHERE bucket LIKE 'signin.%'")
    conn.close()
    before = peak_kib(node.child_pids())
    counts = {"ok": 0, "busy": 0, "other": 0}
    others = {}
    tries = iter(range(10 ** 9))
    lock = threading.Lock()
    start = threading.Barrier(SIGNIN_CLIENTS)
    seconds = float(DURATION)

    def client(i):
        start.wait()
        end = time.time() + seconds
        while time.time() < end:
            with lock:
                n = next(tries)
            try:
                with requests.Session() as c:
                    c.mount("http://", SourceAdapter(f"127.{1 + n // 62500 % 250}."
                                                     f"{1 + n // 250 % 250}.{2 + n % 250}"))
                    page = c.get(node.url + "/signin")
                    r = c.post(node.url + "/signin", allow_redirects=False, data={
                        "csrf": csrf_of(page.text), "email": emails[n % SIGNIN_ACCOUNTS],
                        "password": who["password"]})
                status = r.status_code
            except requests.ConnectionError:
                status = "dropped"
            kind = "ok" if status == 303 else "busy" if status == 503 else "other"
            with lock:
                counts[kind] += 1
                if kind == "other":
                    others[status] = others.get(status, 0) + 1
    began = time.time()
    with ThreadPoolExecutor(SIGNIN_CLIENTS) as pool:
        list(pool.map(client, range(SIGNIN_CLIENTS)))
    elapsed = time.time() - began
    after = peak_kib(node.child_pids())
    with open(node.error_log) as f:
        crashes = [line for line in f if "exit signal" in line]
    return {"seconds": elapsed, "counts": counts, "others": others, "crashes": crashes, "peak_before": before, "peak_after": after,
            "children": len(after)}


TARGETS_RATIO = {"Pricing page (PostgreSQL + template)": 0.35,
                 "Signed-in /account/ (session + tenant)": 0.35}


def report(results, memory, signins):
    print(f"\nmod_portal benchmark: wrk -t2, {DURATION}s per line, same Apache, same run\n")
    print(f"{'target':40} {'conns':>5} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'vs static':>9} {'non-2xx':>7}")
    for name, conns, r, ratio in results:
        print(f"{name:40} {conns:>5} {r['rps']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{ratio:>9.2f} {r['non_2xx']:>7}")
    for name, conns, r, ratio in results:
        target = TARGETS_RATIO.get(name)
        if target and conns == 64:
            print(f"\ntarget: {name} at 64 connections >= {target:.2f} of static: "
                  f"{ratio:.2f} {'met' if ratio >= target else 'NOT MET'}")
    print("\nApache children, resident memory (KiB):")
    for when, sizes in memory.items():
        print(f"  {when:18} " + "  ".join(f"pid {p}: {k}" for p, k in sorted(sizes.items())))
    first, second = memory["after first run"], memory["after second run"]
    growth = {p: second[p] - first[p] for p in first if p in second}
    print("  growth over the second run: " + ", ".join(
        f"pid {p}: {g:+d}" for p, g in sorted(growth.items())))
    n = signins["counts"]
    total = sum(n.values())
    print(f"\n{SIGNIN_CLIENTS} concurrent sign-ins for {signins['seconds']:.1f} s: "
          f"{n['ok'] / signins['seconds']:.1f} sign-ins/s, {n['ok']} signed in, "
          f"{n['busy']} answered 503 busy ({100 * n['busy'] / max(total, 1):.0f}%), "
          f"{n['other']} other {signins['others']}")
    print(f"children that died during the sign-ins: {len(signins['crashes'])} "
          + "".join(signins["crashes"][:3]))
    print("Apache children, peak memory VmHWM (KiB), before -> after the sign-ins: " + ", ".join(
        f"pid {p}: {signins['peak_before'].get(p, 0)} -> {k}"
        for p, k in sorted(signins["peak_after"].items())))
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "results": [{"target": n, "connections": c, **r, "ratio": q}
                               for n, c, r, q in results],
                   "memory_kib": {k: {str(p): v for p, v in m.items()}
                                  for k, m in memory.items()},
                   "signins": {"clients": SIGNIN_CLIENTS, "seconds": signins["seconds"],
                               **signins["counts"],
                               "peak_kib_after": {str(p): v for p, v in
                                                  signins["peak_after"].items()}}}, f, indent=1)


if __name__ == "__main__":
    main()
