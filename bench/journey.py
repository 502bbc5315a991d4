"""One citizen's e-form journey, shared by the benchmark (bench/form_steps.py) and the load tests (bench/locustfile.py).

Reads a page's POST form, makes valid answers for any form from its published JSON Schema
(`<form url>schema.json`) and the fields of each step page, and walks a whole journey: the
form's start page, "Start now", a GET and a POST of every step, check your answers with the
declaration, and the confirmation page with its reference. How a request is sent and timed
is the caller's (`JourneyClient.call`), so a thread pool and locust drive the same code. Any
unexpected status, a step shown again with errors, or a confirmation without a reference
raises `JourneyError`, which ends that journey.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import math
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import encode_multipart_formdata

from tests import sample_files

REPO = Path(__file__).resolve().parent.parent
CHECK_STEP = "check-answers"
MAX_STEPS = 60
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
# A small real file of each allowed upload type (the server parses what it is given).
FILE_SAMPLES = {
    "application/pdf": ("evidence.pdf", sample_files.pdf()),
    "image/png": ("photo.png", sample_files.png()),
    "image/jpeg": ("photo.jpg", sample_files.jpeg()),
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


def post_form_fields(page: str, action_ending: str = "") -> list[Field]:
    """The controls of the page's `method="post"` forms whose action ends so, in page order (buttons left out)."""
    fields: list[Field] = []
    inside = False
    select: Field | None = None
    for match in TAG.finditer(page):
        closing, tag, attrs = match.group(1), match.group(2).lower(), attributes(match.group(3))
        if tag == "form":
            post = attrs.get("method", "").lower() == "post"
            inside = not closing and post and attrs.get("action", "").endswith(action_ending)
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
    return []  # a box that is no question (the bots' honeypot) is left empty, as a person leaves it


class JourneyError(Exception):
    """A response the journey did not expect; ends the journey."""

    def __init__(self, kind: str, message: str, url: str = ""):
        super().__init__(message)
        self.kind, self.message, self.url = kind, message, url


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


# --- the journey ----------------------------------------------------------------------------


class JourneyClient:
    """One citizen completing one journey; a subclass sends and times each request (`call`)."""

    def __init__(self, target: Target, number: int):
        self.target = target
        self.answers = Answers(target.questions, random.Random(target.seed * 1_000_003 + number))

    def call(self, kind: str, method: str, url: str, expect: int, **kwargs: Any) -> requests.Response:
        """Send one request (no redirects followed); a status other than `expect` is a JourneyError."""
        raise NotImplementedError

    def think(self) -> None:
        """Pause as a citizen reading the page would before going on (no pause by default)."""

    def post(self, kind: str, url: str, data: list[tuple[str, Any]]) -> str:
        """POST a step as a browser would (multipart, Origin and Referer); return where it redirects."""
        body, content_type = encode_multipart_formdata(data)
        path = urlsplit(url).path
        headers = {"Content-Type": content_type, "Origin": self.target.origin, "Referer": self.target.origin + path}
        response = self.call(kind, "POST", url, 302, data=body, headers=headers)
        return urljoin(url, response.headers["Location"])

    def begin(self) -> str:
        """Open the form's start page and press "Start now"; return the first step's URL."""
        form_url = self.target.form_url
        self.call("start_page", "GET", form_url, 200)
        self.think()
        response = self.call("start", "GET", form_url + "start/", 302)
        return urljoin(form_url, response.headers["Location"])

    def open_step(self, url: str) -> tuple[str, list[tuple[str, Any]]]:
        """GET a step; return its name and the POST data that answers it."""
        page = self.call("step_get", "GET", url, 200).text
        step = url.rstrip("/").rsplit("/", 1)[-1]
        fields = post_form_fields(page)
        if not any(control.name.endswith("-current_step") for control in fields):
            raise JourneyError("step_get", "no step form on the page (journey expired?)", url)
        return step, self.answers.post_data(step, fields)

    def journey(self) -> tuple[str, int]:
        """Complete the form from its start page; return the request's reference and the question steps posted."""
        url = self.begin()
        steps, step = 0, ""
        while step != CHECK_STEP:
            if steps > MAX_STEPS:
                raise JourneyError("journey", f"no check-answers page after {MAX_STEPS} steps", url)
            step, data = self.open_step(url)
            kind = "submit_post" if step == CHECK_STEP else "step_post"
            self.think()
            next_url = self.post(kind, url, data)
            if next_url == url:
                raise JourneyError(kind, "redirected back to the same step", url)
            url, steps = next_url, steps + (step != CHECK_STEP)
        if not url.endswith("/confirmation/"):
            raise JourneyError("submit_post", "not redirected to the confirmation page", url)
        reference = REFERENCE.search(self.call("confirmation", "GET", url, 200).text)
        if not reference:
            raise JourneyError("confirmation", "no reference on the confirmation page", url)
        return html.unescape(reference.group(1)), steps


def send_secure_cookies_over_http(session: requests.Session) -> None:
    """Behind `--https-proxy`, send Secure cookies back over plain http, as the proxy's https side would."""
    for cookie in session.cookies:
        cookie.secure = False


def describe(response: requests.Response, expected: int) -> str:
    """Why a response is not the expected one, in a line that groups alike errors together."""
    text = f"expected {expected}, got {response.status_code}"
    if response.is_redirect:
        location = urlsplit(response.headers.get("Location", "")).path
        return f"{text} to {re.sub(r'/[A-Za-z0-9_-]{12,40}/', '/<journey>/', location)}"
    errors = page_errors(response.text) if "html" in response.headers.get("Content-Type", "") else ""
    return f"{text} ({errors})" if errors else text


# --- finding the form ------------------------------------------------------------------------


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
