#!/bin/bash
# Runs unit-test binaries; each prints "<name>: N passed, N failed".
# Usage: run-suite.sh LABEL SPEC_DIR BINARY...
label=$1 spec=$2
shift 2
failed=0 passed=0 bad=0
for bin in "$@"; do
  out=$("$bin" "$spec" 2>&1); rc=$?
  echo "$out" | grep -E '(FAIL|passed, [0-9]+ failed|ERROR|runtime error|Sanitizer)' | head -40
  p=$(echo "$out" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p' | tail -1)
  f=$(echo "$out" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/p' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ]; then
    bad=$((bad + 1))
    [ -z "$f" ] || [ "$f" = 0 ] && echo "$bin exited with status $rc" && echo "$out" | tail -20
  fi
done
echo "$label: $passed passed, $failed failed ($# binaries, $bad failing)"
[ $bad -eq 0 ]
