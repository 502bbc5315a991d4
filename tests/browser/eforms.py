"""Driving the demo e-forms in a browser: which form is where, and answering a step like a citizen.

The questions come from `forms_catalogue/demo_forms/`, the same files the demo council is
loaded from; the inputs are found by the names the wizard gives them (`<step>-<question>` and
`<step>-<question>-<part>` for a date, name, address or location).
"""

from __future__ import annotations

import json
import math
import re
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from forms_catalogue.definition import ConditionRule, rule_holds
from tests import sample_files

CHECK_STEP = "check-answers"
EXIT_KIND = "exit"
LIST_SUFFIX = "-list"
ITEM_STEP = re.compile(r"^(?P<step>.+)-(?P<number>\d+)$")


DEMO_FORMS_DIR = Path(__file__).resolve().parents[2] / "forms_catalogue" / "demo_forms"


def demo_forms() -> dict[str, dict[str, Any]]:
    """The demo forms by service slug."""
    forms = (json.loads(path.read_text(encoding="utf-8")) for path in sorted(DEMO_FORMS_DIR.glob("*.json")))
    return {form["service_slug"]: form for form in forms}


def tiny_png() -> bytes:
    """A valid 1×1 PNG (uploads are checked by content, not by name)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def upload(name: str = "photo.png", content: bytes | None = None, mime: str = "image/png") -> dict[str, Any]:
    """A file for Playwright's set_input_files."""
    return {"name": name, "mimeType": mime, "buffer": tiny_png() if content is None else content}


PDF = sample_files.pdf()
JPEG = sample_files.jpeg()
# A small file of each upload type the portal recognises by its content: extension, content, type.
UPLOAD_SAMPLES = {
    "png": ("png", tiny_png(), "image/png"),
    "pdf": ("pdf", PDF, "application/pdf"),
    "jpeg": ("jpg", JPEG, "image/jpeg"),
    "txt": ("txt", b"Notes for the council.\n", "text/plain"),
}


def allowed_upload(question: dict[str, Any], name: str | None = None) -> dict[str, Any]:
    """A file of a type the question allows (a PNG when it allows pictures)."""
    allowed = (question.get("rules") or {}).get("allowed_types") or ["png"]
    kind = next((kind for kind in UPLOAD_SAMPLES if kind in allowed), "png")
    extension, content, mime = UPLOAD_SAMPLES[kind]
    return upload(name or f"{question['id']}.{extension}", content, mime)


# --- where a page of a journey is ------------------------------------------------------------


def step_name(url: str) -> str:
    """The step of a journey URL: .../form/<journey id>/<step>/ -> <step>."""
    return url.split("?")[0].rstrip("/").rsplit("/", 1)[-1]


@dataclass
class FormSpec:
    """One demo form's definition, with lookups the walker needs."""

    slug: str
    definition: dict[str, Any]

    @property
    def title(self) -> str:
        return self.definition["title"]

    @property
    def steps(self) -> list[dict[str, Any]]:
        return self.definition["steps"]

    def step(self, name: str) -> dict[str, Any] | None:
        """The definition step behind a step name (an item `people-2` or list `people-list` gives `people`)."""
        by_id = {step["id"]: step for step in self.steps}
        if name in by_id:
            return by_id[name]
        if name.endswith(LIST_SUFFIX) and name.removesuffix(LIST_SUFFIX) in by_id:
            return by_id[name.removesuffix(LIST_SUFFIX)]
        match = ITEM_STEP.match(name)
        return by_id.get(match["step"]) if match else None

    def questions(self) -> dict[str, dict[str, Any]]:
        return {question["id"]: question for step in self.steps for question in step["questions"]}

    def exit_steps(self) -> list[dict[str, Any]]:
        """The steps that end the journey on a page saying why it cannot go on (`"kind": "exit"`)."""
        return [step for step in self.steps if step.get("kind") == EXIT_KIND]

    def exit_step_shown(self, name: str, heading: str) -> dict[str, Any] | None:
        """The exit step a page without a Continue button shows, by its step name or its heading."""
        return next((step for step in self.exit_steps() if name == step["id"] or heading == step["title"]), None)

    def options(self, question_id: str) -> list[str]:
        """The values a choice question offers (yes and no for a yes/no question)."""
        question = self.questions().get(question_id) or {}
        if question.get("type") == "yes_no":
            return ["yes", "no"]
        return [option["value"] for option in question.get("options") or []]

    def other_option(self, question_id: str, *values: str) -> str | None:
        return next((option for option in self.options(question_id) if option not in values), None)

    def satisfying(self, rule: dict[str, str]) -> str | None:
        """An answer that makes a condition rule hold (None when any answer does: `is_answered`)."""
        operator, value, question_id = rule["operator"], rule.get("value", ""), rule["question_id"]
        if operator == "equals":
            return value
        if operator == "any_of":
            return value.split(",")[0].strip()
        if operator == "not_equals":
            return self.other_option(question_id, value)
        if operator in ("greater_than", "less_than"):
            number = float(value)
            return str(math.floor(number) + 1 if operator == "greater_than" else math.ceil(number) - 1)
        return None

    def violating(self, rule: dict[str, str]) -> str | None:
        """An answer that makes a condition rule fail (None when there is none to give)."""
        operator, value, question_id = rule["operator"], rule.get("value", ""), rule["question_id"]
        if operator == "equals":
            return self.other_option(question_id, value)
        if operator == "any_of":
            return self.other_option(question_id, *(item.strip() for item in value.split(",")))
        if operator == "not_equals":
            return value
        if operator in ("greater_than", "less_than"):
            return str(round(float(value)))
        return None

    def conditional_choices(self) -> list[dict[str, str]]:
        """Sets of choices that, between them, show every conditional step and question at least once.

        A condition wants an answer that makes its rules hold (`q equals v` wants v for q); when
        conditions want different answers to the same question, each gets its own walk through the
        form. Exit steps are left out: every one of these walks avoids them (see `walks`).
        """
        wanted: dict[str, list[str]] = defaultdict(list)
        conditions = [step.get("condition") for step in self.steps if step.get("kind") != EXIT_KIND]
        conditions += [question.get("condition") for step in self.steps for question in step["questions"]]
        for condition in filter(None, conditions):
            for rule in condition.get("rules", []):
                value = self.satisfying(rule)
                if value is not None and value not in wanted[rule["question_id"]]:
                    wanted[rule["question_id"]].append(value)
        walks = max((len(values) for values in wanted.values()), default=1)
        return [{qid: values[min(n, len(values) - 1)] for qid, values in wanted.items()} for n in range(walks)]

    def default_answer(self, question_id: str, choices: dict[str, str]) -> Any:
        """The answer the walker gives a question with these choices (see `fill_question`)."""
        question = self.questions().get(question_id) or {}
        chosen = choices.get(question_id)
        kind = question.get("type")
        if kind == "checkboxes":
            return boxes_to_tick(question, chosen)
        if chosen is not None:
            return chosen
        if kind == "yes_no":
            return "no"
        if kind in ("radios", "select"):
            return question["options"][0]["value"]
        return number_answer(question.get("rules") or {}) if kind == "number" else "Example"

    def avoiding_exits(self, choices: dict[str, str]) -> dict[str, str]:
        """The choices, with answers added that make every exit condition false: a condition that all its
        rules must meet loses one rule (preferably of a question the choices leave free), one that any
        rule may meet loses them all."""
        avoided = dict(choices)
        for step in self.exit_steps():
            condition = step.get("condition") or {}
            holding = [
                rule
                for rule in condition.get("rules", [])
                if rule_holds(ConditionRule(**rule), self.default_answer(rule["question_id"], avoided))
            ]
            breakable = [rule for rule in holding if self.violating(rule) is not None]
            if condition.get("match") != "any":
                if len(holding) < len(condition.get("rules", [])):
                    continue  # a rule fails already
                breakable = sorted(breakable, key=lambda rule: rule["question_id"] in choices)[:1]
            avoided.update({rule["question_id"]: self.violating(rule) for rule in breakable})
        return avoided

    def exit_reaching(self, step: dict[str, Any]) -> dict[str, str]:
        """Answers that make an exit step's condition hold."""
        condition = step.get("condition") or {}
        rules = condition.get("rules", [])
        made = [(rule["question_id"], self.satisfying(rule)) for rule in rules]
        made = [(question_id, value) for question_id, value in made if value is not None]
        return dict(made[:1] if condition.get("match") == "any" else made)

    def walks(self) -> list[dict[str, str]]:
        """The walks through the form: those showing every question step (and avoiding exit pages), then one
        walk to each exit page."""
        walks = [self.avoiding_exits(choices) for choices in self.conditional_choices()]
        return walks + [{**walks[0], **self.exit_reaching(step)} for step in self.exit_steps()]


def form_specs() -> list[FormSpec]:
    return [FormSpec(slug, definition) for slug, definition in demo_forms().items()]


# --- answering -------------------------------------------------------------------------------


@dataclass
class Answers:
    """What the walker types: preferred options by question id, and what it wants to change or make invalid."""

    choices: dict[str, str] = field(default_factory=dict)
    text: dict[str, str] = field(default_factory=dict)


def past_day() -> date:
    return date.today() - timedelta(days=40)


def future_day() -> date:
    return date.today() + timedelta(days=21)


def visible_questions(page, name: str, spec: FormSpec) -> list[dict[str, Any]]:
    """The questions of the step on the page (a question whose condition does not hold is not there).

    Counting does not wait: the step's document must be whole first, or a question not yet parsed
    (right after a redirect's new URL shows) would be taken for one whose condition does not hold.
    """
    page.wait_for_load_state()
    step = spec.step(name)
    if step is None or name.endswith(LIST_SUFFIX):
        return []
    return [
        question
        for question in step["questions"]
        if page.locator(f'[name="{name}-{question["id"]}"], [name^="{name}-{question["id"]}-"]').count()
    ]


def number_answer(rules: dict[str, Any]) -> str:
    """A whole number within the question's limits: 1, or the nearest limit."""
    value = 1
    if rules.get("min_value") not in (None, ""):
        value = max(value, math.ceil(float(rules["min_value"])))
    if rules.get("max_value") not in (None, ""):
        value = min(value, math.floor(float(rules["max_value"])))
    return str(value)


def date_answer(question: dict[str, Any]) -> date:
    """A birthday, or a day on the side of today the rules ask for, moved inside earliest and latest."""
    rules = question.get("rules") or {}
    if "birth" in question["id"]:
        day = date(1980, 5, 17)
    else:
        day = future_day() if rules.get("direction") == "future" else past_day()
    if rules.get("earliest"):
        day = max(day, date.fromisoformat(rules["earliest"]))
    if rules.get("latest"):
        day = min(day, date.fromisoformat(rules["latest"]))
    return day


def boxes_to_tick(question: dict[str, Any], chosen: str | None) -> list[str]:
    """The chosen box (or the first), and more until the question's minimum is met."""
    values = [option["value"] for option in question["options"]]
    first = chosen if chosen in values else values[0]
    wanted = max(1, int((question.get("rules") or {}).get("min_selections") or 1))
    return [first] + [value for value in values if value != first][: wanted - 1]


def fill_question(page, name: str, question: dict[str, Any], answers: Answers) -> None:
    """Give a valid answer to one question, as a person would: typing, choosing, ticking, uploading."""
    field_name = f"{name}-{question['id']}"
    kind = question["type"]
    rules = question.get("rules") or {}
    chosen = answers.choices.get(question["id"])
    text = answers.text.get(question["id"])
    if kind in ("short_text", "long_text"):
        limit = int(rules.get("max_length") or 2000)
        page.fill(f'[name="{field_name}"]', (text or ("Example" if kind == "short_text" else "Some details."))[:limit])
    elif kind == "email":
        page.fill(f'[name="{field_name}"]', text or "citizen@example.com")
    elif kind == "phone":
        page.fill(f'[name="{field_name}"]', text or "01632 960001")
    elif kind == "number":
        page.fill(f'[name="{field_name}"]', text or chosen or number_answer(rules))
    elif kind == "date":
        day = date_answer(question)
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
            page.fill(f'[name="{field_name}-{part}"]', str(value))
    elif kind in ("radios", "yes_no"):
        value = chosen or ("no" if kind == "yes_no" else question["options"][0]["value"])
        page.check(f'[name="{field_name}"][value="{value}"]')
    elif kind == "checkboxes":
        for value in boxes_to_tick(question, chosen):
            page.check(f'[name="{field_name}"][value="{value}"]')
    elif kind == "select":
        page.select_option(f'[name="{field_name}"]', chosen or question["options"][0]["value"])
    elif kind == "declaration":
        page.check(f'[name="{field_name}"]')
    elif kind == "name":
        first, _, last = (text or "Sam Example").partition(" ")
        page.fill(f'[name="{field_name}-first_name"]', first)
        page.fill(f'[name="{field_name}-last_name"]', last)
    elif kind == "address":
        page.fill(f'[name="{field_name}-line1"]', text or "14 Mill Lane")
        page.fill(f'[name="{field_name}-town"]', "Ashworth")
        page.fill(f'[name="{field_name}-postcode"]', "SW1A 2AA")
    elif kind == "location":
        page.fill(f'[name="{field_name}-description"]', text or "Outside 14 Mill Lane")
        page.fill(f'[name="{field_name}-postcode"]', "")
    elif kind == "file":
        page.set_input_files(f'[name="{field_name}"]', allowed_upload(question, text))
    else:  # a new question type: the walker must learn it
        raise AssertionError(f"the browser tests do not know how to answer a {kind!r} question")


def fill_invalid(page, name: str, question: dict[str, Any]) -> bool:
    """Give an answer the form must reject; False when the question type has none to give."""
    field_name = f"{name}-{question['id']}"
    kind = question["type"]
    limit = int((question.get("rules") or {}).get("max_length") or 2000)
    if kind in ("short_text", "long_text"):
        page.fill(f'[name="{field_name}"]', "x" * (limit + 1))
    elif kind == "email":
        page.fill(f'[name="{field_name}"]', "not an email address")
    elif kind == "phone":
        page.fill(f'[name="{field_name}"]', "12345")
    elif kind == "number":
        page.fill(f'[name="{field_name}"]', "lots")
    elif kind == "date":
        page.fill(f'[name="{field_name}-day"]', "31")
        page.fill(f'[name="{field_name}-month"]', "2")
    elif kind == "name":
        page.fill(f'[name="{field_name}-first_name"]', "Sam")
    elif kind in ("address", "location"):
        page.fill(f'[name="{field_name}-postcode"]', "not a postcode")
    elif kind == "file":
        page.set_input_files(f'[name="{field_name}"]', upload("notes.png", b"just text, not a picture", "image/png"))
    else:
        return False
    return True


def answer_step(page, spec: FormSpec, answers: Answers, add_another: bool = False) -> list[str]:
    """Answer every question of the step on the page (or "add another?"); the question ids answered."""
    page.wait_for_load_state()  # what is on the page is counted below, which does not wait
    name = step_name(page.url)
    if name.endswith(LIST_SUFFIX):
        minimum = int(((spec.step(name) or {}).get("repeat") or {}).get("min_items") or 0)
        add_another = add_another or page.locator(".govuk-summary-list__row").count() < minimum
        if page.locator(f'[name="{name}-add_another"]').count():
            page.check(f'[name="{name}-add_another"][value="{"yes" if add_another else "no"}"]')
        return []
    questions = visible_questions(page, name, spec)
    for question in questions:
        fill_question(page, name, question, answers)
    return [question["id"] for question in questions]


def make_step_invalid(page, spec: FormSpec) -> None:
    """Leave required questions empty and give optional ones an answer the form rejects."""
    name = step_name(page.url)
    if name == CHECK_STEP or name.endswith(LIST_SUFFIX):
        return  # the declaration and "add another?" are required: empty is invalid
    for question in visible_questions(page, name, spec):
        if question.get("required", True) is False:
            fill_invalid(page, name, question)


def continue_button(page):
    return page.locator("form button.govuk-button:not(.govuk-button--secondary)").first


def summary_value(page, label: str) -> str:
    """The answer shown for a label on check your answers (the first row with that label)."""
    row = page.locator(".govuk-summary-list__row", has=page.locator(".govuk-summary-list__key", has_text=label))
    return row.first.locator(".govuk-summary-list__value").inner_text().strip()
