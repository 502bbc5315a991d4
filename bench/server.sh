# Shared by the bench/run_*.sh scripts (source it): a portal started the way production runs it.
#
#   bench_environment WORKDIR    production settings with only the required variables, a
#                                temporary SQLite database unless DATABASE_URL is set (a missing
#                                PostgreSQL database is created; an existing one is kept); sets
#                                $database to a description of it
#   bench_prepare                migrate, load the demo council, collect static files
#   free_port                    prints a free local TCP port
#   bench_start NAME LOG CMD...  starts CMD in the background, remembers its pid for bench_stop,
#                                sets $started_pid
#   wait_healthy PID URL         waits until URL answers (or PID dies)
#   bench_stop                   stops every process bench_start started (call it from a trap)
#   https_get URL                curl as the TLS-terminating proxy would (X-Forwarded-Proto: https)
#   cpu_pin CPUS                 sets $pinned to the command prefix that runs on those CPUs (taskset's list,
#                                e.g. 0 or 0-1; taskset execs, so a started pid stays the process's); none when empty
#   pin_services CPUS            moves this machine's running PostgreSQL and Redis onto CPUS (undo: pin_services "")

bench_pids=()

bench_environment() {
  local workdir="$1"
  export DJANGO_SETTINGS_MODULE=portal.settings.production
  SECRET_KEY="bench-$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(40))')"
  export SECRET_KEY
  # The load test's citizens all come from 127.0.0.1: per-address limits would stop it.
  export SUBMIT_RATE_LIMIT=1000000 SAVE_RATE_LIMIT=1000000 SAVE_EMAIL_RATE_LIMIT=1000000 TRACK_RATE_LIMIT=1000000
  export ALLOWED_HOSTS=127.0.0.1,localhost
  export VIRUS_SCAN="${VIRUS_SCAN:-off}"  # the benchmark measures the portal, not clamd
  export MEDIA_ROOT="$workdir/media"
  export EMAIL_BACKEND=django.core.mail.backends.locmem.EmailBackend
  # Encryption keys derived from the database's URL: a kept PostgreSQL database (DATABASE_URL) is
  # read by the next run with the same keys (random keys would leave the last run's requests
  # undecryptable). Benchmark keys only, never a production database's.
  local seed="${DATABASE_URL:-$workdir}"
  FIELD_ENCRYPTION_KEYS="$(.venv/bin/python -c 'import base64, hashlib, sys; print(base64.urlsafe_b64encode(hashlib.sha256(b"bench-fields:" + sys.argv[1].encode()).digest()).decode())' "$seed")"
  FIELD_INDEX_KEY="bench-index-$(.venv/bin/python -c 'import hashlib, sys; print(hashlib.sha256(b"bench-index:" + sys.argv[1].encode()).hexdigest())' "$seed")"
  export FIELD_ENCRYPTION_KEYS FIELD_INDEX_KEY
  if [ -z "${DATABASE_URL:-}" ]; then
    export DATABASE_URL="sqlite:///$workdir/bench.sqlite3"
    database="SQLite (temporary file)"
  elif [[ "$DATABASE_URL" != postgres* ]]; then
    database="${DATABASE_URL%%:*} database"
  else
    database="PostgreSQL"
    if ! psql "$DATABASE_URL" -qAtc "select 1" >/dev/null 2>&1; then
      local name="${DATABASE_URL##*/}"
      psql "${DATABASE_URL%/*}/postgres" -qc "CREATE DATABASE \"${name%%\?*}\"" >/dev/null
    fi
    database="$database $(psql "$DATABASE_URL" -qAtc 'show server_version' 2>/dev/null | cut -d' ' -f1)"
  fi
}

bench_prepare() {
  echo "Preparing $database: migrate, load_demo_council, collectstatic"
  .venv/bin/python manage.py migrate --noinput --verbosity 0
  .venv/bin/python manage.py load_demo_council >/dev/null
  .venv/bin/python manage.py collectstatic --noinput --verbosity 0
}

free_port() {
  .venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

bench_start() {
  local name="$1" log="$2"
  shift 2
  "$@" >"$log" 2>&1 &
  started_pid=$!
  bench_pids+=("$started_pid")
  echo "$name started (pid $started_pid), log in $log"
}

wait_healthy() {
  local pid="$1" url="$2"
  for _ in $(seq 150); do
    curl -fs -H "X-Forwarded-Proto: https" "$url" >/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || { echo "process $pid exited before $url answered" >&2; return 1; }
    sleep 0.2
  done
  echo "$url did not answer in 30 s" >&2
  return 1
}

bench_stop() {
  local pid
  for pid in "${bench_pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${bench_pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  bench_pids=()
}

https_get() {
  curl -fsS -H "X-Forwarded-Proto: https" "$@"
}

cpu_pin() {
  pinned=()
  [ -z "$1" ] || pinned=(taskset -c "$1")
}

pin_services() {
  local cpus="${1:-0-$(($(nproc) - 1))}" pid
  for pid in $(pgrep -x postgres; pgrep -x redis-server); do
    taskset -apc "$cpus" "$pid" >/dev/null
  done
}
