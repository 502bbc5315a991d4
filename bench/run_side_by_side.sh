#!/usr/bin/env bash
# Side-by-side benchmark in one command: the portal and a bare `wagtail start` site under the
# same gunicorn settings, measured in one run by bench/side_by_side.py (wrk, 16 connections).
#
#   bench/run_side_by_side.sh                 # 30 s per measurement
#   DURATION=5 bench/run_side_by_side.sh      # a quick check that everything works
#
# The portal runs with production settings on a temporary SQLite database with the demo
# council (bench/server.sh); the anchor site is generated with the virtualenv's
# `wagtail start` into a temporary folder, with bench/anchor/ copied in (a contrib.forms form
# of the same 5 fields, production-like settings, SQLite). Both run gunicorn with the portal's
# gunicorn.conf.py, WEB_CONCURRENCY=2 sync workers (set it to compare another count), no access
# log. A static file of the service page's size is put among the collected static files for
# whitenoise to serve, and removed afterwards. wrk is installed with apt-get when missing (as
# root or with sudo); if that fails, a Python client measures instead (less precisely). Extra arguments go to bench/side_by_side.py.
# Results: bench/results/side_by_side.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || { echo "Run bin/setup first (no .venv)." >&2; exit 1; }
source bench/server.sh
repo="$PWD"

if ! command -v wrk >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing wrk (apt-get install wrk)"
  { $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } ||
    echo "Could not install wrk: using the Python client" >&2
fi

workdir="$(mktemp -d "${TMPDIR:-/tmp}/bench-side-by-side.XXXXXX")"
static_file="staticfiles/bench-side-by-side/service-page-size.html"
trap 'bench_stop; rm -rf "$workdir" "$(dirname "$static_file")"' EXIT INT TERM
export WEB_CONCURRENCY="${WEB_CONCURRENCY:-2}" GUNICORN_THREADS=1 GUNICORN_ACCESS_LOG=""
form="${FORM:-resident-parking-permit}"

# The portal: production settings, demo council, and a static file of its service page's size.
bench_environment "$workdir"
bench_prepare
size="$(.venv/bin/python manage.py shell --no-imports --verbosity 0 -c "
from django.test import Client
from home.models import ServicePage
page = ServicePage.objects.live().get(slug='$form')
print(len(Client().get(page.url, HTTP_HOST='127.0.0.1', secure=True).content))" | tail -n 1)"
mkdir -p "$(dirname "$static_file")"
.venv/bin/python -c "import sys; open(sys.argv[1], 'w').write(('<p>' + 'x' * 76 + '</p>\n') * (int(sys.argv[2]) // 84 + 1))" \
  "$static_file" "$size"
truncate -s "$size" "$static_file"
portal_port="$(free_port)"
bench_start "portal gunicorn" "$workdir/portal.log" \
  .venv/bin/gunicorn portal.wsgi --config gunicorn.conf.py --bind "127.0.0.1:$portal_port"
portal_pid="$started_pid"
wait_healthy "$portal_pid" "http://127.0.0.1:$portal_port/healthz" || { cat "$workdir/portal.log" >&2; exit 1; }

# The anchor: `wagtail start`, the form page of bench/anchor, the same gunicorn settings.
echo "Generating the anchor site with wagtail start"
anchor="$workdir/anchor"
mkdir -p "$anchor"
.venv/bin/wagtail start anchor "$anchor" >/dev/null
cp -r bench/anchor/benchforms "$anchor/"
cp bench/anchor/local.py "$anchor/anchor/settings/local.py"
anchor_port="$(free_port)"
(
  cd "$anchor"
  export DJANGO_SETTINGS_MODULE=anchor.settings.production ANCHOR_DATABASE="$anchor/db.sqlite3"
  "$repo/.venv/bin/python" manage.py migrate --noinput --verbosity 0
  "$repo/.venv/bin/python" manage.py collectstatic --noinput --verbosity 0
  "$repo/.venv/bin/python" manage.py setup_anchor
)
bench_start "anchor gunicorn" "$workdir/anchor.log" env -C "$anchor" DJANGO_SETTINGS_MODULE=anchor.settings.production \
  ANCHOR_DATABASE="$anchor/db.sqlite3" "$repo/.venv/bin/gunicorn" anchor.wsgi --config "$repo/gunicorn.conf.py" \
  --bind "127.0.0.1:$anchor_port"
anchor_pid="$started_pid"
wait_healthy "$anchor_pid" "http://127.0.0.1:$anchor_port/" || { cat "$workdir/anchor.log" >&2; exit 1; }

.venv/bin/python bench/side_by_side.py --portal "http://127.0.0.1:$portal_port" --anchor "http://127.0.0.1:$anchor_port" \
  --portal-pid "$portal_pid" --anchor-pid "$anchor_pid" --form "$form" --duration "${DURATION:-30}" \
  --static-path "/static/bench-side-by-side/service-page-size.html" \
  --server-command "gunicorn <app>.wsgi --config gunicorn.conf.py (WEB_CONCURRENCY=$WEB_CONCURRENCY, sync)" "$@"
