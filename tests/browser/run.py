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
        for suite, args in (("public_pages.mjs", []),
                            ("account_flows.mjs", [json.dumps(s.demo), maildir]),
                            ("pow_flow.mjs", [json.dumps(s.demo)])):
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
