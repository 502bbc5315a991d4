"""Driving the demo e-forms in a browser: which form is where, and answering a step like a citizen.

The questions come from `forms_catalogue/demo_forms/`, the same files the demo council is
loaded from; the inputs are found by the names the wizard gives them (`<step>-<question>` and
`<step>-<question>-<part>` for a date, name, address or location).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

CHECK_STEP = "check-answers"
EXIT = "exit"
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
        """The exit pages: a journey whose answers make one's condition hold ends there."""
        return [step for step in self.steps if step.get("kind") == EXIT]

    def choices_avoiding_exits(self) -> dict[str, str]:
        """A value, for each question an exit page tests with `equals` or `any_of`, that does not lead there."""
        avoid: dict[str, str] = {}
        for step in self.exit_steps():
            for rule in step["condition"]["rules"]:
                question = self.questions().get(rule["question_id"], {})
                values = [option["value"] for option in question.get("options", ())] or ["yes", "no"]
                exits = {item.strip() for item in rule["value"].split(",")}
                if rule["operator"] in ("equals", "any_of"):
                    avoid[rule["question_id"]] = next(value for value in values if value not in exits)
        return avoid

    def choices_leading_to(self, exit_step: dict[str, Any]) -> dict[str, str]:
        """Choices that make the journey end on this exit page (its `equals` and `any_of` rules)."""
        return {
            rule["question_id"]: rule["value"].split(",")[0].strip()
            for rule in exit_step["condition"]["rules"]
            if rule["operator"] in ("equals", "any_of")
        }

    def conditional_choices(self) -> list[dict[str, str]]:
        """Sets of choices that, between them, show every conditional step and question at least once.

        A condition `q equals v` (or `any_of`) wants v chosen for q; when conditions want
        different values of the same question, each value gets its own walk through the form.
        Exit pages are left out: `answer_step` keeps away from them unless told otherwise.
        """
        wanted: dict[str, list[str]] = defaultdict(list)
        conditions = [step.get("condition") for step in self.steps if step.get("kind") != EXIT]
        conditions += [question.get("condition") for step in self.steps for question in step["questions"]]
        for condition in filter(None, conditions):
            for rule in condition.get("rules", []):
                if rule["operator"] == "equals":
                    value = rule["value"]
                elif rule["operator"] == "any_of":
                    value = rule["value"].split(",")[0].strip()
                else:
                    continue
                if value not in wanted[rule["question_id"]]:
                    wanted[rule["question_id"]].append(value)
        walks = max((len(values) for values in wanted.values()), default=1)
        return [{qid: values[min(n, len(values) - 1)] for qid, values in wanted.items()} for n in range(walks)]


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
    """The questions of the step on the page (a question whose condition does not hold is not there)."""
    step = spec.step(name)
    if step is None or name.endswith(LIST_SUFFIX):
        return []
    return [
        question
        for question in step["questions"]
        if page.locator(f'[name="{name}-{question["id"]}"], [name^="{name}-{question["id"]}-"]').count()
    ]


def fill_question(page, name: str, question: dict[str, Any], answers: Answers) -> None:
    """Give a valid answer to one question, as a person would: typing, choosing, ticking, uploading."""
    field_name = f"{name}-{question['id']}"
    kind = question["type"]
    rules = question.get("rules") or {}
    chosen = answers.choices.get(question["id"])
    text = answers.text.get(question["id"])
    if kind in ("short_text", "long_text"):
        page.fill(f'[name="{field_name}"]', text or ("Example" if kind == "short_text" else "Some details."))
    elif kind == "email":
        page.fill(f'[name="{field_name}"]', text or "citizen@example.com")
    elif kind == "phone":
        page.fill(f'[name="{field_name}"]', text or "01632 960001")
    elif kind == "number":
        low = float(rules.get("min_value") or 1)
        page.fill(f'[name="{field_name}"]', text or str(max(1, int(low) + (0 if low == int(low) else 1))))
    elif kind == "date":
        day = future_day() if rules.get("direction") == "future" else past_day()
        if "birth" in question["id"]:
            day = date(1980, 5, 17)
        for part, value in (("day", day.day), ("month", day.month), ("year", day.year)):
            page.fill(f'[name="{field_name}-{part}"]', str(value))
    elif kind in ("radios", "yes_no"):
        value = chosen or ("no" if kind == "yes_no" else question["options"][0]["value"])
        page.check(f'[name="{field_name}"][value="{value}"]')
    elif kind == "checkboxes":
        page.check(f'[name="{field_name}"][value="{chosen or question["options"][0]["value"]}"]')
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
        page.set_input_files(f'[name="{field_name}"]', upload(text or f"{question['id']}.png"))
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
    """Answer every question of the step on the page (or "add another?"); the question ids answered.

    Unless the answers choose otherwise, a question an exit page tests gets an answer that does not lead there.
    """
    answers = Answers({**spec.choices_avoiding_exits(), **answers.choices}, answers.text)
    name = step_name(page.url)
    if name.endswith(LIST_SUFFIX):
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
