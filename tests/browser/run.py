"""`make test-browser`: starts a private stack and runs the Playwright suite
against it in Debian's Chromium."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(HERE)), "tools"))
import stack  # noqa: E402


def main():
    with stack.temporary_stack(nodes=1) as s:
        r = subprocess.run(["node", os.path.join(HERE, "public_pages.mjs"), s.nodes[0].url],
                           cwd=HERE)
        if r.returncode != 0:
            print(s.nodes[0].tail_log())
        return r.returncode


if __name__ == "__main__":
    sys.exit(main())
