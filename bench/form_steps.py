"""Benchmark e-form journeys against a running portal: step POSTs per second and their latency.

Each simulated citizen has its own cookie session and completes one whole journey: the form's
start page, "Start now", then for every step a GET and a POST of valid answers, check your
answers with the declaration, and the confirmation page with its reference. The answers are
made from the form's published JSON Schema (`<form url>schema.json`) and the fields of each
step page, so any form works without per-form code; random choices (seeded) take journeys
down different branches.

Only question-step POSTs count towards the headline POST figures; the final check-answers
POST (which stores the request) is reported on its own as `submit_post`. Any unexpected
status, a step shown again with errors, or a confirmation without a reference is an error:
it ends that journey and is counted and reported, never dropped.

Run against production settings behind plain http with `--https-proxy`: the client then
acts as a TLS-terminating proxy would (X-Forwarded-Proto: https, https Origin, Secure cookies
sent back on the next request), so the server's production security settings stay as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import math
import os
import random
import re
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import encode_multipart_formdata

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.run_info import git_commit, machine  # noqa: E402

DEFAULT_OUTPUT = REPO / "bench" / "results" / "form_steps.json"
YARDSTICK = "A form step POST p95 < 300 ms at 250 requests/s (DESIGN.md, 2 cores)"
YARDSTICK_P95_MS = 300
YARDSTICK_RATE = 250
CHECK_STEP = "check-answers"
MAX_STEPS = 60
ERROR_EXAMPLES = 20
USER_AGENT = "portal-bench-form-steps/1"

TAG = re.compile(r"<(/?)(form|input|select|option|textarea)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r"""([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?""")
ERROR_SUMMARY = re.compile(r"govuk-error-summary__list.*?</ul>", re.DOTALL)
ERROR_ITEM = re.compile(r"<li>(.*?)</li>", re.DOTALL)
REFERENCE = re.compile(r"data-reference>\s*([^<\s][^<]*?)\s*<")
SITEMAP_LOC = re.compile(r"<loc>([^<]+)</loc>")
MARKUP = re.compile(r"<[^>]+>")
# Strings tried, in order, against a question's JSON Schema `pattern` (phone, postcode, UPRN).
PATTERN_SAMPLES = ("01632 960001", "SW1A 2AA", "100023336956")
# The smallest content each allowed upload type is recognised by (the server sniffs content).
FILE_SAMPLES = {
    "application/pdf": ("evidence.pdf", b"%PDF-1.4\n% benchmark upload\n%%EOF\n"),
    "image/png": ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
    "image/jpeg": ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    "text/plain": ("notes.txt", b"Benchmark upload\n"),
}


# --- reading pages ------------------------------------------------------------------------


@dataclass
class Field:
    """One named control of the page's POST form (radios and checkboxes: one per box)."""

    name: str
    type: str
    value: str = ""
    options: list[str] = field(default_factory=list)


def attributes(text: str) -> dict[str, str]:
    return {
        match.group(1).lower(): html.unescape(next((g for g in match.groups()[1:] if g is not None), ""))
        for match in ATTRIBUTE.finditer(text)
    }


def post_form_fields(page: str) -> list[Field]:
    """The controls of the page's `method="post"` form, in page order (buttons left out)."""
    fields: list[Field] = []
    inside = False
    select: Field | None = None
    for match in TAG.finditer(page):
        closing, tag, attrs = match.group(1), match.group(2).lower(), attributes(match.group(3))
        if tag == "form":
            inside = not closing and attrs.get("method", "").lower() == "post"
        elif tag == "select" and closing:
            select = None
        elif not inside or closing or not (attrs.get("name") or tag == "option"):
            continue
        elif tag == "select":
            select = Field(attrs["name"], "select")
            fields.append(select)
        elif tag == "option":
            if select is not None:
                select.options.append(attrs.get("value", ""))
        else:
            kind = attrs.get("type", "text").lower() if tag == "input" else "textarea"
            if kind not in ("submit", "button", "image", "reset"):
                fields.append(Field(attrs["name"], kind, attrs.get("value", "")))
    return fields


def page_errors(page: str) -> str:
    """The messages of a page's GOV.UK error summary, joined; "" when there is none."""
    summary = ERROR_SUMMARY.search(page)
    items = ERROR_ITEM.findall(summary.group(0)) if summary else []
    return "; ".join(" ".join(html.unescape(MARKUP.sub("", item)).split()) for item in items)


# --- answers --------------------------------------------------------------------------------


def question_schemas(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON Schema of each question's answer by question id, repeating steps' questions included."""
    found: dict[str, dict[str, Any]] = {}
    for question_id, answer in schema.get("properties", {}).items():
        items = answer.get("items", {}) if answer.get("type") == "array" else {}
        if items.get("type") == "object":
            found.update(items.get("properties", {}))
        else:
            found[question_id] = answer
    return found


def sample_answer(schema: dict[str, Any], rng: random.Random) -> Any:
    """A valid answer to one question, as JSON, chosen at random within its schema."""
    kind = schema.get("type")
    if "const" in schema:
        return schema["const"]
    if kind == "array":
        options = schema.get("items", {}).get("enum", [])
        low = max(1, schema.get("minItems", 1))
        high = min(schema.get("maxItems", len(options)), len(options))
        return rng.sample(options, rng.randint(low, max(low, high)))
    if "enum" in schema:
        return rng.choice(schema["enum"])
    if kind == "object":
        return {key: sample_answer(part, rng) for key, part in schema.get("properties", {}).items()}
    if kind in ("integer", "number"):
        low = schema.get("minimum", 1)
        high = schema.get("maximum", low + 9)
        return rng.randint(math.ceil(low), math.floor(high)) if kind == "integer" else round(rng.uniform(low, high), 2)
    if schema.get("format") == "date":
        return sample_date(schema.get("x-rules", {}), rng).isoformat()
    if schema.get("format") == "email":
        return f"citizen{rng.randint(1, 99999)}@example.com"
    if "pattern" in schema:
        return next(sample for sample in PATTERN_SAMPLES if re.search(schema["pattern"], sample))
    return "Benchmark answer"[: schema.get("maxLength", 200)]


def sample_date(rules: dict[str, str], rng: random.Random) -> dt.date:
    """A date a few days or weeks from today, on the side the rules ask for and within earliest/latest."""
    today = dt.date.today()
    days = rng.randint(3, 60)
    day = today + dt.timedelta(days=days) if rules.get("direction") == "future" else today - dt.timedelta(days=days)
    if rules.get("earliest"):
        day = max(day, dt.date.fromisoformat(rules["earliest"]))
    if rules.get("latest"):
        day = min(day, dt.date.fromisoformat(rules["latest"]))
    return day


def answer_parts(answer: Any) -> dict[str, Any]:
    """An answer split into the boxes it is typed in: object parts, or day/month/year of a date."""
    if isinstance(answer, dict):
        return answer
    day = dt.date.fromisoformat(str(answer))
    return {"day": str(day.day), "month": str(day.month), "year": str(day.year)}


def upload_for(schema: dict[str, Any]) -> tuple[str, bytes, str]:
    """A small file of the first type the question allows."""
    allowed = schema.get("properties", {}).get("content_type", {}).get("enum", list(FILE_SAMPLES))
    content_type = next(kind for kind in allowed if kind in FILE_SAMPLES)
    name, content = FILE_SAMPLES[content_type]
    return name, content, content_type


class Answers:
    """One journey's answers: chosen once per question from the form's schema, posted as the page asks."""

    def __init__(self, questions: dict[str, dict[str, Any]], rng: random.Random):
        self.questions = questions
        self.rng = rng
        self.chosen: dict[str, Any] = {}

    def answer(self, question_id: str) -> Any:
        if question_id not in self.chosen:
            self.chosen[question_id] = sample_answer(self.questions[question_id], self.rng)
        return self.chosen[question_id]

    def post_data(self, step: str, fields: list[Field]) -> list[tuple[str, Any]]:
        """The multipart fields of a step's POST: hidden fields as given, an answer for every control."""
        groups: dict[str, list[Field]] = {}
        for control in fields:
            groups.setdefault(control.name, []).append(control)
        data: list[tuple[str, Any]] = []
        for name, group in groups.items():
            if group[0].type == "hidden":
                data.append((name, group[0].value))
                continue
            question_id, _, part = name.removeprefix(f"{step}-").partition("-")
            values = self.values(question_id, part, group) if question_id in self.questions else fallback(group)
            data += [(name, value) for value in values]
        return data

    def values(self, question_id: str, part: str, group: list[Field]) -> list[Any]:
        answer = self.answer(question_id)
        kind = group[0].type
        if kind == "file":
            return [upload_for(self.questions[question_id])]
        if part:
            answer = answer_parts(answer).get(part)
        if kind == "checkbox":
            return [group[0].value] if answer is True else [str(value) for value in answer]
        return [] if answer in (None, "") else [str(answer)]


def fallback(group: list[Field]) -> list[str]:
    """Answers for controls that are not questions (add another, the declaration): "no", or tick the box."""
    kind = group[0].type
    options = group[0].options if kind == "select" else [control.value for control in group]
    if kind == "checkbox":
        return [group[0].value or "on"]
    if kind in ("radio", "select"):
        return ["no"] if "no" in options else [next(option for option in options if option)]
    return [] if kind == "file" else ["Benchmark answer"]


# --- measuring ----------------------------------------------------------------------------


class JourneyError(Exception):
    """A response the journey did not expect; ends the journey."""

    def __init__(self, kind: str, message: str, url: str = ""):
        super().__init__(message)
        self.kind, self.message, self.url = kind, message, url


@dataclass
class Stats:
    """What one phase of the run measured; shared by the citizens' threads."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)
    started: int = 0
    completed: int = 0
    references: set[str] = field(default_factory=set)
    steps_per_journey: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def fail(self, error: JourneyError) -> None:
        with self.lock:
            self.errors[f"{error.kind}: {error.message}"] += 1
            if len(self.examples) < ERROR_EXAMPLES:
                self.examples.append({"request": error.kind, "message": error.message, "url": error.url})

    def finish(self, reference: str, steps: int) -> None:
        with self.lock:
            self.completed += 1
            self.references.add(reference)
            self.steps_per_journey.append(steps)


def percentile(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def latency_summary(seconds: list[float]) -> dict[str, float | int]:
    ordered = sorted(seconds)
    if not ordered:
        return {"count": 0}
    points = {
        "mean": sum(ordered) / len(ordered),
        "p50": percentile(ordered, 0.50),
        "p95": percentile(ordered, 0.95),
        "p99": percentile(ordered, 0.99),
        "max": ordered[-1],
    }
    return {"count": len(ordered), **{f"{name}_ms": round(value * 1000, 1) for name, value in points.items()}}


# --- the journey ----------------------------------------------------------------------------


@dataclass
class Target:
    """The form under test and how to talk to the server."""

    base_url: str
    form_url: str
    questions: dict[str, dict[str, Any]]
    https_proxy: bool
    timeout: float
    seed: int

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{'https' if self.https_proxy else parts.scheme}://{parts.netloc}"

    def session(self) -> requests.Session:
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        if self.https_proxy:
            session.headers["X-Forwarded-Proto"] = "https"
        return session


class Citizen:
    """One citizen: a fresh cookie session that completes one journey."""

    def __init__(self, target: Target, stats: Stats, number: int):
        self.target, self.stats = target, stats
        self.session = target.session()
        self.answers = Answers(target.questions, random.Random(target.seed * 1_000_003 + number))

    def call(self, kind: str, method: str, url: str, expect: int, **kwargs: Any) -> requests.Response:
        """One request, timed; a status other than `expect` is a JourneyError."""
        started = time.perf_counter()
        try:
            response = self.session.request(method, url, allow_redirects=False, timeout=self.target.timeout, **kwargs)
        except requests.RequestException as error:
            raise JourneyError(kind, type(error).__name__, url) from None
        self.stats.record(kind, time.perf_counter() - started)
        if self.target.https_proxy:  # the proxy's https side would send Secure cookies back
            for cookie in self.session.cookies:
                cookie.secure = False
        if response.status_code != expect:
            raise JourneyError(kind, describe(response, expect), url)
        return response

    def post(self, kind: str, url: str, data: list[tuple[str, Any]]) -> str:
        """POST a step as a browser would (multipart, Origin and Referer); return where it redirects."""
        body, content_type = encode_multipart_formdata(data)
        path = urlsplit(url).path
        headers = {"Content-Type": content_type, "Origin": self.target.origin, "Referer": self.target.origin + path}
        response = self.call(kind, "POST", url, 302, data=body, headers=headers)
        return urljoin(url, response.headers["Location"])

    def journey(self) -> None:
        form_url = self.target.form_url
        self.call("start_page", "GET", form_url, 200)
        response = self.call("start", "GET", form_url + "start/", 302)
        url = urljoin(form_url, response.headers["Location"])
        steps, step = 0, ""
        while step != CHECK_STEP:
            if steps > MAX_STEPS:
                raise JourneyError("journey", f"no check-answers page after {MAX_STEPS} steps", url)
            page = self.call("step_get", "GET", url, 200).text
            step = url.rstrip("/").rsplit("/", 1)[-1]
            kind = "submit_post" if step == CHECK_STEP else "step_post"
            fields = post_form_fields(page)
            if not any(control.name.endswith("-current_step") for control in fields):
                raise JourneyError("step_get", "no step form on the page (journey expired?)", url)
            next_url = self.post(kind, url, self.answers.post_data(step, fields))
            if next_url == url:
                raise JourneyError(kind, "redirected back to the same step", url)
            url, steps = next_url, steps + (step != CHECK_STEP)
        if not url.endswith("/confirmation/"):
            raise JourneyError("submit_post", "not redirected to the confirmation page", url)
        reference = REFERENCE.search(self.call("confirmation", "GET", url, 200).text)
        if not reference:
            raise JourneyError("confirmation", "no reference on the confirmation page", url)
        self.stats.finish(html.unescape(reference.group(1)), steps)


def describe(response: requests.Response, expected: int) -> str:
    """Why a response is not the expected one, in a line that groups alike errors together."""
    text = f"expected {expected}, got {response.status_code}"
    if response.is_redirect:
        location = urlsplit(response.headers.get("Location", "")).path
        return f"{text} to {re.sub(r'/[A-Za-z0-9_-]{12,40}/', '/<journey>/', location)}"
    errors = page_errors(response.text) if "html" in response.headers.get("Content-Type", "") else ""
    return f"{text} ({errors})" if errors else text


def run_phase(
    target: Target, concurrency: int, journeys: int, duration: float, first_number: int
) -> tuple[Stats, float, float]:
    """Run journeys on `concurrency` threads until `journeys` have started or `duration` has passed."""
    stats = Stats()
    deadline = time.monotonic() + duration if duration else math.inf
    numbers = iter(range(first_number, first_number + journeys) if journeys else range(first_number, sys.maxsize))
    numbers_lock = threading.Lock()

    def next_number() -> int | None:
        with numbers_lock:
            if time.monotonic() >= deadline:
                return None
            number = next(numbers, None)
            if number is not None:
                stats.started += 1
            return number

    def citizen_loop() -> None:
        while (number := next_number()) is not None:
            try:
                Citizen(target, stats, number).journey()
            except JourneyError as error:
                stats.fail(error)

    threads = [threading.Thread(target=citizen_loop, daemon=True) for _ in range(concurrency)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return stats, time.perf_counter() - started, time.process_time() - cpu


# --- setting up and reporting ----------------------------------------------------------------


def find_form_url(base_url: str, form: str, session: requests.Session) -> str:
    """The e-form URL of a service (by its slug, found in the sitemap), or `form` itself when it is a path."""
    if form.startswith("/"):
        return urljoin(base_url, form.rstrip("/") + "/")
    response = session.get(urljoin(base_url, "/sitemap.xml"), timeout=30)
    response.raise_for_status()
    paths = [urlsplit(loc).path for loc in SITEMAP_LOC.findall(response.text)]
    matches = [path for path in paths if path.endswith(f"/{form}/form/")]
    if not matches:
        sys.exit(f"No e-form for the service '{form}' in {base_url}/sitemap.xml (is the demo council loaded?)")
    return urljoin(base_url, matches[0])


def form_schema(session: requests.Session, form_url: str, timeout: float) -> tuple[dict[str, Any], str]:
    """The form's JSON Schema from the server, or else made from the demo form's file by the project's own code."""
    response = session.get(form_url + "schema.json", timeout=timeout)
    if response.status_code == 200:
        return response.json(), "schema.json from the server"
    slug = form_url.rstrip("/").split("/")[-2]
    demo_file = REPO / "forms_catalogue" / "demo_forms" / f"{slug}.json"
    forms = {slug: json.loads(demo_file.read_text())} if demo_file.exists() else {}
    if slug not in forms:
        sys.exit(f"{form_url}schema.json answered {response.status_code} and '{slug}' is not a demo form.")
    sys.path.insert(0, str(REPO))
    from forms_catalogue.definition import FormDefinition
    from forms_catalogue.schema import json_schema

    source = (
        f"forms_catalogue/demo_forms/{slug}.json ({urlsplit(form_url).path}schema.json answered {response.status_code})"
    )
    print(f"Warning: answers made from {source}", file=sys.stderr)
    return json_schema(FormDefinition.from_json(forms[slug])), source


def server_cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU seconds of a process and its children (the gunicorn master and workers)."""
    if not pid:
        return None
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat.parent.name) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def phase_results(stats: Stats, elapsed: float, client_cpu: float) -> dict[str, Any]:
    steps = stats.steps_per_journey
    step_posts = len(stats.latencies.get("step_post", []))
    return {
        "elapsed_s": round(elapsed, 2),
        "step_posts_per_second": round(step_posts / elapsed, 1) if elapsed else 0,
        "requests_per_second": round(sum(map(len, stats.latencies.values())) / elapsed, 1) if elapsed else 0,
        "journeys": {"started": stats.started, "completed": stats.completed, "failed": sum(stats.errors.values())},
        "submissions_with_reference": len(stats.references),
        "question_steps_per_journey": {
            "min": min(steps, default=0),
            "mean": round(sum(steps) / len(steps), 2) if steps else 0,
            "max": max(steps, default=0),
        },
        "errors": {"count": sum(stats.errors.values()), "by_message": dict(stats.errors), "examples": stats.examples},
        "latency_ms": {kind: latency_summary(values) for kind, values in sorted(stats.latencies.items())},
        "client_cpu_s": round(client_cpu, 1),
    }


def write_result(path: Path, run: dict[str, Any]) -> None:
    """Add the run to the results file, replacing an earlier run of the same setup."""
    document = {"benchmark": "form_steps", "yardstick": YARDSTICK, "runs": []}
    if path.exists():
        document = json.loads(path.read_text())

    def key(item: dict[str, Any]) -> tuple:
        server = item["server"]
        return (
            server["database"],
            server["settings"],
            server["workers"],
            item["client"]["concurrency"],
            item["form"]["slug"],
        )

    document["runs"] = [item for item in document["runs"] if key(item) != key(run)] + [run]
    document["runs"].sort(key=lambda item: (item["server"]["database"], item["client"]["concurrency"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    temporary.replace(path)


def print_summary(run: dict[str, Any]) -> None:
    results = run["results"]
    post = results["latency_ms"].get("step_post", {})
    print(
        f"{run['server']['database']}, {run['server']['workers']} workers, concurrency {run['client']['concurrency']}: "
        f"{results['step_posts_per_second']} step POSTs/s ({results['requests_per_second']} requests/s), "
        f"step POST p50 {post.get('p50_ms')} ms p95 {post.get('p95_ms')} ms p99 {post.get('p99_ms')} ms; "
        f"journeys {results['journeys']['completed']}/{results['journeys']['started']} completed, "
        f"errors {results['errors']['count']}; yardstick met: {run['yardstick_met']}"
    )
    for message, count in results["errors"]["by_message"].items():
        print(f"  error x{count}: {message}")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", default="http://127.0.0.1:8000")
    parser.add_argument("--form", default="report-missed-bin", help="service slug (or path) of the e-form")
    parser.add_argument("--concurrency", type=int, default=8, help="citizens completing journeys at once")
    parser.add_argument("--journeys", type=int, default=0, help="stop after this many journeys (0: no limit)")
    parser.add_argument("--duration", type=float, default=30, help="seconds to start new journeys for (0: no limit)")
    parser.add_argument("--warmup", type=int, default=-1, help="unmeasured journeys first (default: concurrency)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--https-proxy", action="store_true", help="act as a TLS-terminating proxy (production)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--server-command", default="not given", help="how the server was started (recorded)")
    parser.add_argument("--settings", default="not given", help="server settings module (recorded)")
    parser.add_argument("--database", default="not given", help="server database (recorded)")
    parser.add_argument("--workers", default="not given", help="server worker processes (recorded)")
    parser.add_argument("--server-pid", type=int, help="gunicorn master pid, to record server CPU time")
    args = parser.parse_args(argv)
    if not args.journeys and not args.duration:
        parser.error("give --journeys or --duration")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    base_url = args.base_url.rstrip("/")
    setup = Target(base_url, "", {}, args.https_proxy, args.timeout, args.seed).session()
    try:
        form_url = find_form_url(base_url, args.form, setup)
        schema, schema_source = form_schema(setup, form_url, args.timeout)
    except requests.RequestException as error:
        sys.exit(f"Cannot read the form from {base_url}: {error}")
    target = Target(base_url, form_url, question_schemas(schema), args.https_proxy, args.timeout, args.seed)

    load_before = os.getloadavg()
    if load_before[0] > (os.cpu_count() or 1):
        print(f"Warning: load average {load_before[0]:.1f} on {os.cpu_count()} CPUs before the run", file=sys.stderr)
    warmup = args.concurrency if args.warmup < 0 else args.warmup
    warm_stats, _, _ = run_phase(target, args.concurrency, warmup, 0, 0) if warmup else (Stats(), 0, 0)
    server_cpu = server_cpu_seconds(args.server_pid)
    stats, elapsed, client_cpu = run_phase(target, args.concurrency, args.journeys, args.duration, warmup)
    server_cpu = server_cpu_seconds(args.server_pid) - server_cpu if server_cpu is not None else None

    results = phase_results(stats, elapsed, client_cpu)
    requests_made = sum(summary["count"] for summary in results["latency_ms"].values())
    results["server_cpu_s"] = round(server_cpu, 1) if server_cpu is not None else None
    results["server_cpu_ms_per_request"] = round(server_cpu * 1000 / requests_made, 1) if server_cpu else None
    results["load_average_1min"] = {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2)}
    post = results["latency_ms"].get("step_post", {})
    run = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "git": git_commit(),
        "machine": machine(),
        "server": {
            "command": args.server_command,
            "settings": args.settings,
            "database": args.database,
            "workers": args.workers,
        },
        "client": {
            "concurrency": args.concurrency,
            "journeys_limit": args.journeys or None,
            "duration_limit_s": args.duration or None,
            "warmup_journeys": warmup,
            "same_machine_as_server": urlsplit(base_url).hostname in ("127.0.0.1", "localhost", "::1"),
            "https_proxy": args.https_proxy,
            "seed": args.seed,
        },
        "form": {
            "slug": args.form,
            "url": urlsplit(form_url).path,
            "title": schema.get("title", ""),
            "answers_from": schema_source,
        },
        "warmup": {"journeys": warm_stats.started, "errors": dict(warm_stats.errors)},
        "results": results,
        "yardstick_met": bool(
            post.get("count")
            and post["p95_ms"] < YARDSTICK_P95_MS
            and results["step_posts_per_second"] >= YARDSTICK_RATE
            and not results["errors"]["count"]
        ),
    }
    write_result(args.output, run)
    print_summary(run)
    print(f"Written to {args.output}")
    return 1 if results["errors"]["count"] or warm_stats.errors else 0


if __name__ == "__main__":
    sys.exit(main())
