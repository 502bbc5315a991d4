"""Drive e-form journeys through the web views as a browser without JavaScript does.

A `Journey` opens each step, reads its HTML form, fills the inputs a person would from answers
written in the shape they are stored (dates as ISO strings, names and addresses as dicts,
checkboxes as lists, files as `Upload`s), posts the form with the page's own hidden fields,
and follows the redirect. Posting a name the page does not show fails the test, so the
journeys prove the rendered forms work, not only the views behind them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from jsonschema import Draft202012Validator
from wagtail.models import Locale

from backoffice.models import ServiceRequest
from forms_catalogue.models import EFormPage
from home.models import ServicePage
from tests import sample_files

CHECK = "check-answers"
REFERENCE = re.compile(r"^[ACDEFGHJKMNPQRTUVWXY2345679]{10}$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ITEM_STEP = re.compile(r"^(?P<step>[a-z0-9_]+)-(?P<number>\d+)$")


def form_page(slug: str) -> EFormPage:
    """The live e-form of a demo service (the English one: a Welsh translation has the same slug)."""
    return EFormPage.objects.child_of(ServicePage.objects.get(slug=slug, locale=Locale.get_default())).live().get()


# --- files --------------------------------------------------------------------------------

PNG_BYTES = sample_files.png()  # real files, which the upload checks keep byte for byte
JPEG_BYTES = sample_files.jpeg()
PDF_BYTES = sample_files.pdf()
HTML_BYTES = sample_files.HTML


@dataclass(frozen=True)
class Upload:
    """A file a citizen chooses: its name, content, what the browser says it is and what it really is."""

    name: str
    content: bytes
    browser_type: str
    real_type: str = ""

    def file(self) -> SimpleUploadedFile:
        return SimpleUploadedFile(self.name, self.content, content_type=self.browser_type)

    def stored(self) -> dict[str, Any]:
        """The answer stored for it: name, size and the type found from its content."""
        return {"name": self.name, "size": len(self.content), "content_type": self.real_type}


def png(name: str = "photo.png", content: bytes = PNG_BYTES) -> Upload:
    return Upload(name, content, "image/png", "image/png")


def jpeg(name: str = "photo.jpg") -> Upload:
    return Upload(name, JPEG_BYTES, "image/jpeg", "image/jpeg")


def pdf(name: str = "letter.pdf") -> Upload:
    return Upload(name, PDF_BYTES, "application/pdf", "application/pdf")


def stored_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers as a request stores them: each Upload as its metadata (also inside repeated items)."""

    def convert(value: Any) -> Any:
        if isinstance(value, Upload):
            return value.stored()
        if isinstance(value, list) and value and isinstance(value[0], dict):
            return [stored_answers(item) for item in value]
        return value

    return {key: convert(value) for key, value in answers.items()}


def uploads_in(answers: dict[str, Any]) -> dict[str, Upload]:
    """The Uploads among the answers, by question id (repeating steps are not searched)."""
    return {key: value for key, value in answers.items() if isinstance(value, Upload)}


# --- dates --------------------------------------------------------------------------------


def days_from_today(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


PAST = days_from_today(-10)
FUTURE = days_from_today(30)


# --- reading pages ------------------------------------------------------------------------


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.content.decode(), "html.parser")


@dataclass
class PageForm:
    """The form of a rendered step: hidden values, what its inputs show, and the options of each choice."""

    action: str
    hidden: dict[str, str]
    values: dict[str, Any]
    names: set[str]
    options: dict[str, list[str]]
    files: set[str]

    @classmethod
    def read(cls, response) -> PageForm:
        form = soup(response).select_one("main form[method=post]")
        assert form is not None, "the page has no form"
        page = cls(form.get("action", ""), {}, {}, set(), {}, set())
        for element in form.select("input[name], textarea[name], select[name]"):
            name, kind = element["name"], element.get("type", "text")
            if kind == "hidden":
                page.hidden[name] = element.get("value", "")
            elif kind == "file":
                page.files.add(name)
            elif kind in ("radio", "checkbox"):
                page.options.setdefault(name, []).append(element.get("value", "on"))
                if element.has_attr("checked"):
                    page.values[name] = [*page.values.get(name, []), element.get("value", "on")]
            elif element.name == "select":
                page.options[name] = [option.get("value", "") for option in element.select("option")]
                chosen = element.select_one("option[selected]")
                page.values[name] = chosen.get("value", "") if chosen else ""
            elif element.name == "textarea":
                page.names.add(name)
                page.values[name] = element.get_text().removeprefix("\n")
            else:
                page.names.add(name)
                page.values[name] = element.get("value", "")
        return page

    def has(self, name: str) -> bool:
        return name in self.names or name in self.options or name in self.files

    def asks(self, prefix: str, question_id: str) -> bool:
        """True when the page has an input for the question (any of its boxes)."""
        field = f"{prefix}-{question_id}"
        return any(
            name == field or name.startswith(field + "-") for name in self.names | set(self.options) | self.files
        )

    def encode(self, prefix: str, question_id: str, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        """POST data and files a person would enter for one answer (checked against the page's inputs)."""
        name = f"{prefix}-{question_id}"
        if isinstance(value, Upload):
            assert name in self.files, f"no file input {name}"
            return {}, {name: value.file()}
        if isinstance(value, str) and ISO_DATE.match(value) and self.has(f"{name}-day"):
            year, month, day = value.split("-")
            value = {"day": str(int(day)), "month": str(int(month)), "year": year}
        if isinstance(value, dict):
            data = {f"{name}-{part}": "" if text is None else str(text) for part, text in value.items()}
            missing = [key for key in data if not self.has(key)]
            assert not missing, f"the page has no input {missing}"
            return data, {}
        if value is True:
            assert name in self.options, f"no checkbox {name}"
            return {name: self.options[name][0]}, {}
        if isinstance(value, list):
            unknown = set(value) - set(self.options.get(name, ()))
            assert not unknown, f"{name} has no options {unknown}"
            return {name: value}, {}
        assert self.has(name), f"the page has no input {name}"
        if name in self.options:
            assert str(value) in self.options[name], f"{name} has no option {value!r}"
        return {name: str(value)}, {}


def error_summary(response) -> dict[str, str]:
    """The error summary's links: target (without #) to message; {} when there is no summary."""
    summary = soup(response).select_one(".govuk-error-summary")
    if summary is None:
        return {}
    return {link["href"].removeprefix("#"): link.get_text(" ", strip=True) for link in summary.select("a")}


def page_problems(response) -> list[str]:
    """Every line of the error summary, linked or not."""
    summary = soup(response).select_one(".govuk-error-summary")
    return [item.get_text(" ", strip=True) for item in summary.select("li")] if summary else []


def assert_field_error(response, field_id: str, message: str) -> None:
    """The message is in the error summary linking to the field's input, and beside that input."""
    assert response.status_code == 200
    page = soup(response)
    assert page.title.get_text().strip().startswith("Error:")
    assert error_summary(response).get(field_id) == message, error_summary(response)
    target = page.find(id=field_id)
    assert target is not None, f"the summary links to #{field_id}, which is not on the page"
    group = target.find_parent(class_="govuk-form-group--error")
    assert group is not None, f"#{field_id} is not in a form group marked with an error"
    beside = [error.get_text(" ", strip=True) for error in group.select(".govuk-error-message")]
    assert f"Error: {message}" in beside, beside


def input_values(response) -> dict[str, Any]:
    """What the page's form shows as entered: text and textarea values, checked and selected options."""
    return PageForm.read(response).values


def sections(response) -> dict[str, dict[str, str]]:
    """Check-your-answers (or confirmation) sections: heading to {question label: answer as shown}."""
    found = {}
    for summary in soup(response).select("dl.govuk-summary-list"):
        heading = summary.find_previous_sibling(["h2", "h3"])
        rows = {}
        for row in summary.select(".govuk-summary-list__row"):
            key = row.select_one(".govuk-summary-list__key").get_text(" ", strip=True)
            rows[key] = row.select_one(".govuk-summary-list__value").get_text("\n", strip=True)
        found[heading.get_text(strip=True) if heading else ""] = rows
    return found


def section_titles(response) -> list[str]:
    return list(sections(response))


def summary_rows(response) -> dict[str, str]:
    """The rows of every section together: question label to answer as shown."""
    return {label: value for rows in sections(response).values() for label, value in rows.items()}


# --- the journey --------------------------------------------------------------------------


class Journey:
    """One citizen's journey through one e-form, in one browser (a Django test client)."""

    def __init__(self, client, page: EFormPage):
        self.client = client
        self.page = page
        self.journey_id = ""
        self.url = ""
        self.response = None
        self.visited: list[str] = []

    def start(self) -> Journey:
        response = self.client.get(f"{self.page.url}start/")
        assert response.status_code == 302, response.status_code
        self.url = response["Location"]
        self.journey_id = self.url.removeprefix(self.page.url).split("/")[0]
        return self

    @classmethod
    def resume(cls, client, page: EFormPage, link: str) -> Journey:
        """Open an emailed resume link (its path) in a browser: a new journey carrying the saved answers."""
        response = client.get(link)
        assert response.status_code == 302, response.status_code
        journey = cls(client, page)
        journey.url = response["Location"]
        journey.journey_id = journey.url.removeprefix(page.url).split("/")[0]
        journey.show()
        return journey

    @property
    def base(self) -> str:
        return f"{self.page.url}{self.journey_id}/"

    def url_of(self, step: str) -> str:
        return f"{self.base}{step}/"

    @property
    def step(self) -> str:
        """The step the journey is on (from the URL it was last sent to)."""
        return self.url.removeprefix(self.base).strip("/").split("?")[0]

    def open(self, step: str | None = None, query: str = ""):
        """GET a step (the current one by default), without following a redirect."""
        url = self.url_of(step) if step else self.url
        self.response = self.client.get(url + query)
        return self.response

    def show(self, step: str | None = None, query: str = ""):
        """GET a step, following redirects, and remember where the journey is."""
        response = self.open(step, query)
        while response.status_code == 302:
            self.url = response["Location"]
            response = self.client.get(self.url)
        assert response.status_code == 200, response.status_code
        self.url = response.request["PATH_INFO"]
        self.response = response
        return response

    def showing(self) -> bool:
        """True when the last response is the page of the step the journey is on (no need to GET it again)."""
        response = self.response
        return bool(
            response is not None
            and response.status_code == 200
            and response.request["REQUEST_METHOD"] == "GET"
            and response.request["PATH_INFO"] == self.url
        )

    def visit(self, url: str):
        """Follow a link of the journey (a change or remove link, say), following redirects."""
        path, _, query = url.partition("?")
        self.url = path
        return self.show(query=f"?{query}" if query else "")

    def post(self, data: dict[str, Any], files: dict[str, Any] | None = None, url: str = ""):
        """POST raw data to the current step (or a URL); follow nothing, but move on when redirected."""
        response = self.client.post(url or self.url, {**data, **(files or {})})
        if response.status_code == 302:
            self.url = response["Location"]
        self.response = response
        return response

    def answer(
        self,
        answers: dict[str, Any],
        step: str | None = None,
        extra: dict[str, Any] | None = None,
        save: bool = False,
    ):
        """Open a step, fill in those of the answers its page asks, and send it (Continue, or Save)."""
        if step:
            self.url = self.url_of(step)
        page_response = self.response if self.showing() else self.show()
        assert not step or self.step == step, f"asked for {step}, the journey sent us to {self.step}"
        form = PageForm.read(page_response)
        data, files = {**form.hidden, **form.values}, {}
        for question_id, value in answers.items():
            if value is None or not form.asks(self.step, question_id):
                continue
            more_data, more_files = form.encode(self.step, question_id, value)
            data.update(more_data)
            files.update(more_files)
        if save:
            assert "Save and come back later" in page_response.content.decode()
            data["save_and_return"] = "1"
        data.update(extra or {})
        return self.post(data, files, url=form.action or self.url)

    def answers_for_step(self, answers: dict[str, Any]) -> dict[str, Any]:
        """The answers for the step the journey is on: an item's own answers, or "add another?" for a list."""
        step = self.step
        if step.endswith("-list"):
            items = answers.get(step.removesuffix("-list"), [])
            return {"add_another": "yes" if self.item_count() < len(items) else "no"}
        item = ITEM_STEP.match(step)
        if item and isinstance(answers.get(item["step"]), list):
            return answers[item["step"]][int(item["number"]) - 1]
        return answers

    def item_count(self) -> int:
        """How many items the "add another" page lists."""
        return len(soup(self.response).select(".govuk-summary-list__row"))

    def complete(self, answers: dict[str, Any], until: str = CHECK) -> Journey:
        """Answer every step shown, in order, until the journey reaches a step (check your answers)."""
        for _ in range(60):
            self.show()
            if self.step == until:
                return self
            step = self.step
            self.visited.append(step)
            response = self.answer(self.answers_for_step(answers))
            assert response.status_code == 302, f"{step}: {page_problems(response)}"
        raise AssertionError("the journey did not reach " + until)

    def submit(self, confirm: bool = True):
        """Accept the declaration on check your answers and send."""
        data = {f"{CHECK}-confirm": "on"} if confirm else {}
        return self.answer({}, step=CHECK, extra=data)

    def send(self, answers: dict[str, Any]) -> tuple[ServiceRequest, Any]:
        """Complete, submit, and open the confirmation: the stored request and the confirmation page."""
        self.complete(answers)
        response = self.submit()
        assert response.status_code == 302, page_problems(response)
        assert response["Location"] == f"{self.base}confirmation/", f"sent back to {response['Location']}"
        confirmation = self.client.get(response["Location"])
        assert confirmation.status_code == 200
        reference = soup(confirmation).select_one("[data-reference]").get_text(strip=True)
        service_request = ServiceRequest.objects.get(reference=reference.replace("-", ""))
        return service_request, confirmation


def change_link(response, label: str) -> str:
    """The href of the "Change" link in the check-your-answers row of a question."""
    for row in soup(response).select(".govuk-summary-list__row"):
        if row.select_one(".govuk-summary-list__key").get_text(" ", strip=True) == label:
            return row.select_one(".govuk-summary-list__actions a")["href"]
    raise AssertionError(f"no row {label!r}")


def emailed_link(message) -> str:
    """The path of the one link in a "save and come back later" email (which gives it in full)."""
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1, message.body
    assert links[0].startswith("http://testserver/"), links[0]
    return urlsplit(links[0]).path


def schema_errors(client, page: EFormPage, answers: dict[str, Any]) -> list[str]:
    """What the form's JSON Schema, fetched from `<form url>schema.json`, finds wrong with some answers."""
    response = client.get(f"{page.url}schema.json")
    assert response.status_code == 200
    validator = Draft202012Validator(json.loads(response.content), format_checker=Draft202012Validator.FORMAT_CHECKER)
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(answers)]


def requests_for(page: EFormPage):
    return ServiceRequest.objects.filter(form_page=page)
