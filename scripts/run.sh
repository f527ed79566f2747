#!/usr/bin/env bash
# Runs the demo on the embedded database: migrate, load demo data when empty, start the task
# worker beside the web server, stop both together.
set -euo pipefail
cd "$(dirname "$0")/.."
export GRANTFLOW_SESSION_COOKIE_SECURE=${GRANTFLOW_SESSION_COOKIE_SECURE:-false}
export GRANTFLOW_REMEMBER_COOKIE_SECURE=${GRANTFLOW_REMEMBER_COOKIE_SECURE:-false}
GF=.venv/bin/grantflow
$GF db upgrade
if ! $GF demo-exists >/dev/null 2>&1; then
  $GF demo
fi
pids=()
if $GF --help 2>/dev/null | grep -q "^  worker"; then
  $GF worker & pids+=($!)
fi
trap 'kill ${pids[@]:-} 2>/dev/null || true' EXIT INT TERM
$GF run --host 127.0.0.1 --port ${PORT:-5000}
