#!/usr/bin/env bash
# Runs the demo on the embedded database with the production server: migrate and load the demo
# when the database is empty (one command), start the task worker, serve with gunicorn
# (`grantflow serve`) on 127.0.0.1:$PORT, and stop both together.
set -euo pipefail
cd "$(dirname "$0")/.."
# Plain http on localhost: cookies cannot be Secure-only here (they are by default).
export GRANTFLOW_SESSION_COOKIE_SECURE=${GRANTFLOW_SESSION_COOKIE_SECURE:-false}
export GRANTFLOW_REMEMBER_COOKIE_SECURE=${GRANTFLOW_REMEMBER_COOKIE_SECURE:-false}
export GRANTFLOW_WEB_BIND=${GRANTFLOW_WEB_BIND:-127.0.0.1:${PORT:-5000}}
# Plain lines for a terminal; production keeps the default, JSON.
export GRANTFLOW_LOG_FORMAT=${GRANTFLOW_LOG_FORMAT:-text}
GF=.venv/bin/grantflow
$GF demo --if-empty
$GF worker &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM
$GF serve
