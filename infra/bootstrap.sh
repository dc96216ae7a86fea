#!/bin/sh
# Installs what `npm test` and `npm run demo` need on a fresh machine: the npm packages,
# Chromium for the console's browser test, and Java, Maven and redis-server for the local
# Kafka and Redis of infra/. Starting services is not done here: `npm run infra:up` and the
# test harness decide what to start.
# Runs under whatever node/npm the machine has, so it is plain POSIX sh. Fast when
# everything is present.
set -eu

cd "$(dirname "$0")/.."

say() { printf 'bootstrap: %s\n' "$*" >&2; }

# npm packages: install when node_modules is missing or older than the lockfile.
if [ -f package-lock.json ]; then
  if [ ! -f node_modules/.package-lock.json ] ||
    [ -n "$(find package-lock.json -newer node_modules/.package-lock.json)" ]; then
    # `npm install`, not `npm ci`: the registry these machines reach has no other platforms'
    # optional binaries (biome's, turbo's: `npm view` answers 404), so the lockfile written
    # here lacks them, and `npm ci` refuses it as out of sync.
    say "installing npm packages (npm install, from package-lock.json)"
    npm install --no-audit --no-fund
  fi
elif [ ! -d node_modules ]; then
  say "installing npm packages (npm install; no package-lock.json)"
  npm install --no-audit --no-fund
fi
# npm install's postinstall applies it too; here for node_modules installed before the patch.
node shared/bus/scripts/patch-kafkajs.mjs

# Debian packages, installed when missing if we may: Chromium (and a CJK font for its
# Chinese screenshots) for the console's browser test, and Java, Maven and redis-server.
# These are needed even when KAFKA_BROKERS and REDIS_URL point at running services: the
# outage specs and the fault suite start their own broker and redis-server, to stop and kill them.
missing=""
command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
[ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing="$missing fonts-wqy-microhei"
command -v java >/dev/null 2>&1 || missing="$missing openjdk-17-jre-headless"
command -v mvn >/dev/null 2>&1 || missing="$missing maven"
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  say "installing$missing with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086 # one word per package, on purpose
  apt-get install -y -qq --no-install-recommends $missing
  exit 0
fi

say "missing:$missing"
say "install them with:  sudo apt-get install -y$missing"
say "(all of infra needs: apt-get install openjdk-17-jre-headless maven redis-server)"
say "(needed even with KAFKA_BROKERS and REDIS_URL set: some tests run their own broker and Redis)"
exit 1
