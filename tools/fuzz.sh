#!/bin/bash
# Runs each libFuzzer binary for SECONDS on a scratch copy of its corpus, after
# replaying the kept regression inputs. Usage: fuzz.sh SECONDS BINARY...
seconds=$1; shift
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/portal-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
failed=0 passed=0
for bin in "$@"; do
  name=$(basename "$bin"); name=${name#fuzz_}
  corpus="$work/$name"; mkdir -p "$corpus"
  cp -r "$root/tests/fuzz/corpus/$name/." "$corpus/" 2>/dev/null || true
  regress="$root/tests/fuzz/regressions/$name"
  ok=1
  if [ -d "$regress" ] && [ -n "$(ls -A "$regress" 2>/dev/null)" ]; then
    "$bin" -runs=0 "$regress"/* >"$work/$name.regress.log" 2>&1 || ok=0
  fi
  if [ $ok = 1 ]; then
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/$name-" "$corpus" >"$work/$name.log" 2>&1 || ok=0
  fi
  # libFuzzer ends a clean run with "Done N runs in S second(s)"; other
  # "#N" figures in its log (the recommended dictionary) are not run counts.
  runs=$(sed -nE 's/^Done ([0-9]+) runs in .*/\1/p' "$work/$name.log" 2>/dev/null | tail -1)
  if [ $ok = 1 ] && [ -z "$runs" ]; then
    echo "fuzz $name: no \"Done N runs\" line in libFuzzer's log"; ok=0
  fi
  if [ $ok = 1 ]; then
    echo "fuzz $name: ok ($runs runs in ${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"; tail -40 "$work/$name.regress.log" "$work/$name.log" 2>/dev/null
    for a in "$work/$name"-*; do [ -f "$a" ] && echo "crash input (base64): $(base64 -w0 "$a")"; done
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
