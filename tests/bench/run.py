"""`make bench`: wrk against a small static file and against mod_portal's hot
pages on the same Apache, in the same run, at 16 and 64 connections. Prints
requests/s, p50 and p99 of each and their ratio to the static file, and the
resident memory of every Apache child before, between and after the runs.

Later hot paths (license validation, downloads, cabinet pages) add a line
to TARGETS. Timing lives here, never in the tests."""

import json
import os
import re
import shutil
import subprocess
import sys
import time

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
]


def wrk(url, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{DURATION}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
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
        for _, path in [STATIC] + TARGETS:   # warm every child's connections and caches
            subprocess.run(["wrk", "-t2", "-c64", "-d2s", node.url + path], capture_output=True)
        memory = {"before": rss_kib(node.child_pids())}
        results = []
        for connections in CONNECTIONS:
            ref = wrk(node.url + STATIC[1], connections)
            results.append((STATIC[0], connections, ref, 1.0))
            for name, path in TARGETS:
                r = wrk(node.url + path, connections)
                results.append((name, connections, r, r["rps"] / ref["rps"]))
        memory["after first run"] = rss_kib(node.child_pids())
        for name, path in TARGETS:
            wrk(node.url + path, 64)
        memory["after second run"] = rss_kib(node.child_pids())
        report(results, memory)
    finally:
        s.stop()
        shutil.rmtree(state, ignore_errors=True)


TARGETS_RATIO = {"Pricing page (PostgreSQL + template)": 0.35}


def report(results, memory):
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
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    with open(os.path.join(HERE, "results", "latest.json"), "w") as f:
        json.dump({"when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                   "results": [{"target": n, "connections": c, **r, "ratio": q}
                               for n, c, r, q in results],
                   "memory_kib": {k: {str(p): v for p, v in m.items()}
                                  for k, m in memory.items()}}, f, indent=1)


if __name__ == "__main__":
    main()
