# Sourced by bin/test and bin/exhaustive: run pytest passes and report the wall time.
# pytest's exit code 5 (nothing selected) is not a failure: a pass may have nothing to run.

started=$(date +%s)

pytest_pass() { # title, then pytest arguments; returns 0 when green or nothing was selected, 5 for nothing
  echo "== $1 =="
  shift
  local status=0
  .venv/bin/pytest -n "${TEST_WORKERS:-auto}" -p no:cacheprovider "$@" || status=$?
  if [ "$status" -ne 0 ] && [ "$status" -ne 5 ]; then
    exit "$status"
  fi
  return "$status"
}

report_wall_time() { # what was green
  local elapsed=$(( $(date +%s) - started ))
  printf '%s in %dm %02ds wall time\n' "$1" $((elapsed / 60)) $((elapsed % 60))
}
