"""Benchmark the service-level pages (team leaders' view, its CSVs, the request list by due date) with
1,000 and 100,000 requests.

In this process, on a temporary SQLite copy of the demo council (tests/demo_database.py, the
test settings): requests are added straight into the table (bulk inserts, not the intake: this
measures reading them) across every department's queue, received over the last 12 weeks, two
in three resolved, one in ten without a target, one in twenty waiting for the citizen. At each
size every page is rendered N times with the Django test client as a superuser (every queue).
Reports queries per render and p50/p95 render time for each size side by side, and whether the
queries stayed the same; results go to bench/results/service_levels.json.

    .venv/bin/python bench/service_levels.py                          # 1,000 and 100,000 requests, N=20
    .venv/bin/python bench/service_levels.py --sizes 100 1000 --renders 3 --output /tmp/sl.json   # a quick try
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.coverage_dashboard import measure, set_up_django  # noqa: E402
from bench.run_info import git_commit, machine  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "service_levels.json"
URLS = {
    "service_levels": "/admin/service-levels/",
    "queues_csv": "/admin/service-levels/queues.csv",
    "weeks_csv": "/admin/service-levels/weeks.csv",
    "requests_by_due_date": "/admin/requests/?ordering=due_at",
    "overdue_requests": "/admin/requests/?due=overdue",
}
BATCH = 5000
OPEN_MIX = ["received", "in_progress"] * 9 + ["waiting"]  # one open request in twenty waits for the citizen


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000], help="numbers of requests")
    parser.add_argument("--renders", type=int, default=20, help="renders of each page at each size")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def grow_requests(to: int, rng: random.Random) -> int:
    """Add requests until there are `to`; return how many there are now."""
    from django.utils import timezone

    from backoffice.models import Queue, ServiceRequest, Status
    from backoffice.references import new_reference
    from backoffice.service_levels import due_at
    from home.models import ServicePage
    from home.service_levels import Target

    queues = list(Queue.objects.all())
    services = {
        queue.pk: list(ServicePage.objects.filter(department=queue.department_id).only("pk")) for queue in queues
    }
    queues = [queue for queue in queues if services[queue.pk]]
    now = timezone.now()
    target = Target(5, "working_days")
    missing = to - ServiceRequest.objects.count()
    while missing > 0:
        rows, received = [], []
        for _ in range(min(BATCH, missing)):
            queue = rng.choice(queues)
            created = now - dt.timedelta(seconds=rng.randrange(12 * 7 * 86400))
            has_target = rng.random() > 0.1
            resolved = created + dt.timedelta(hours=rng.expovariate(1 / 60)) if rng.random() < 2 / 3 else None
            if resolved and resolved > now:
                resolved = None
            status = Status.RESOLVED if resolved else rng.choice(OPEN_MIX)
            received.append(created)
            rows.append(
                ServiceRequest(
                    reference=new_reference(),
                    service=rng.choice(services[queue.pk]),
                    queue=queue,
                    status=status,
                    resolved_at=resolved,
                    target_amount=target.amount if has_target else None,
                    target_unit=target.unit if has_target else "",
                    due_at=due_at(created, target) if has_target else None,
                    paused_at=now if status == Status.WAITING and has_target else None,
                )
            )
        made = ServiceRequest.objects.bulk_create(rows)
        for row, created in zip(made, received, strict=True):
            row.created_at = created  # bulk_create stamped them now (auto_now_add)
        ServiceRequest.objects.bulk_update(made, ["created_at"], batch_size=500)
        missing -= len(made)
    return ServiceRequest.objects.count()


def main(argv=None) -> dict:
    args = parse_args(argv)
    rng = random.Random(13)
    with tempfile.TemporaryDirectory(prefix="bench-service-levels-") as folder:
        set_up_django(Path(folder))
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "bench@example.invalid", "bench"))
        sizes = {}
        for size in args.sizes:
            requests = grow_requests(size, rng)
            sizes[str(size)] = {
                "requests": requests,
                **{name: measure(client, url, args.renders) for name, url in URLS.items()},
            }
            print(f"{requests} requests: {json.dumps(sizes[str(size)])}", flush=True)
    first, last = str(args.sizes[0]), str(args.sizes[-1])
    result = {
        "benchmark": "service_levels",
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "SQLite (temporary copy of the demo council)",
        "settings": "portal.settings.test",
        **git_commit(),
        "machine": machine(),
        "sizes": sizes,
        "queries_constant": all(
            sizes[first][name]["queries_per_render"] == sizes[last][name]["queries_per_render"] for name in URLS
        ),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {args.output}")
    return result


if __name__ == "__main__":
    main()
