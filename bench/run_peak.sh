#!/usr/bin/env bash
# The peak-model load test (bench/locustfile.py) against a portal started the way production
# runs it, with the delivery worker, in one command; then submission → receipt latency.
#
#   bench/run_peak.sh            # the peak: 15,000 citizens over 10 minutes, editors, staff
#   bench/run_peak.sh --smoke    # 60 s: 60 citizens, short pauses, 1 editor, 1 staff (CI)
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_peak REDIS_URL=redis://127.0.0.1:6379/5 \
#     bench/run_peak.sh          # the peak as the yardstick means it: PostgreSQL and Redis
#
# Production settings with only the required variables (a temporary SQLite database unless
# DATABASE_URL is set), the demo council, an admin user for the editors and staff, gunicorn
# with gunicorn.conf.py (WEB_CONCURRENCY workers, default 2) and WORKERS relay workers
# (`manage.py deliver`, default 1). Locust runs headless in this process's machine; extra
# arguments go to it (e.g. --citizens 3000 --arrival-seconds 120). Results: the locust report
# with the receipt latency in bench/results/peak.json (smoke: bench/results/peak-smoke.json).
# Exits non-zero on any failed request or journey, an unfinished arrival, or an undelivered
# message.
#
# To keep the load generator off the server's cores, give each side its CPUs (taskset lists):
#   SERVER_CPUS=0 CLIENT_CPUS=1 bench/run_peak.sh --citizens 7500
# runs gunicorn, the relay workers and this machine's PostgreSQL and Redis on CPU 0 and locust on
# CPU 1 (the services are moved back to every CPU at the end).
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "Run bin/setup first (no .venv)." >&2; exit 1; }
source bench/server.sh

model=(--citizens 15000 --arrival-seconds 600 --think-min 3 --think-max 10 --editors 2 --publish-every 30
  --staff 3 --work-every 10)
name=peak
if [ "${1:-}" = "--smoke" ]; then
  shift
  model=(--citizens 60 --arrival-seconds 60 --think-min 0.2 --think-max 1 --editors 1 --publish-every 5
    --staff 1 --work-every 3)
  name=peak-smoke
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/bench-peak.XXXXXX")"
trap 'bench_stop; [ -z "${SERVER_CPUS:-}" ] || pin_services ""; rm -rf "$workdir"' EXIT INT TERM
bench_environment "$workdir"
bench_prepare
admin_password="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(18))')"
DJANGO_SUPERUSER_PASSWORD="$admin_password" .venv/bin/python manage.py createsuperuser --noinput \
  --username loadtest-admin --email loadtest-admin@example.com >/dev/null 2>&1 ||
  DJANGO_SUPERUSER_PASSWORD="$admin_password" .venv/bin/python manage.py shell -c \
    "import os; from django.contrib.auth.models import User; u = User.objects.get(username='loadtest-admin'); u.set_password(os.environ['DJANGO_SUPERUSER_PASSWORD']); u.save()"
DJANGO_SUPERUSER_PASSWORD="$admin_password" .venv/bin/python manage.py shell -c \
  "import os; from bench.admin_codes import give_codes; give_codes('loadtest-admin', os.environ['DJANGO_SUPERUSER_PASSWORD'])"

[ -z "${SERVER_CPUS:-}" ] || pin_services "$SERVER_CPUS"
cpu_pin "${SERVER_CPUS:-}"
server_pin=("${pinned[@]}")
cpu_pin "${CLIENT_CPUS:-}"
client_pin=("${pinned[@]}")
port="$(free_port)"
mkdir -p bench/results
bench_start gunicorn "$workdir/gunicorn.log" "${server_pin[@]}" env WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}" \
  .venv/bin/gunicorn portal.wsgi --config gunicorn.conf.py --bind "127.0.0.1:$port" --access-logfile "$workdir/access.log"
wait_healthy "$started_pid" "http://127.0.0.1:$port/healthz" || { cat "$workdir/gunicorn.log" >&2; exit 1; }
for number in $(seq "${WORKERS:-1}"); do
  bench_start "relay worker $number" "$workdir/worker-$number.log" "${server_pin[@]}" .venv/bin/python manage.py deliver
done

report="bench/results/$name.json"
status=0
"${client_pin[@]}" .venv/bin/locust -f bench/locustfile.py --headless --only-summary --host "http://127.0.0.1:$port" --https-proxy \
  --admin-username loadtest-admin --admin-password="$admin_password" --report "$report" "${model[@]}" "$@" ||
  status=$?
.venv/bin/python bench/receipt_latency.py --report "$report" --database "$database" \
  --gunicorn-workers "${WEB_CONCURRENCY:-2}" --relay-workers "${WORKERS:-1}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "Load test FAILED (see $report; server log $workdir/gunicorn.log follows)" >&2
  tail -n 40 "$workdir/gunicorn.log" >&2
fi
echo "Written to $report"
exit "$status"
