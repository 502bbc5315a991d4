"""Profile e-form step POSTs in-process with cProfile and print where their time goes.

Runs journeys of one form through Django's test client on the database the environment
points at (the settings read DATABASE_URL), with the answers bench/form_steps.py would post,
and profiles only the question-step POSTs. Run from the repository root, e.g.:

    DJANGO_SETTINGS_MODULE=portal.settings.production SECRET_KEY=… ALLOWED_HOSTS=127.0.0.1 VIRUS_SCAN=off \\
    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python -m bench.profile_step --journeys 20
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import time
from collections import defaultdict
from typing import Any

import django

# Parts of a step POST to total up: (label, end of the file path, function name).
BREAKDOWN = (
    ("Wagtail routing (Site, page tree, .specific)", "wagtail/models/pages.py", "route_for_request"),
    ("Wagtail view restriction check", "wagtail/models/pages.py", "get_view_restrictions"),
    ("e-form found by route map (forms_catalogue.routing)", "forms_catalogue/routing.py", "find_form"),
    ("session load (SELECT)", "sessions/backends/db.py", "load"),
    ("session load (cache: Redis GET)", "sessions/backends/cache.py", "load"),
    ("session save (UPDATE, COMMIT)", "sessions/middleware.py", "process_response"),
    ("the e-form view (journey_step)", "forms_catalogue/views.py", "journey_step"),
    ("  frozen definition parsed (FormDefinition.from_json)", "forms_catalogue/definition.py", "from_json"),
    ("  form class cache key (dataclasses.asdict)", "dataclasses.py", "asdict"),
)


def post_dict(data: list[tuple[str, Any]]) -> dict[str, Any]:
    """form_steps' multipart fields as the test client's data: lists for repeated names, files uploaded."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    grouped: dict[str, list[Any]] = defaultdict(list)
    for name, value in data:
        grouped[name].append(SimpleUploadedFile(*value) if isinstance(value, tuple) else value)
    return dict(grouped)


def print_breakdown(stats: pstats.Stats, posts: int) -> None:
    """Cumulative time per POST of the parts in BREAKDOWN, and their share of the whole."""
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(entry[3] for entry in entries.values())
    for label, path, name in BREAKDOWN:
        seconds = sum(entry[3] for key, entry in entries.items() if key[0].endswith(path) and key[2] == name)
        print(f"{label:55} {seconds / posts * 1000:6.1f} ms  {seconds / total:4.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--form", default="report-missed-bin", help="service slug of the e-form")
    parser.add_argument("--journeys", type=int, default=20)
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    parser.add_argument("--no-profile", action="store_true", help="only time the POSTs (no profiler overhead)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.journey import CHECK_STEP, Answers, post_form_fields, question_schemas
    from forms_catalogue.models import EFormPage
    from forms_catalogue.schema import json_schema
    from home.models import ServicePage

    page = EFormPage.objects.child_of(ServicePage.objects.get(slug=args.form)).get()
    questions = question_schemas(json_schema(page.current_version().definition()))
    client = Client(HTTP_HOST="127.0.0.1")
    profiler = cProfile.Profile()
    call = (lambda function, *rest, **named: function(*rest, **named)) if args.no_profile else profiler.runcall
    wall = cpu = 0.0
    posts = queries = 0
    for number in range(args.journeys):
        answers = Answers(questions, random.Random(number))
        url = client.get(f"{page.url}start/", secure=True)["Location"]
        while not url.endswith(f"/{CHECK_STEP}/"):
            step = url.rstrip("/").rsplit("/", 1)[-1]
            fields = post_form_fields(client.get(url, secure=True).content.decode())
            data = post_dict(answers.post_data(step, fields))
            started, cpu_started = time.perf_counter(), time.process_time()
            with CaptureQueriesContext(connection) as captured:
                response = call(client.post, url, data, secure=True)
            wall += time.perf_counter() - started
            cpu += time.process_time() - cpu_started
            posts, queries = posts + 1, queries + len(captured)
            assert response.status_code == 302, f"{url}: {response.status_code}"
            url = response["Location"]
    print(
        f"{posts} step POSTs of {args.form}: {wall / posts * 1000:.1f} ms wall, {cpu / posts * 1000:.1f} ms CPU, "
        f"{queries / posts:.1f} SQL queries each" + ("" if args.no_profile else " (under the profiler)")
    )
    if args.no_profile:
        return
    print_breakdown(pstats.Stats(profiler), posts)
    for order in ("cumulative", "tottime") if args.top else ():
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order).print_stats(args.top)
        print(out.getvalue())


if __name__ == "__main__":
    main()
