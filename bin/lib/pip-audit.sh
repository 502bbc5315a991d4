#!/usr/bin/env bash
# pip-audit of requirements.txt against the PyPI advisory database (bin/check runs it).
#
# The advisory database is on the network (pypi.org). When it cannot be reached the check FAILS
# and says so: an audit that did not run is not a clean audit. On a machine known to be offline,
# PIP_AUDIT=skip skips it with a warning (CI never sets it).
set -uo pipefail
cd "$(dirname "$0")/../.."

if [ "${PIP_AUDIT:-}" = "skip" ]; then
  echo "WARNING: pip-audit skipped (PIP_AUDIT=skip): requirements.txt was NOT checked for known vulnerabilities." >&2
  exit 0
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# --requirement resolves requirements.txt (ranges and dependencies) as pip would install it today.
.venv/bin/pip-audit --requirement requirements.txt --progress-spinner off --desc off --vulnerability-service pypi \
  >"$log" 2>&1
status=$?
cat "$log"
if [ "$status" -ne 0 ] && grep -qiE "connection|timed? ?out|resolve|network|unreachable|ssl|max retries" "$log" \
  && ! grep -qiE "known vulnerabilit" "$log"; then
  echo "pip-audit could not reach the advisory database (pypi.org): the audit did not run." >&2
  echo "Fix the network, or on an offline machine run with PIP_AUDIT=skip (never in CI)." >&2
fi
exit "$status"
