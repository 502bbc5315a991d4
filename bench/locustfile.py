"""Load test of the portal at peak (locust): citizens arriving at a rate, editors publishing, staff working queues.

The peak model (the defaults): 15,000 citizens arrive over 10 minutes at an even rate
(25 a second), each reads a service page and completes that service's four-step e-form
(bench/journey.py makes valid answers from the form's JSON Schema), thinking 3–10 s between
pages. Meanwhile a few editors, logged in to the Wagtail admin, re-publish a service page
every `--publish-every` seconds, and a few staff list the requests of their queues, open one
and change its status with a note.

Arrivals are an open model: `PeakShape` keeps a pool of locust users big enough for the
citizens in flight, and each citizen user waits for the next arrival of the schedule before
starting, so the arrival rate does not drop when the server slows down (an arrival that
finds no free user starts late; the report counts those). The run ends when every arrival
has finished its journey.

    .venv/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:8000 \\
        --admin-username admin --admin-password '…'           # the peak model
    bench/run_peak.sh                                         # server, worker and this, one command
    bench/run_peak.sh --smoke                                 # 60 s, what CI runs

Any failed request or broken journey fails the run (exit status 1). `--report` writes the
summary as JSON: errors, requests per second, and p50/p95/p99 of the step POSTs.
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import gevent
import requests
from locust import HttpUser, LoadTestShape, constant, events, task
from locust.exception import StopUser

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.admin_codes import recovery_codes  # noqa: E402
from bench.journey import (  # noqa: E402
    JourneyClient,
    JourneyError,
    Target,
    describe,
    find_form_url,
    form_schema,
    post_form_fields,
    question_schemas,
    send_secure_cookies_over_http,
)

# Demo e-forms of four steps (the peak is garden-waste renewal day).
DEFAULT_FORMS = "garden-waste,allotment,stray-dog,council-tax-direct-debit"
# A journey: about 9 pauses (service page, start page, 4–5 steps, check answers) and 10 s of requests.
PAUSES_PER_JOURNEY = 9
REQUEST_SECONDS_PER_JOURNEY = 10
REQUEST_LINK = re.compile(r'href="(/admin/requests/\d+/)"')
LATE_ARRIVAL_SECONDS = 1.0


@events.init_command_line_parser.add_listener
def add_arguments(parser: Any) -> None:
    """The peak model's knobs (all also settable as LOCUST_* environment variables)."""
    group = parser.add_argument_group("portal peak model")
    group.add_argument("--citizens", type=int, default=15000, help="citizens arriving in the run")
    group.add_argument("--arrival-seconds", type=float, default=600, help="seconds over which they arrive")
    group.add_argument("--think-min", type=float, default=3.0, help="shortest pause between pages (s)")
    group.add_argument("--think-max", type=float, default=10.0, help="longest pause between pages (s)")
    group.add_argument("--forms", default=DEFAULT_FORMS, help="service slugs whose e-forms citizens complete")
    group.add_argument("--editors", type=int, default=2, help="editors re-publishing service pages")
    group.add_argument("--publish-every", type=float, default=30, help="seconds between an editor's publishes")
    group.add_argument("--staff", type=int, default=3, help="staff working their queues")
    group.add_argument("--work-every", type=float, default=10, help="seconds between a staff member's status changes")
    group.add_argument("--admin-username", default="admin", help="Wagtail admin user of the editors and staff")
    group.add_argument("--admin-password", default="", help="its password (editors and staff need it)")
    group.add_argument("--https-proxy", action="store_true", help="act as a TLS-terminating proxy (production)")
    group.add_argument("--report", default="", help="write the summary to this JSON file")


class Peak:
    """What every user shares: the forms under test and the arrival schedule."""

    targets: list[Target] = []
    service_page_ids: list[int] = []
    arrivals: itertools.count = itertools.count()
    started_at: float = 0.0
    in_flight = 0
    finished = 0
    late = 0
    references: list[str] = []
    lock = threading.Lock()

    @classmethod
    def next_arrival(cls, options: Any) -> float | None:
        """When the next citizen arrives (monotonic time), or None once all have arrived."""
        with cls.lock:
            number = next(cls.arrivals)
            if number >= options.citizens:
                return None
            cls.started_at = cls.started_at or time.monotonic()
            cls.in_flight += 1
            return cls.started_at + number * options.arrival_seconds / options.citizens

    @classmethod
    def done(cls, reference: str | None) -> None:
        with cls.lock:
            cls.in_flight -= 1
            cls.finished += 1
            if reference:
                cls.references.append(reference)


def server_session(options: Any) -> requests.Session:
    """A plain session for reading the forms before the run."""
    return Target(options.host.rstrip("/"), "", {}, options.https_proxy, 30, 1).session()


@events.test_start.add_listener
def load_forms(environment: Any, **_kwargs: Any) -> None:
    """Find each form, its JSON Schema and its service page's id (for the editors) before anyone arrives."""
    options = environment.parsed_options
    base_url = options.host.rstrip("/")
    session = server_session(options)
    Peak.targets, Peak.service_page_ids = [], []
    for slug in filter(None, (item.strip() for item in options.forms.split(","))):
        form_url = find_form_url(base_url, slug, session)
        schema, _source = form_schema(session, form_url, 30)
        Peak.targets.append(
            Target(base_url, form_url, question_schemas(schema), options.https_proxy, 30, random.randrange(10**6))
        )
        found = session.get(f"{base_url}/api/v2/pages/", params={"type": "home.ServicePage", "slug": slug}, timeout=30)
        found.raise_for_status()
        Peak.service_page_ids += [item["id"] for item in found.json()["items"]]
    if not Peak.targets:
        sys.exit("No form to test: give --forms")


class LocustJourney(JourneyClient):
    """A journey whose requests go through a locust user's client, so locust times and counts them."""

    def __init__(self, user: PortalUser, target: Target, number: int):
        super().__init__(target, number)
        self.user = user

    def call(self, kind: str, method: str, url: str, expect: int, **kwargs: Any) -> requests.Response:
        with self.user.client.request(
            method, url, name=kind, allow_redirects=False, catch_response=True, timeout=self.target.timeout, **kwargs
        ) as response:
            if self.target.https_proxy:
                send_secure_cookies_over_http(self.user.client)
            if response.status_code == expect:
                response.success()
                return response
            response.failure(describe(response, expect))
        error = JourneyError(kind, describe(response, expect), url)
        error.reported = True
        raise error

    def think(self) -> None:
        options = self.user.environment.parsed_options
        gevent.sleep(random.uniform(options.think_min, options.think_max))


class PortalUser(HttpUser):
    """A locust user talking to the portal as the load balancer would (X-Forwarded-Proto with --https-proxy)."""

    abstract = True

    def on_start(self) -> None:
        if self.environment.parsed_options.https_proxy:
            self.client.headers["X-Forwarded-Proto"] = "https"

    def report(self, error: JourneyError) -> None:
        """Count an error the requests did not already count (e.g. a step shown again) as a failure."""
        if not getattr(error, "reported", False):
            self.environment.events.request.fire(
                request_type="JOURNEY",
                name=error.kind,
                response_time=0,
                response_length=0,
                exception=AssertionError(f"{error.message} ({urlsplit(error.url).path})"),
                context={},
            )


class Citizen(PortalUser):
    """Waits for the next arrival, reads the service page, completes the e-form; then waits for the next."""

    wait_time = constant(0)

    @task
    def arrive(self) -> None:
        options = self.environment.parsed_options
        arrival = Peak.next_arrival(options)
        if arrival is None:
            raise StopUser()
        delay = arrival - time.monotonic()
        if delay > 0:
            gevent.sleep(delay)
        elif -delay > LATE_ARRIVAL_SECONDS:
            Peak.late += 1
        target = random.choice(Peak.targets)
        journey = LocustJourney(self, target, random.randrange(10**9))
        self.client.cookies.clear()
        reference = None
        try:
            journey.call("service_page", "GET", target.form_url.removesuffix("form/"), 200)
            journey.think()
            reference, _steps = journey.journey()
        except JourneyError as error:
            self.report(error)
        finally:
            Peak.done(reference)


class AdminUser(PortalUser):
    """Someone signed in to the Wagtail admin, password and recovery code (editors and staff share the account)."""

    abstract = True
    codes = None

    def on_start(self) -> None:
        super().on_start()
        options = self.environment.parsed_options
        self.journey = LocustJourney(self, Peak.targets[0], 0)
        login = urljoin(self.host, "/admin/login/")
        page = self.journey.call("admin_login", "GET", login, 200).text
        data = [(field.name, field.value) for field in post_form_fields(page) if field.type == "hidden"]
        data += [("username", options.admin_username), ("password", options.admin_password)]
        try:
            self.journey.post("admin_login", login, data)
            verify = urljoin(self.host, "/admin/second-factor/")
            page = self.journey.call("admin_second_factor", "GET", verify, 200).text
            self.submit("admin_second_factor", verify, page, [("code", self.recovery_code())], "/second-factor/")
        except JourneyError as error:
            self.report(error)
            raise StopUser() from None

    def recovery_code(self) -> str:
        """An unused recovery code of the admin account (bench/admin_codes.py): one per admin user."""
        if AdminUser.codes is None:
            AdminUser.codes = iter(recovery_codes(self.environment.parsed_options.admin_password))
        return next(AdminUser.codes)

    def submit(self, kind: str, url: str, page: str, fields: list[tuple[str, str]], action_ending: str = "") -> None:
        """POST the page's form (hidden fields as given, `fields` added) and expect a redirect."""
        controls = post_form_fields(page, action_ending)
        hidden = [(control.name, control.value) for control in controls if control.type == "hidden"]
        self.journey.post(kind, url, hidden + fields)


class Editor(AdminUser):
    """Opens a service page in the editor, then publishes it again (every --publish-every seconds)."""

    fixed_count = 2

    def wait_time(self) -> float:
        return self.environment.parsed_options.publish_every

    @task
    def publish(self) -> None:
        if not Peak.service_page_ids:
            return
        page_id = random.choice(Peak.service_page_ids)
        try:
            self.journey.call("admin_edit_page", "GET", urljoin(self.host, f"/admin/pages/{page_id}/edit/"), 200)
            url = urljoin(self.host, f"/admin/bulk/wagtailcore/page/publish/?id={page_id}")
            page = self.journey.call("admin_publish_confirm", "GET", url, 200).text
            self.submit("admin_publish", url, page, [])
        except JourneyError as error:
            self.report(error)


class Staff(AdminUser):
    """Lists the requests of their queues, opens one and changes its status (every --work-every seconds)."""

    fixed_count = 3

    def wait_time(self) -> float:
        return self.environment.parsed_options.work_every

    @task
    def work_queue(self) -> None:
        try:
            listing = self.journey.call("staff_list", "GET", urljoin(self.host, "/admin/requests/"), 200).text
            links = REQUEST_LINK.findall(listing)
            if not links:
                return
            url = urljoin(self.host, random.choice(links))
            page = self.journey.call("staff_open", "GET", url, 200).text
            fields = [("status", "in_progress"), ("public_note", ""), ("internal_note", "Checked at peak.")]
            self.submit("staff_status", url + "status/", page, fields, action_ending="/status/")
        except JourneyError as error:
            self.report(error)


@events.init.add_listener
def size_fixed_users(environment: Any, **_kwargs: Any) -> None:
    """Editors and staff are fixed counts from the options (locust starts them first)."""
    options = environment.parsed_options
    if options is not None:
        Editor.fixed_count, Staff.fixed_count = options.editors, options.staff


class PeakShape(LoadTestShape):
    """Enough users for the citizens in flight at the arrival rate; stops once every arrival has finished."""

    def tick(self) -> tuple[int, float] | None:
        options = self.runner.environment.parsed_options
        rate = options.citizens / options.arrival_seconds
        mean_pause = (options.think_min + options.think_max) / 2
        journey_seconds = PAUSES_PER_JOURNEY * mean_pause + REQUEST_SECONDS_PER_JOURNEY
        citizens = min(options.citizens, math.ceil(rate * journey_seconds * 1.5) + 2)
        arrived_all = Peak.finished >= options.citizens
        overdue = self.get_run_time() > options.arrival_seconds + 10 * journey_seconds
        if arrived_all or overdue:
            return None
        return citizens + options.editors + options.staff, max(10.0, rate * 4)


@events.test_stop.add_listener
def write_report(environment: Any, **_kwargs: Any) -> None:
    """Print (and with --report write) the summary; any error or unfinished arrival fails the run."""
    options = environment.parsed_options
    stats = environment.stats
    total = stats.total
    step_post = stats.get("step_post", "POST")
    elapsed = max(total.last_request_timestamp - total.start_time, 1e-9) if total.num_requests else 0
    summary = {
        "citizens": {"planned": options.citizens, "finished": Peak.finished, "submitted": len(Peak.references)},
        "arrival_seconds": options.arrival_seconds,
        "late_arrivals": Peak.late,
        "errors": total.num_failures + len(environment.runner.exceptions if environment.runner else {}),
        "errors_by_name": {f"{entry.method} {entry.name}": entry.occurrences for entry in stats.errors.values()},
        "requests": total.num_requests,
        "requests_per_second": round(total.num_requests / elapsed, 1) if elapsed else 0,
        "step_post_ms": {
            "count": step_post.num_requests,
            **{f"p{int(q * 100)}": step_post.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)},
        },
        "by_name": {
            f"{entry.method} {entry.name}": {
                "count": entry.num_requests,
                "failures": entry.num_failures,
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
            }
            for entry in sorted(stats.entries.values(), key=lambda entry: entry.name)
        },
        "references": Peak.references,
    }
    shown = {key: value for key, value in summary.items() if key not in ("by_name", "references")}
    print(json.dumps(shown, indent=2))
    if options.report:
        Path(options.report).write_text(json.dumps(summary, indent=2) + "\n")
    if summary["errors"] or Peak.finished < options.citizens:
        environment.process_exit_code = 1
