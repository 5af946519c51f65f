#!/bin/sh
# Installs, idempotently, what mod_portal needs from Debian's packages.
# Usage: tools/deps.sh build|test
set -eu
build="apache2 apache2-dev libaprutil1-dbd-pgsql postgresql libpq-dev
  libjansson-dev libsodium-dev libssl-dev libcurl4-openssl-dev libqrencode-dev pkg-config gcc make python3
  python3-aiosmtpd"
test="python3 python3-pytest python3-requests python3-psycopg2
  python3-aiosmtpd python3-yaml libaprutil1-dbd-sqlite3 oathtool zbar-tools librsvg2-bin chromium clang llvm libclang-rt-14-dev wrk curl procps"
case "${1:-build}" in
  build) want="$build" ;;
  test)  want="$build $test" ;;
  *) echo "usage: $0 build|test" >&2; exit 2 ;;
esac
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
# Node.js may come from elsewhere (NodeSource bundles npm); only when the
# commands are absent do Debian's nodejs and npm packages come in.
if [ "${1:-build}" = test ] && ! { command -v node && command -v npm; } >/dev/null 2>&1; then
  missing="$missing nodejs npm"
fi
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
  echo "deps: these Debian packages are missing and installing them needs root:$missing" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
# Debian starts the packaged apache2 and postgresql services on install;
# mod_portal runs its own private servers, so leave the ports free.
if command -v service >/dev/null 2>&1; then
  service apache2 stop >/dev/null 2>&1 || true
  service postgresql stop >/dev/null 2>&1 || true
fi
