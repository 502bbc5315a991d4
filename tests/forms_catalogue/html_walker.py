"""Complete an e-form journey from its HTML alone, as a citizen who has never seen the form.

The walker knows nothing of the form's definition. It opens the form's start page, follows
"Start now", and on each page fills every control of the page's form by what the HTML says
about it: its type, `autocomplete`, `inputmode` and `accept` attributes, its label and hint
("For example, 52.2053"), and the GOV.UK date input's day, month and year boxes. Radios and
selects get their first option, checkboxes their first box, "add another?" gets No. When the
page comes back with an error summary, the walker reads the messages ("must be 5 or more",
"must be today or in the future", "Select at least 2 options", "must be a number"...) and
changes the answers they name, a bounded number of times. A page without a form to send
(an exit page: "You cannot ... online") sends it back to the last choice it made that has
another option. Check your answers is a page like any other (its declaration is a checkbox);
the confirmation page gives the request's reference.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from bs4 import BeautifulSoup, Tag
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.browser.eforms import UPLOAD_SAMPLES

MAX_REQUESTS = 150  # GETs and POSTs of one journey: far more than the longest form needs
MAX_TRIES = 6  # times one page may come back with errors before the walker gives up
TEXT = "Example answer"
LONG_TEXT = "Some details, written as a resident would write them."
EXAMPLE = re.compile(r"for example,?\s+(.+?)\.?$", re.IGNORECASE)
LIMIT = re.compile(r"must be (?:between )?(-?[\d,]+(?:\.\d+)?) (?:or (?:more|less)|and)")
COUNT = re.compile(r"(at least|no more than) (\d+)")
LENGTH = re.compile(r"(\d[\d,]*) characters or (?:fewer|less)")
DAY = re.compile(r"(?:after|before) (\d{1,2} \w+ \d{4})")


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


def words(element: Tag | None) -> str:
    return " ".join(element.get_text(" ", strip=True).split()) if element else ""


@dataclass
class Control:
    """One named control of the page's form (radios and checkboxes: the whole group)."""

    name: str
    kind: str  # hidden, text, email, tel, textarea, radio, checkbox, select, file
    attrs: dict[str, Any]
    options: list[str] = field(default_factory=list)
    context: str = ""  # label, hints and legend, lower case: what a person reads about the control
    hint: str = ""  # the control's own hint


def own_hint(form: Tag, element: Tag) -> str:
    """The hints and messages the element is described by."""
    return " ".join(words(form.find(id=ref)) for ref in (element.get("aria-describedby") or "").split())


def describe(form: Tag, element: Tag) -> str:
    """What the page says about an element: its label, its hints and its fieldset's legend and hint."""
    parts = [words(form.find("label", attrs={"for": element.get("id")}))] if element.get("id") else []
    parts.append(own_hint(form, element))
    fieldset = element.find_parent("fieldset")
    if fieldset is not None:
        parts += [words(fieldset.find("legend")), words(fieldset.find(class_="govuk-hint"))]
    return " ".join(filter(None, parts)).lower()


def read_controls(form: Tag) -> dict[str, Control]:
    """The controls of a form by name, in page order (submit buttons, and what a person cannot see, left out)."""
    controls: dict[str, Control] = {}
    for element in form.select("input[name], textarea[name], select[name]"):
        name = element["name"]
        kind = element.name if element.name in ("textarea", "select") else element.get("type", "text").lower()
        if kind in ("submit", "button", "image", "reset") or element.find_parent(attrs={"hidden": True}):
            continue
        context, hint = describe(form, element), own_hint(form, element)
        control = controls.setdefault(name, Control(name, kind, dict(element.attrs), context=context, hint=hint))
        if kind in ("radio", "checkbox"):
            control.options.append(element.get("value", "on"))
        elif kind == "select":
            control.options = [option.get("value", "") for option in element.select("option")]
    return controls


def sendable_form(page: BeautifulSoup) -> Tag | None:
    """The page's POST form with a primary (Continue, Send) button, or None (an exit or information page)."""
    main = page.find("main") or page
    for form in main.select("form[method=post], form[method=POST]"):
        if form.select("button.govuk-button:not(.govuk-button--secondary):not(.govuk-button--warning)"):
            return form
    return None


def error_messages(page: BeautifulSoup) -> dict[str, str]:
    """The error summary's messages by the id they link to (without #); {} when there is none."""
    summary = page.select_one(".govuk-error-summary")
    if summary is None:
        return {}
    found = {}
    for item in summary.select("li"):
        link = item.find("a")
        found[link["href"].removeprefix("#") if link and link.get("href") else ""] = words(item)
    return found


def choosable(control: Control) -> list[str]:
    """The options of a radio or select group a person can pick (a select's empty placeholder left out)."""
    return [option for option in control.options if option] or [""]


def is_add_another(control: Control) -> bool:
    return control.name.endswith("add_another")


def past_day() -> date:
    return timezone.localdate() - timedelta(days=10)


def future_day() -> date:
    return timezone.localdate() + timedelta(days=30)


def date_for(context: str, birth: bool) -> date:
    """A date a person would give: a birthday, a date to come, or one gone by."""
    if birth:
        return date(1980, 5, 17)
    if any(clue in context for clue in ("in the future", "from today", "preferred", "would you like", "when will")):
        return future_day()
    return past_day()


def file_for(name: str, accept: str) -> SimpleUploadedFile:
    """A small file of the first type the input's `accept` names (`.png`, `application/pdf`...)."""
    accept = accept.lower()
    for extension, content, content_type in UPLOAD_SAMPLES.values():
        if not accept or f".{extension}" in accept or content_type in accept:
            return SimpleUploadedFile(f"{name.rpartition('-')[2]}.{extension}", content, content_type)
    raise AssertionError(f"{name}: no sample file for accept={accept!r}")


@dataclass
class Walk:
    """One citizen's answers as they change: chosen options, ticked counts, and corrections from errors."""

    choice: dict[str, int] = field(default_factory=dict)  # option index of a radio or select group
    ticks: dict[str, int] = field(default_factory=dict)  # how many boxes of a checkbox group to tick
    text: dict[str, str] = field(default_factory=dict)  # corrected text by control name
    dates: dict[str, date] = field(default_factory=dict)  # dates by group prefix (`<name>` of `<name>-day`)

    # --- filling ---------------------------------------------------------------------------

    def fill(self, controls: dict[str, Control]) -> tuple[dict[str, Any], dict[str, Any]]:
        """POST data and files for every control of the page."""
        data: dict[str, Any] = {}
        files: dict[str, Any] = {}
        for name, control in controls.items():
            if control.kind == "file":
                files[name] = file_for(name, control.attrs.get("accept", ""))
            elif control.kind == "checkbox":
                data[name] = control.options[: max(1, self.ticks.get(name, 1))]
            elif control.kind in ("radio", "select"):
                data[name] = self.option(control)
            else:
                data[name] = self.text_for(control)
        return data, files

    def option(self, control: Control) -> str:
        options = choosable(control)
        return options[self.index(control) % len(options)]

    def index(self, control: Control) -> int:
        """Which option of a radio or select group to choose: the first, or No to "add another?"."""
        options = choosable(control)
        default = options.index("no") if is_add_another(control) and "no" in options else 0
        return self.choice.get(control.name, default)

    def text_for(self, control: Control) -> str:
        if control.kind == "hidden":
            return control.attrs.get("value", "")
        if control.name in self.text:
            return self.text[control.name]
        group, _, part = control.name.rpartition("-")
        if part in ("day", "month", "year") and "govuk-date-input__input" in control.attrs.get("class", []):
            birth = "bday" in control.attrs.get("autocomplete", "")
            day = self.dates.setdefault(group, date_for(control.context, birth))
            return str(getattr(day, part))
        return self.typed(control)

    @staticmethod
    def typed(control: Control) -> str:
        """What a person types in a box, from its type, autocomplete, label and hint."""
        kind, autocomplete = control.kind, control.attrs.get("autocomplete", "")
        known = {
            "given-name": "Sam",
            "family-name": "Okafor",
            "address-line1": "14 Mill Lane",
            "address-line2": "",
            "address-level2": "Ashworth",
            "postal-code": "AB4 7QT",
        }
        if autocomplete in known:
            return known[autocomplete]
        if kind == "email" or autocomplete == "email":
            return "sam.okafor@example.com"
        if kind == "tel" or autocomplete.startswith("tel"):
            return "01632 960001"
        example = EXAMPLE.search(control.hint)
        if example and kind != "textarea":
            return example.group(1).split(",")[0].split(" or ")[0].strip().upper()
        if control.attrs.get("inputmode") in ("numeric", "decimal"):
            return "2"
        return LONG_TEXT if kind == "textarea" else TEXT

    # --- correcting ------------------------------------------------------------------------

    def correct(self, controls: dict[str, Control], errors: dict[str, str]) -> bool:
        """Change the answers the error messages name; False when no message says what to change."""
        changed = False
        for target, message in errors.items():
            for control in self.named_by(controls, target):
                changed = self.correct_one(control, message.lower()) or changed
        return changed

    @staticmethod
    def named_by(controls: dict[str, Control], target: str) -> list[Control]:
        """The controls an error summary link points at: its id is `id_<name>` or a part or option of it."""
        name = target.removeprefix("id_")
        found = [control for control in controls.values() if control.name == name]
        found = found or [control for control in controls.values() if control.name.startswith(f"{name}-")]
        return found or [control for control in controls.values() if name.startswith(control.name)]

    def correct_one(self, control: Control, message: str) -> bool:
        group, _, part = control.name.rpartition("-")
        if part in ("day", "month", "year") and group:
            return self.correct_date(group, message)
        if control.kind in ("radio", "select"):
            self.choice[control.name] = self.index(control) + 1
            return len(choosable(control)) > 1
        if control.kind == "checkbox":
            count = COUNT.search(message)
            self.ticks[control.name] = int(count.group(2)) if count else self.ticks.get(control.name, 1) + 1
            return True
        limit, length = LIMIT.search(message), LENGTH.search(message)
        if limit:
            value = self.text.get(control.name, "")
            self.text[control.name] = limit.group(1).replace(",", "") if value != limit.group(1) else "1"
        elif length:
            self.text[control.name] = TEXT[: int(length.group(1).replace(",", ""))]
        elif "number" in message:
            self.text[control.name] = "2"
        elif control.kind in ("text", "textarea") and self.text.get(control.name) is None:
            self.text[control.name] = "AB12 3CD"  # a format the page did not explain: try a code of letters and digits
        else:
            return False
        return True

    def correct_date(self, group: str, message: str) -> bool:
        day = DAY.search(message)
        if day:
            self.dates[group] = datetime.strptime(day.group(1), "%d %B %Y").date()
        elif "future" in message:
            self.dates[group] = future_day()
        elif "past" in message:
            self.dates[group] = past_day()
        else:
            return False
        return True


class HtmlJourney:
    """Drive one journey through the web views with a Django test client, from the pages' HTML."""

    def __init__(self, client, form_url: str):
        self.client = client
        self.form_url = form_url
        self.walk = Walk()
        self.trail: list[tuple[str, list[Control]]] = []  # pages sent: URL and the choices made there
        self.exits: list[str] = []  # headings of the exit pages met on the way
        self.requests = 0

    def get(self, url: str):
        """GET a URL, following redirects; the final response (its URL in `request["PATH_INFO"]`)."""
        response = self.client.get(url, follow=True)
        self.requests += 1
        assert response.status_code == 200, f"GET {url}: {response.status_code}"
        return response

    def start(self):
        page = soup(self.get(self.form_url))
        start = page.select_one("a.govuk-button--start") or page.find("a", string=re.compile("Start now"))
        assert start is not None, f"{self.form_url}: no Start now button"
        return self.get(start["href"])

    def complete(self) -> str:
        """Answer every page until the confirmation; the reference it shows."""
        response = self.start()
        tries = 0
        while self.requests < MAX_REQUESTS:
            page = soup(response)
            url = response.request["PATH_INFO"]
            reference = page.select_one("[data-reference]")
            if reference is not None:
                return words(reference)
            form = sendable_form(page)
            if form is None:
                response = self.back_from_exit(page, url)
                continue
            controls = read_controls(form)
            errors = error_messages(page)
            if errors:
                tries += 1
                assert tries <= MAX_TRIES and self.walk.correct(controls, errors), f"{url}: stuck on {errors}"
            else:
                tries = 0
            data, files = self.walk.fill(controls)
            sent = self.client.post(form.get("action") or url, {**data, **files})
            self.requests += 1
            assert sent.status_code in (200, 302), f"POST {url}: {sent.status_code}"
            if sent.status_code == 302:
                choices = [c for c in controls.values() if c.kind in ("radio", "select") and not is_add_another(c)]
                self.trail.append((url, choices))
                response = self.get(sent["Location"])
            else:
                response = sent
        raise AssertionError(f"{self.form_url}: no confirmation after {MAX_REQUESTS} requests")

    def back_from_exit(self, page: BeautifulSoup, url: str):
        """Go back to the latest choice that has another option, and choose that one instead."""
        self.exits.append(words(page.find("h1")))
        while self.trail:
            step_url, choices = self.trail.pop()
            for control in reversed(choices):
                index = self.walk.index(control) + 1
                if index < len(choosable(control)):
                    self.walk.choice[control.name] = index
                    return self.get(step_url)
        raise AssertionError(f"{url}: every choice leads to a page without a form ({self.exits})")
