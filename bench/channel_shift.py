"""Benchmark the channel-shift dashboard and its CSVs as services and requests grow.

In this process, on a temporary SQLite copy of the demo council (the test settings): the
catalogue is grown to each size's number of services (bench/coverage_dashboard.py's
`grow_catalogue`), requests are added until there are that many, spread over the last twelve
months and over every channel (web, api, open311, phone, face to face, post), and every page is
rendered N times with the Django test client as a superuser. Reports queries per render (which
must not change with size) and p50/p95 render time; results go to bench/results/channel_shift.json.

    .venv/bin/python bench/channel_shift.py                                   # 100/10,000 then 1,000/100,000
    .venv/bin/python bench/channel_shift.py --sizes 20:500,60:2000 --renders 3   # a quick run
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.coverage_dashboard import grow_catalogue, measure, set_up_django, write_result  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "channel_shift.json"
DEFAULT_SIZES = "100:10000,1000:100000"
URLS = {
    "dashboard": "/admin/channel-shift/",
    "months_csv": "/admin/channel-shift/months.csv",
    "services_csv": "/admin/channel-shift/services.csv",
}
CHANNELS = ("web", "web", "web", "api", "open311", "phone", "phone", "face_to_face", "post")
BATCH = 5_000


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """ "100:10000,1000:100000" -> [(100, 10000), (1000, 100000)]: services and requests at each size."""
    sizes = []
    for part in text.split(","):
        services, requests = part.split(":")
        sizes.append((int(services), int(requests)))
    return sizes


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=20, help="renders of each page at each size")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(DEFAULT_SIZES), help="services:requests,...")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def grow_requests(to: int) -> int:
    """Add requests over every live service until there are `to`, a batch per month of the last twelve."""
    from django.utils import timezone

    from backoffice.models import ServiceRequest
    from home.models import ServicePage

    services = itertools.cycle(ServicePage.objects.live().values_list("pk", flat=True))
    channels = itertools.cycle(CHANNELS)
    have = ServiceRequest.objects.count()
    months = itertools.cycle(range(12))
    while have < to:
        count = min(BATCH, to - have)
        last_pk = ServiceRequest.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        ServiceRequest.objects.bulk_create(
            ServiceRequest(reference=f"B{have + n:09d}", service_id=next(services), channel=next(channels))
            for n in range(count)
        )
        when = timezone.now() - dt.timedelta(days=30 * next(months))
        ServiceRequest.objects.filter(pk__gt=last_pk).update(created_at=when)
        have += count
    return have


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-channel-shift-") as folder:
        set_up_django(Path(folder))
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "bench@example.invalid", "bench"))
        sizes = {}
        for services, requests in args.sizes:
            label = f"{services}:{requests}"
            sizes[label] = {
                "services": grow_catalogue(services),
                "requests": grow_requests(requests),
                **{name: measure(client, url, args.renders) for name, url in URLS.items()},
            }
            print(f"{label}: {json.dumps(sizes[label])}", flush=True)
    return write_result("channel_shift", sizes, list(URLS), args.output)


if __name__ == "__main__":
    main()
