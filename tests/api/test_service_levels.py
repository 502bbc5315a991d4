"""The due date wherever a request is reported: the portal API (submitted and looked up), the back-office
pull API's request document, and Open311's `expected_datetime`."""

from datetime import datetime

import pytest

from api.keys import issue
from api.models import QueueApiKey
from api.open311.params import w3c
from backoffice.models import ServiceRequest
from home.models import ServicePage
from tests.backoffice.factories import CITIZEN_EMAIL, FLY_TIPPING, make_request
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS

from .open311_helpers import created_reference, get
from .submitting import json_body, look_up, post_json

pytestmark = pytest.mark.django_db


def test_a_request_made_through_the_api_gets_a_due_date_and_the_status_look_up_gives_it(client, media_root):
    response = post_json(client, FLY_TIPPING, json_body(DEMO_ANSWERS[FLY_TIPPING]))
    assert response.status_code == 201, response.content
    stored = ServiceRequest.objects.get(reference=response.json()["reference"])
    assert stored.due_at is not None and stored.target_unit == "working_days"

    body = look_up(client, stored.display_reference, CITIZEN_EMAIL).json()

    assert datetime.fromisoformat(body["due_at"]) == stored.due_at


def test_the_pull_api_gives_the_service_level_in_the_request_document(client, media_root):
    service_request = make_request(FLY_TIPPING)
    _key, secret = issue(QueueApiKey, name="Waste system", queue=service_request.queue)

    response = client.get("/api/v1/queue/requests?state=all", headers={"Authorization": f"Bearer {secret}"})

    (item,) = response.json()["items"]
    assert item["service_level"] == {
        "target": {"amount": 3, "unit": "working_days"},
        "due_at": service_request.due_at.isoformat(),
        "paused": False,
    }


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_open311_gives_the_due_date_as_expected_datetime(client, api_key, media_root, fmt):
    reference = created_reference(client, api_key)
    stored = ServiceRequest.objects.get(reference=reference.replace("-", ""))
    assert stored.due_at is not None  # the pothole service: 5 working days

    _response, body = get(client, f"requests/{reference}", fmt)

    expected = body.find("request").findtext("expected_datetime") if fmt == "xml" else body[0]["expected_datetime"]
    assert expected == w3c(stored.due_at)


def test_the_content_api_gives_each_services_target(client):
    with_target = ServicePage.objects.get(slug="report-missed-bin")
    without = ServicePage.objects.get(slug="council-tax-appeal")

    pages = client.get("/api/v2/pages/", {"type": "home.ServicePage", "fields": "service_level", "limit": 100}).json()

    levels = {item["id"]: item["service_level"] for item in pages["items"]}
    assert levels[with_target.pk] == {"amount": 2, "unit": "working_days", "text": "2 working days"}
    assert levels[without.pk] is None
