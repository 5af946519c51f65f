#!/bin/bash
# Runs unit-test binaries; each prints "<name>: N passed, N failed".
# Usage: run-suite.sh LABEL SPEC_DIR BINARY...
label=$1 spec=$2
shift 2
failed=0 passed=0 bad=0
for bin in "$@"; do
  out=$("$bin" "$spec" 2>&1); rc=$?
  if [ $rc -eq 0 ]; then
    echo "$out" | grep -E 'passed, [0-9]+ failed' | tail -1
  else
    echo "$out" | tail -60
  fi
  p=$(echo "$out" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/p' | tail -1)
  f=$(echo "$out" | sed -nE 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/p' | tail -1)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ]; then
    bad=$((bad + 1))
    echo "$bin exited with status $rc"
  fi
done
echo "$label: $passed passed, $failed failed ($# binaries, $bad failing)"
[ $bad -eq 0 ]
