#!/usr/bin/env bash
# Runs the demo on the embedded database: migrate and load the demo data when the database is
# empty (one command), start the task worker beside the web server when there is one, stop both
# together.
set -euo pipefail
cd "$(dirname "$0")/.."
# Plain http on localhost: cookies cannot be Secure-only here (they are by default).
export GRANTFLOW_SESSION_COOKIE_SECURE=${GRANTFLOW_SESSION_COOKIE_SECURE:-false}
export GRANTFLOW_REMEMBER_COOKIE_SECURE=${GRANTFLOW_REMEMBER_COOKIE_SECURE:-false}
GF=.venv/bin/grantflow
$GF demo --if-empty
pids=()
if $GF --help 2>/dev/null | grep -q "^  worker"; then
  $GF worker & pids+=($!)
fi
trap 'kill ${pids[@]:-} 2>/dev/null || true' EXIT INT TERM
$GF run --host 127.0.0.1 --port "${PORT:-5000}"
