"""tools/fuzz.sh reports the number of inputs libFuzzer ran, read from its
closing "Done N runs" line, not from other "#N" figures in its log."""

import os
import subprocess

import stack as stacklib

# The end of a real libFuzzer log of the Mustache target: the recommended
# dictionary, after the last status line, holds inputs such as "{{#1".
LOG = """#262144	pulse  cov: 812 ft: 3120 corp: 402/9Kb exec/s: 13107 rss: 61Mb
#280113	DONE   cov: 812 ft: 3121 corp: 402/9Kb lim: 2048 exec/s: 14005 rss: 61Mb
###### Recommended dictionary. ######
"{{/" # Uses: 3
"\\x01\\x00" # Uses: 1
"{{#1" # Uses: 2
###### End of recommended dictionary. ######
Done 280113 runs in 20 second(s)
"""


def fake_fuzzer(tmp_path, log, status=0):
    path = tmp_path / "fuzz_fake"
    path.write_text(f"#!/bin/sh\ncat >&2 <<'END'\n{log}END\nexit {status}\n")
    os.chmod(path, 0o755)
    return str(path)


def run(tmp_path, log, status=0):
    return subprocess.run([os.path.join(stacklib.ROOT, "tools", "fuzz.sh"), "1",
                           fake_fuzzer(tmp_path, log, status)],
                          capture_output=True, text=True)


def test_the_run_count_comes_from_the_done_line(tmp_path):
    r = run(tmp_path, LOG)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "fuzz fake: ok (280113 runs in 1s)" in r.stdout


def test_a_log_without_the_done_line_fails(tmp_path):
    r = run(tmp_path, LOG.replace("Done 280113 runs in 20 second(s)\n", ""))
    assert r.returncode != 0
    assert "fuzz fake: ok" not in r.stdout
