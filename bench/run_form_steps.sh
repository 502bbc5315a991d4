#!/usr/bin/env bash
# Benchmark e-form step POSTs on a server started the way production runs it, then stop it.
#
#   bench/run_form_steps.sh                      # temporary SQLite database
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench bench/run_form_steps.sh
#
# Production settings (DEBUG off, secure cookies, SSL redirect, HSTS) with only the required
# variables set; the benchmark client acts as the TLS-terminating proxy (X-Forwarded-Proto).
# The database is migrated and the demo council loaded (a missing PostgreSQL database is
# created; an existing one is kept), static files are collected, gunicorn starts on a free
# port with WEB_CONCURRENCY workers (default 3), and bench/form_steps.py runs once per
# level in CONCURRENCY (default "4 16") for DURATION seconds (default 60). Extra arguments go to
# bench/form_steps.py, e.g. --form housing-register.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "Run bin/setup first (no .venv)." >&2; exit 1; }
source bench/server.sh

workdir="$(mktemp -d "${TMPDIR:-/tmp}/bench-form-steps.XXXXXX")"
trap 'bench_stop; rm -rf "$workdir"' EXIT INT TERM

bench_environment "$workdir"
workers="${WEB_CONCURRENCY:-3}"
port="$(free_port)"
bench_prepare

# The Procfile's web command (gunicorn.conf.py), on a free local port.
command=(.venv/bin/gunicorn portal.wsgi --config gunicorn.conf.py --bind "127.0.0.1:$port" --workers "$workers"
  --access-logfile -)
mkdir -p bench/results
log="bench/results/server-${database%% *}.log.tmp"
bench_start gunicorn "$log" "${command[@]}"
server_pid="$started_pid"
wait_healthy "$server_pid" "http://127.0.0.1:$port/healthz" || { echo "gunicorn did not start; see $log" >&2; exit 1; }

status=0
for concurrency in ${CONCURRENCY:-4 16}; do
  .venv/bin/python bench/form_steps.py --base-url "http://127.0.0.1:$port" --https-proxy \
    --concurrency "$concurrency" --duration "${DURATION:-60}" \
    --server-command "${command[*]}" --server-pid "$server_pid" \
    --settings "$DJANGO_SETTINGS_MODULE (DEBUG off)" --database "$database" --workers "$workers" "$@" || status=$?
done
exit "$status"
