"""A citizen's status look-up through the API: what "Track a request" shows, under the same rate limit."""

import pytest
from django.urls import reverse

from backoffice import casework
from backoffice.models import Status
from backoffice.tracking import NOT_FOUND, TOO_MANY
from tests.backoffice.factories import CITIZEN_EMAIL, FLY_TIPPING, WASTE, make_request, make_staff

from .submitting import STATUS, look_up, problem

pytestmark = pytest.mark.django_db


@pytest.fixture
def worked_request(media_root):
    """A request staff have moved on, with an internal and a public note."""
    officer = make_staff("wendy", WASTE)
    service_request = make_request(FLY_TIPPING)
    casework.change_status(
        service_request,
        Status.IN_PROGRESS,
        actor=officer,
        public_note="A crew will clear the lay-by on Friday.",
        internal_note="Check the CCTV first.",
    )
    casework.change_status(service_request, Status.IN_PROGRESS, actor=officer, internal_note="Suspect: Mr Jones.")
    return service_request


def test_the_right_reference_and_email_give_the_status_and_public_history(client, clear_cache, worked_request):
    response = look_up(client, worked_request.display_reference.lower(), CITIZEN_EMAIL.upper())

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == worked_request.reference
    assert (body["status"], body["status_label"], body["is_open"]) == ("in_progress", "In progress", True)
    assert body["service"]["title"] == worked_request.service.title
    assert body["service"]["url"].endswith(f"/{FLY_TIPPING}/")
    assert body["resolved_at"] is None
    assert [(update["kind"], update["status"], update["title"], update["note"]) for update in body["updates"]] == [
        ("submitted", "received", "Received", ""),
        ("status", "in_progress", "In progress", "A crew will clear the lay-by on Friday."),
    ]
    assert "CCTV" not in response.content.decode() and "Jones" not in response.content.decode()
    assert "answers" not in body


def test_a_wrong_email_and_a_wrong_reference_get_the_same_404(client, clear_cache, worked_request):
    wrong_email = look_up(client, worked_request.reference, "someone.else@example.com")
    wrong_reference = look_up(client, "ACDE-FGHJ-KM", CITIZEN_EMAIL)

    for response in (wrong_email, wrong_reference):
        assert problem(response, 404, "request-not-found")["detail"] == NOT_FOUND
    assert wrong_email.content == wrong_reference.content


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"reference": "not a reference", "email": CITIZEN_EMAIL}, "/reference"),
        ({"reference": "ACDE-FGHJ-KM", "email": "not an email"}, "/email"),
        ({"reference": "ACDE-FGHJ-KM"}, "/email"),
        ({"reference": 7, "email": CITIZEN_EMAIL}, "/reference"),
        ({"reference": "A" * 41, "email": CITIZEN_EMAIL}, "/reference"),
    ],
)
def test_a_look_up_that_is_not_valid_is_a_400_naming_the_field(client, clear_cache, body, pointer):
    response = client.post(STATUS, body, content_type="application/json")

    document = problem(response, 400, "invalid-request")
    assert [error["pointer"] for error in document["errors"]] == [pointer]


def test_look_ups_share_the_track_pages_rate_limit(client, clear_cache, settings, worked_request):
    settings.TRACK_RATE_LIMIT = (3, 900)
    client.post(reverse("backoffice:track"), {"reference": worked_request.reference, "email": CITIZEN_EMAIL})
    allowed = [look_up(client, worked_request.reference, CITIZEN_EMAIL).status_code for _ in range(2)]

    refused = look_up(client, worked_request.reference, CITIZEN_EMAIL)
    from_elsewhere = look_up(client, worked_request.reference, CITIZEN_EMAIL, REMOTE_ADDR="192.0.2.9")

    assert allowed == [200, 200]
    document = problem(refused, 429, "too-many-look-ups")
    assert document["detail"] == TOO_MANY
    assert refused["Retry-After"] == "900"
    assert from_elsewhere.status_code == 200
