"""Benchmark the service coverage dashboard (and its CSV and the public page) with 100 and 1,000 services.

In this process, on a temporary SQLite copy of the demo council (tests/demo_database.py, the
test settings): the catalogue is grown to 100 services, then to 1,000 (the extra services are
made with tests/home/factories.py: one in ten with an external link, one in twenty information
only, the rest not online), and at each size every page is rendered N times with the Django
test client as a superuser. Reports queries per render and p50/p95 render time for each size
side by side; results go to bench/results/coverage_dashboard.json.

    .venv/bin/python bench/coverage_dashboard.py              # N=50
    .venv/bin/python bench/coverage_dashboard.py --renders 20
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.run_info import git_commit, machine  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "coverage_dashboard.json"
SIZES = (100, 1000)
URLS = {"dashboard": "/admin/coverage/", "csv": "/admin/coverage/coverage.csv", "public_page": "/online-services/"}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--renders", type=int, default=50, help="renders of each page at each size")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def set_up_django(folder: Path) -> None:
    """Point Django's test settings at a fresh copy of the demo council in `folder`."""
    from tests.demo_database import copy_demo_database

    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["DATABASE_URL"] = copy_demo_database("", folder / "bench.sqlite3", "")
    import django

    django.setup()


def grow_catalogue(to: int) -> int:
    """Add services under a benchmark category until there are `to` live services; return how many now."""
    from home.models import CategoryPage, ServicePage
    from tests.home.factories import make_category, make_services

    category = CategoryPage.objects.filter(slug="bench").first() or make_category("Benchmark", "bench")
    start = ServicePage.objects.child_of(category).count()
    for number in range(start, start + to - ServicePage.objects.live().count()):
        fields = {}
        if number % 10 == 0:
            fields["external_url"] = "https://pay.example.gov.uk/"
        elif number % 20 == 1:
            fields["information_only"] = True
        make_services(category, 1, slug_start=number, **fields)
    return ServicePage.objects.live().count()


def measure(client, url: str, renders: int) -> dict:
    """Queries per render (the same every time, or the list) and render times in milliseconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm per-process caches
    times, queries = [], set()
    for _ in range(renders):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries.add(len(captured))
    times.sort()
    return {
        "queries_per_render": queries.pop() if len(queries) == 1 else sorted(queries),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, round(0.95 * len(times)) - 1)], 1),
        "renders": renders,
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-coverage-") as folder:
        set_up_django(Path(folder))
        from django.contrib.auth import get_user_model
        from django.test import Client

        from insights.coverage import coverage

        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "bench@example.invalid", "bench"))
        sizes = {}
        for size in SIZES:
            services = grow_catalogue(size)
            overall = coverage().overall
            sizes[str(size)] = {
                "services": services,
                "transactional": overall.transactional,
                "online": overall.online,
                **{name: measure(client, url, args.renders) for name, url in URLS.items()},
            }
            print(f"{services} services: {json.dumps(sizes[str(size)])}", flush=True)
    return write_result("coverage_dashboard", sizes, URLS, args.output)


def write_result(benchmark: str, sizes: dict, urls: dict, output: Path) -> dict:
    """Write the results of every size, with the run's details and whether each page's queries stayed the same."""
    first, last = list(sizes.values())[0], list(sizes.values())[-1]
    result = {
        "benchmark": benchmark,
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": "SQLite (temporary copy of the demo council)",
        "settings": "portal.settings.test",
        **git_commit(),
        "machine": machine(),
        "sizes": sizes,
        "queries_constant": all(first[name]["queries_per_render"] == last[name]["queries_per_render"] for name in urls),
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"Wrote {output}")
    return result


if __name__ == "__main__":
    main()
