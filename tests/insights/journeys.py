"""A small e-form published in two versions, and citizens walking it at known times (journey figures tests)."""

from __future__ import annotations

import datetime

from django.test import Client
from django.utils import timezone

from forms_catalogue import progress
from forms_catalogue.demo import eform_page
from forms_catalogue.models import EFormPage
from forms_catalogue.stream import stream_data_from_definition
from tests.forms_catalogue.journey_helpers import CHECK, Journey  # noqa: F401 (CHECK: for the tests)
from tests.home.factories import make_category, make_services

WHERE = {
    "id": "where",
    "title": "Where you live",
    "questions": [{"id": "lives_here", "type": "yes_no", "label": "Do you live in Ashworth?"}],
}
ELSEWHERE = {
    "id": "elsewhere",
    "kind": "exit",
    "title": "You cannot order a bin online",
    "intro": "Ask your own council.",
    "condition": {"match": "all", "rules": [{"question_id": "lives_here", "operator": "equals", "value": "no"}]},
    "questions": [],
}
DETAILS = {
    "id": "details",
    "title": "Your order",
    "questions": [
        {"id": "bin_size", "type": "short_text", "label": "What size of bin do you want?"},
        {"id": "email", "type": "email", "label": "What is your email address?"},
    ],
}
COLOUR = {
    "id": "colour",
    "title": "Lid colour",
    "questions": [{"id": "lid", "type": "short_text", "label": "What colour lid?"}],
}
ANSWERS = {"lives_here": "yes", "bin_size": "Large", "email": "sam@example.com", "lid": "Green"}


def definition(*steps: dict) -> dict:
    return {"title": "Order a bin", "declaration": "The answers are true.", "intro": "", "steps": list(steps)}


VERSION_1 = definition(WHERE, ELSEWHERE, DETAILS)
VERSION_2 = definition(WHERE, ELSEWHERE, DETAILS, COLOUR)


def publish_form(slug: str = "order-a-bin-test") -> EFormPage:
    """Version 1 of the form, live under a new service."""
    service = make_services(make_category("Journey figures", slug), 1)[0]
    page = eform_page(VERSION_1)
    service.add_child(instance=page)
    page.save_revision().publish()
    return page


def publish_version_2(page: EFormPage) -> EFormPage:
    page = EFormPage.objects.get(pk=page.pk)
    page.steps = stream_data_from_definition(VERSION_2)
    page.save_revision().publish()
    return page


class Clock:
    """The clock journeys read (forms_catalogue.progress.now), set by the test."""

    def __init__(self, monkeypatch):
        self.now = timezone.now().timestamp()
        monkeypatch.setattr(progress, "now", lambda: self.now)

    def set_day(self, day: datetime.date, hour: int = 10) -> None:
        moment = datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())
        self.now = moment.timestamp()

    def wait(self, seconds: float) -> None:
        self.now += seconds


def citizen(page: EFormPage) -> Journey:
    """A new citizen (own browser, own session) starting the form."""
    return Journey(Client(), page).start()


def complete(page: EFormPage, clock: Clock, seconds: float) -> Journey:
    """A journey sent `seconds` after it started."""
    journey = citizen(page)
    journey.complete(ANSWERS)
    clock.wait(seconds)
    response = journey.submit()
    assert response.status_code == 302 and response["Location"].endswith("/confirmation/")
    clock.wait(-seconds)
    return journey


def stop_at(page: EFormPage, step: str, answers: dict | None = None) -> Journey:
    """A journey that goes as far as `step` (shown) and no further."""
    journey = citizen(page)
    journey.complete(answers or ANSWERS, until=step)
    return journey
