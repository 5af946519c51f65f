#!/bin/bash
# Installs the npm test clients of DIR from its package-lock.json, once.
set -eu
dir=$1
[ -f "$dir/package-lock.json" ] || exit 0
stamp="$dir/node_modules/.portal-installed"
if [ -f "$stamp" ] && [ "$stamp" -nt "$dir/package-lock.json" ]; then exit 0; fi
echo "deps: npm ci in $dir"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
touch "$stamp"
