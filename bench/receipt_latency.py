"""Submission → receipt latency of a load test's requests, read from the database after the run.

For every request the run submitted (the references in the locust report), each Delivery row
written with it (department webhook, email or RabbitMQ message, the citizen's confirmation;
not later messages such as status-change emails) counts from the
request's `created_at` to the row's `delivered_at`, the moment the relay worker recorded it
sent. Requests whose queue has no outside destination are in their staff queue from the
commit that created them (latency 0, reported as `in_staff_queue_at_commit`). The script waits
up to `--wait` seconds for the worker to finish the run's deliveries; rows still pending then
are reported as undelivered, which fails the check.

The report gets the latency, the date, the git commit and the machine. Run with the server's
settings and DATABASE_URL (bench/run_peak.sh does):

    .venv/bin/python bench/receipt_latency.py --report bench/results/peak-locust.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.form_steps import latency_summary  # noqa: E402
from bench.run_info import git_commit, machine  # noqa: E402

YARDSTICK_P95_MS = 2000
WAITING_STATES = ("pending", "sending", "failed")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, required=True, help="the locust report (bench/locustfile.py --report)")
    parser.add_argument("--wait", type=float, default=60, help="seconds to wait for the worker to finish")
    parser.add_argument("--database", default="not given", help="server database (recorded)")
    parser.add_argument("--gunicorn-workers", default="not given", help="gunicorn worker processes (recorded)")
    parser.add_argument("--relay-workers", default="not given", help="relay worker processes (recorded)")
    return parser.parse_args(argv)


def receipt_latency(references: list[str], wait: float) -> dict[str, Any]:
    """Latency summaries by delivery kind and overall, once the run's deliveries are done or `wait` has passed."""
    from backoffice.models import Delivery, ServiceRequest
    from backoffice.references import normalise_reference

    references = [normalise_reference(reference) for reference in references]
    # The messages written with the request (not later ones, such as status-change emails).
    deliveries = Delivery.objects.filter(request__reference__in=references, event__isnull=True)
    deadline = time.monotonic() + wait
    while deliveries.filter(state__in=WAITING_STATES).exists() and time.monotonic() < deadline:
        time.sleep(1)
    by_kind: dict[str, list[float]] = {}
    for kind, delivered_at, created_at in deliveries.filter(state="delivered").values_list(
        "kind", "delivered_at", "request__created_at"
    ):
        by_kind.setdefault(kind, []).append((delivered_at - created_at).total_seconds())
    with_deliveries = set(deliveries.values_list("request__reference", flat=True))
    every = [seconds for values in by_kind.values() for seconds in values]
    overall = latency_summary(every)
    undelivered = deliveries.exclude(state="delivered").count()
    return {
        "requests": ServiceRequest.objects.filter(reference__in=references).count(),
        "in_staff_queue_at_commit": len(set(references) - with_deliveries),
        "deliveries": overall,
        "by_kind": {kind: latency_summary(values) for kind, values in sorted(by_kind.items())},
        "undelivered": undelivered,
        "yardstick": "Submission → back-office receipt p95 < 2 s with the worker running",
        "yardstick_met": bool(not undelivered and (not every or overall["p95_ms"] < YARDSTICK_P95_MS)),
    }


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    import django

    django.setup()
    report = json.loads(args.report.read_text())
    latency = receipt_latency(report.get("references", []), args.wait)
    report["receipt_latency"] = latency
    report["date"] = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    report["git"], report["machine"] = git_commit(), machine()
    report["server"] = {
        "settings": os.environ.get("DJANGO_SETTINGS_MODULE", ""),
        "database": args.database,
        "gunicorn_workers": args.gunicorn_workers,
        "relay_workers": args.relay_workers,
    }
    args.report.write_text(json.dumps(report, indent=2) + "\n")
    overall = latency["deliveries"]
    print(
        f"Receipt: {latency['requests']} requests, {overall.get('count', 0)} deliveries, "
        f"p50 {overall.get('p50_ms')} ms p95 {overall.get('p95_ms')} ms max {overall.get('max_ms')} ms, "
        f"undelivered {latency['undelivered']}; yardstick met: {latency['yardstick_met']}"
    )
    return 0 if latency["requests"] == len(report.get("references", [])) and not latency["undelivered"] else 1


if __name__ == "__main__":
    sys.exit(main())
