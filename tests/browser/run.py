"""`make test-browser`: starts a private stack and runs the Playwright suite
against it in Debian's Chromium."""

import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
import stack  # noqa: E402


def busy_address(s):
    """Sign-ins and sign-ups of 127.0.0.1 past the proof-of-work threshold
    (and below the hard limit), for pow_flow.mjs."""
    import psycopg2
    conn = psycopg2.connect(s.owner_db)
    conn.autocommit = True
    with conn.cursor() as c:
        for bucket, hits in (("signin.ip", 20), ("signup.ip", 6)):
            c.execute("INSERT INTO rate_limits (bucket, key_hash, window_end, hits) "
                      "VALUES (%s, sha256(convert_to('127.0.0.1', 'UTF8')), now() + interval '10 minutes', %s) "
                      "ON CONFLICT (bucket, key_hash) DO UPDATE SET hits = EXCLUDED.hits, "
                      "window_end = EXCLUDED.window_end", (bucket, hits))
        c.execute("DELETE FROM rate_limits WHERE bucket = 'signin.account'")
    conn.close()


def main():
    maildir = tempfile.mkdtemp(prefix="portal-browser-mail-")
    with stack.temporary_stack(nodes=1, maildir=maildir) as s:
        failed = 0
        enrol = stack.portalctl("create-admin", "new-staff@portal.example", "--role", "support",
                                "--base-url", s.nodes[0].url, conninfo=s.owner_db).stdout
        enrol_link = enrol.strip().splitlines()[-1]
        suites = [("public_pages.mjs", []),
                  ("account_flows.mjs", [json.dumps(s.demo), maildir]),
                  ("team_flows.mjs", [json.dumps(s.demo), maildir]),
                  ("admin_pages.mjs", [json.dumps(s.demo), enrol_link]),
                  # last: it makes the address busy, so the pages ask for work
                  ("pow_flow.mjs", [json.dumps(s.demo)])]
        only = sys.argv[1:]   # run.py admin_pages.mjs: just that suite
        for suite, args in suites:
            if only and suite not in only:
                continue
            if suite == "pow_flow.mjs":
                busy_address(s)
            r = subprocess.run(["node", os.path.join(HERE, suite), s.nodes[0].url, *args],
                               cwd=HERE)
            if r.returncode != 0:
                print(s.nodes[0].tail_log())
                failed += 1
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
