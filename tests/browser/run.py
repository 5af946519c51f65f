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
                  ("admin_pages.mjs", [json.dumps(s.demo), enrol_link])]
        only = sys.argv[1:]   # run.py admin_pages.mjs: just that suite
        for suite, args in suites:
            if only and suite not in only:
                continue
            r = subprocess.run(["node", os.path.join(HERE, suite), s.nodes[0].url, *args],
                               cwd=HERE)
            if r.returncode != 0:
                print(s.nodes[0].tail_log())
                failed += 1
        return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
