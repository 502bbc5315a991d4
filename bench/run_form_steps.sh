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
# port with WEB_CONCURRENCY workers (Procfile default 3), and bench/form_steps.py runs once per
# level in CONCURRENCY (default "4 16") for DURATION seconds (default 60). Extra arguments go to
# bench/form_steps.py, e.g. --form housing-register.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "Run bin/setup first (no .venv)." >&2; exit 1; }

workdir="$(mktemp -d "${TMPDIR:-/tmp}/bench-form-steps.XXXXXX")"
server_pid=""
stop() {
  if [ -n "$server_pid" ]; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$workdir"
}
trap stop EXIT INT TERM

export DJANGO_SETTINGS_MODULE=portal.settings.production
export SECRET_KEY="bench-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
export ALLOWED_HOSTS=127.0.0.1,localhost
export MEDIA_ROOT="$workdir/media"
export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
workers="${WEB_CONCURRENCY:-3}"
port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

if [ -z "${DATABASE_URL:-}" ]; then
  export DATABASE_URL="sqlite:///$workdir/bench.sqlite3"
  database="SQLite (temporary file)"
else
  database="PostgreSQL"
  if [[ "$DATABASE_URL" == postgres* ]] && ! psql "$DATABASE_URL" -qAtc "select 1" >/dev/null 2>&1; then
    name="${DATABASE_URL##*/}"
    psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"${name%%\?*}\"" >/dev/null
  fi
  database="$database $(psql "$DATABASE_URL" -qAtc 'show server_version' 2>/dev/null | cut -d' ' -f1)"
fi

echo "Preparing $database: migrate, load_demo_council, collectstatic"
.venv/bin/python manage.py migrate --noinput --verbosity 0
.venv/bin/python manage.py load_demo_council >/dev/null
.venv/bin/python manage.py collectstatic --noinput --verbosity 0

# The Procfile's web command, on a free local port (and a control socket of its own).
command=(.venv/bin/gunicorn portal.wsgi --bind "127.0.0.1:$port" --workers "$workers" --access-logfile -
  --control-socket "$workdir/gunicorn.ctl")
mkdir -p bench/results
log="bench/results/server-${database%% *}.log.tmp"
"${command[@]}" >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { echo "gunicorn did not start; see $log" >&2; exit 1; }
  sleep 0.2
done
echo "gunicorn (pid $server_pid, $workers workers) on 127.0.0.1:$port, log in $log"

status=0
for concurrency in ${CONCURRENCY:-4 16}; do
  .venv/bin/python bench/form_steps.py --base-url "http://127.0.0.1:$port" --https-proxy \
    --concurrency "$concurrency" --duration "${DURATION:-60}" \
    --server-command "${command[*]}" --server-pid "$server_pid" \
    --settings "$DJANGO_SETTINGS_MODULE (DEBUG off)" --database "$database" --workers "$workers" "$@" || status=$?
done
exit "$status"
