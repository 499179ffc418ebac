#!/usr/bin/env bash
# Runs the whole suite on SQLite, then on PostgreSQL when one is configured or answers on 127.0.0.1:5432.
# With CI=true PostgreSQL is required: an unreachable server fails the run instead of skipping it.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

if ! command -v chromium >/dev/null 2>&1 && [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "== installing Debian's chromium for the browser tests"
    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  else
    echo "!! chromium is missing and we are not root: browser tests will fail" >&2
  fi
fi

pg_url="${COACHWAY_TEST_DATABASE_URL:-}"
if [ -z "$pg_url" ]; then
  candidate="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
  if $BIN/python - "$candidate" <<'PY' 2>/dev/null
import sys, psycopg
psycopg.connect(sys.argv[1].replace("+psycopg", ""), connect_timeout=3).close()
PY
  then pg_url="$candidate"; fi
fi

echo "== test suite on SQLite"
env -u COACHWAY_TEST_DATABASE_URL $BIN/pytest -p no:cacheprovider "$@"

if [ -n "$pg_url" ]; then
  echo "== test suite on PostgreSQL"
  COACHWAY_TEST_DATABASE_URL="$pg_url" $BIN/pytest -p no:cacheprovider "$@"
elif [ "${CI:-}" = "true" ]; then
  echo "!! CI=true but no PostgreSQL answers on 127.0.0.1:5432 and COACHWAY_TEST_DATABASE_URL is unset" >&2
  exit 1
else
  echo "== PostgreSQL not reachable: skipped the PostgreSQL run (CI requires it)"
fi
