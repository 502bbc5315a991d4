"""Benchmark the form performance pages (admin) with many forms and a year of journey figures.

In this process, on a temporary SQLite copy of the demo council (tests/demo_database.py, the
test settings): the catalogue is grown to `--services` services, each new one with a small
published e-form (tests/insights/journeys.py), then a year of anonymous figures is made for
`--requests` sent requests (about 1.6 journeys started per request, each stopping at a random
step or sent, completion times spread from 1 to 30 minutes, one feedback answer in ten requests),
stored as the counters the portal keeps. Every page is rendered N times with the Django test
client as a superuser, first with the demo council's figures only, then with all of them.
Reports queries per render and p50/p95 render time; results go to
bench/results/insights_dashboard.json.

    .venv/bin/python bench/insights_dashboard.py                                  # 1,000 services, 100,000 requests
    .venv/bin/python bench/insights_dashboard.py --services 120 --requests 2000 --renders 3   # a quick check
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import tempfile
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.coverage_dashboard import measure, set_up_django, write_result  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "insights_dashboard.json"
JOURNEYS_PER_REQUEST = 1.6


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=1000, help="live services in the grown catalogue")
    parser.add_argument("--requests", type=int, default=100_000, help="requests sent over the year")
    parser.add_argument("--renders", type=int, default=20, help="renders of each page at each size")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    return parser.parse_args(argv)


def grow_forms(services: int) -> int:
    """Add services, each with a published e-form, until there are `services` live services; the number of forms."""
    from forms_catalogue.demo import eform_page
    from forms_catalogue.models import EFormPage
    from home.models import ServicePage
    from tests.home.factories import make_category, make_services
    from tests.insights.journeys import VERSION_2

    category = make_category("Benchmark forms", "bench-forms")
    for number in range(max(0, services - ServicePage.objects.live().count())):
        (service,) = make_services(category, 1, slug_start=number)
        page = eform_page(VERSION_2)
        service.add_child(instance=page)
        page.save_revision().publish()
    return EFormPage.objects.live().count()


def make_figures(requests: int, seed: int = 13) -> dict:
    """A year of counters for `requests` sent requests over every live form; what was made."""
    from django.utils import timezone

    from forms_catalogue.models import EFormPage, ServiceFeedback
    from insights.journey_figures import bucket_for
    from insights.models import CompletionTime, JourneyCount

    rng = random.Random(seed)
    forms = []
    for page in EFormPage.objects.live():
        version = page.current_version()
        steps = [step.id for step in version.definition().steps if not step.is_exit] + ["check-answers"]
        forms.append((page.pk, version.pk, steps))
    today = timezone.localdate()
    counts, times, feedback = Counter(), Counter(), []
    journeys = int(requests * JOURNEYS_PER_REQUEST)
    sent = 0
    for number in range(journeys):
        page_id, version_id, steps = rng.choice(forms)
        day = today - dt.timedelta(days=rng.randrange(364))
        key = (page_id, version_id, day)
        counts[(*key, "started", "")] += 1
        completes = sent < requests and (
            journeys - number <= requests - sent or rng.random() < 1 / JOURNEYS_PER_REQUEST
        )
        furthest = len(steps) if completes else rng.randrange(len(steps))
        for index, step in enumerate(steps[: furthest + 1] if not completes else steps):
            counts[(*key, "reached", step)] += 1
            if completes or index < furthest:
                counts[(*key, "left", step)] += 1
        if completes:
            sent += 1
            counts[(*key, "completed", "")] += 1
            times[(*key, bucket_for(rng.uniform(60, 1800)))] += 1
            if sent % 10 == 0:
                feedback.append(
                    ServiceFeedback(
                        page_id=page_id, version_id=version_id, day=day, rating=rng.randint(1, 5), comment="ok"
                    )
                )
    JourneyCount.objects.bulk_create(
        [
            JourneyCount(page_id=p, version_id=v, day=d, event=e, step=s, count=n)
            for (p, v, d, e, s), n in counts.items()
        ],
        batch_size=2000,
    )
    CompletionTime.objects.bulk_create(
        [CompletionTime(page_id=p, version_id=v, day=d, bucket=b, count=n) for (p, v, d, b), n in times.items()],
        batch_size=2000,
    )
    ServiceFeedback.objects.bulk_create(feedback, batch_size=2000)
    return {"journeys": journeys, "requests": sent, "counter_rows": len(counts) + len(times), "feedback": len(feedback)}


def urls() -> dict[str, str]:
    """The pages measured: the list and its CSV for a year, and the busiest form's page and funnel CSV."""
    from django.db.models import Sum

    from insights.models import JourneyCount

    busiest = (
        JourneyCount.objects.values("page_id").annotate(total=Sum("count")).order_by("-total").first() or {}
    ).get("page_id")
    if busiest is None:
        from forms_catalogue.models import EFormPage

        busiest = EFormPage.objects.live().values_list("pk", flat=True).first()
    year = "?weeks=52"
    return {
        "list": f"/admin/form-performance/{year}",
        "list_csv": f"/admin/form-performance/forms.csv{year}",
        "form_page": f"/admin/form-performance/{busiest}/{year}",
        "funnel_csv": f"/admin/form-performance/{busiest}/funnel.csv{year}",
    }


def main(argv=None) -> dict:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-insights-") as folder:
        set_up_django(Path(folder))
        from django.contrib.auth import get_user_model
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.create_superuser("bench", "bench@example.invalid", "bench"))
        sizes = {}
        before = {name: measure(client, url, args.renders) for name, url in urls().items()}
        sizes["demo council, no figures"] = before
        print(f"before: {json.dumps(before)}", flush=True)
        forms = grow_forms(args.services)
        made = make_figures(args.requests)
        after = {name: measure(client, url, args.renders) for name, url in urls().items()}
        sizes[f"{args.services} services, {args.requests} requests"] = {"forms": forms, **made, **after}
        print(f"after: {json.dumps(sizes[f'{args.services} services, {args.requests} requests'])}", flush=True)
    return write_result("insights_dashboard", sizes, list(before), args.output)


if __name__ == "__main__":
    main()
