"""A citizen completes every live demo e-form through the web views, knowing only what each page shows.

The forms are the files of `forms_catalogue/demo_forms/` (read when the tests are collected, so
a new file is a new test); the walker (`html_walker.py`) never reads them. Each journey must end
on the confirmation page with a reference, and the request with that reference must be stored
with answers, for the form's service, in the queue the service's routing rules choose (its
department's default queue when it has none).
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from backoffice.models import Queue, RoutingRule, ServiceRequest
from backoffice.routing import route
from forms_catalogue.demo import demo_forms
from forms_catalogue.models import EFormPage
from home.models import ServicePage

from .html_walker import HtmlJourney
from .journey_helpers import form_page

pytestmark = pytest.mark.engine_neutral  # see tests/conftest.py

SLUGS = sorted(demo_forms())


def expected_queue(service: ServicePage, answers: dict) -> Queue:
    """The department's default queue, or the one a routing rule of the service picks for these answers."""
    if RoutingRule.objects.filter(service=service).exists():
        return route(service, answers)
    queue = Queue.default_for(service.department)
    assert queue is not None and queue.department_id == service.department_id, f"{service.slug}: no queue"
    return queue


@pytest.mark.django_db
def test_the_live_e_forms_are_the_demo_forms():
    services = {page.get_parent().slug for page in EFormPage.objects.live()}
    assert services == set(SLUGS)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_a_citizen_completes_the_form_from_its_html_alone(client, media_root, slug):
    page = form_page(slug)
    service = ServicePage.objects.get(slug=slug)

    reference = HtmlJourney(client, page.url).complete()

    service_request = ServiceRequest.objects.get(reference=reference.replace("-", ""))
    assert service_request.service_id == service.pk
    assert service_request.form_page_id == page.pk
    assert service_request.answers
    assert service_request.queue == expected_queue(service, service_request.answers)


def days_ahead(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


FUSSY_FORM = {
    "title": "Answer with care",
    "confirmation_text": "We have your answers.",
    "declaration": "I confirm the answers are true.",
    "steps": [
        {
            "id": "limits",
            "title": "Limits",
            "questions": [
                {"id": "bins", "type": "number", "label": "Bins", "rules": {"min_value": 5, "max_value": 8}},
                {"id": "code", "type": "short_text", "label": "Code", "rules": {"max_length": 5}},
                {"id": "visit", "type": "date", "label": "Visit", "rules": {"direction": "future"}},
                {"id": "later", "type": "date", "label": "Later", "rules": {"earliest": days_ahead(100).isoformat()}},
                {
                    "id": "pick",
                    "type": "checkboxes",
                    "label": "Pick",
                    "options": [{"value": v, "label": v.title()} for v in ("red", "green", "blue")],
                    "rules": {"min_selections": 2},
                },
            ],
        },
        {
            "id": "people",
            "title": "People",
            "repeat": {"min_items": 2, "max_items": 3, "item_label": "person", "item_label_plural": "people"},
            "questions": [{"id": "person", "type": "name", "label": "Their name"}],
        },
        {"id": "contact", "title": "Contact", "questions": [{"id": "email", "type": "email", "label": "Email"}]},
    ],
}


def test_the_walker_corrects_its_answers_from_the_error_messages(client, media_root, publish_form):
    """Limits the page does not show (a number's range, a length, a date's side, a count) are learnt from errors."""
    page = publish_form(FUSSY_FORM)

    reference = HtmlJourney(client, page.url).complete()

    answers = ServiceRequest.objects.get(reference=reference.replace("-", "")).answers
    assert answers["bins"] == 5
    assert answers["code"] == "Examp"
    assert answers["visit"] >= timezone.localdate().isoformat()
    assert answers["later"] == days_ahead(100).isoformat()
    assert answers["pick"] == ["red", "green"]
    assert len(answers["people"]) == 2
