"""Citizens track a request by reference and email (signed file links: tests/backoffice/test_file_links.py).

The result shows the status, dates and public notes, never the answers or staff's internal
notes; a wrong reference and a wrong email give the very same page; look-ups are rate limited.
"""

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from backoffice import casework
from backoffice.models import Status
from backoffice.views import NOT_FOUND, TOO_MANY

from .factories import CITIZEN_EMAIL, FLY_TIPPING, make_request, page, text_of, without_csrf

pytestmark = pytest.mark.django_db

TRACK = reverse("backoffice:track")
UNUSED_REFERENCE = "ACDE-FGHJ-KM"
FORMAT_ERROR = "Enter your reference as it is in your confirmation email, like K7MQ-X3PT-RA"


@pytest.fixture
def worked_request(media_root, waste_officer):
    """A request staff have claimed, noted internally and publicly, and moved on."""
    service_request = make_request(FLY_TIPPING)
    casework.assign(service_request, waste_officer, actor=waste_officer)
    casework.change_status(service_request, Status.RECEIVED, actor=waste_officer, internal_note="Suspect: Mr Jones.")
    casework.change_status(
        service_request,
        Status.IN_PROGRESS,
        actor=waste_officer,
        public_note="A crew will clear the lay-by on Friday.",
        internal_note="Check the CCTV first.",
    )
    return service_request


def look_up(client, reference: str, email: str, **extra):
    return client.post(TRACK, {"reference": reference, "email": email}, **extra)


def error_summary(response) -> dict[str, str]:
    summary = page(response).select_one(".govuk-error-summary")
    return {link["href"]: link.get_text(" ", strip=True) for link in summary.select("a")} if summary else {}


def test_the_form_is_never_cached(client, clear_cache):
    response = client.get(TRACK)

    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert page(response).find(id="id_reference") and page(response).find(id="id_email")


def test_right_reference_and_email_show_status_dates_and_public_notes(client, clear_cache, worked_request):
    response = look_up(client, worked_request.display_reference, CITIZEN_EMAIL)

    assert response.status_code == 200
    text = text_of(response)
    assert f"Your request {worked_request.display_reference}" in text
    assert "Status In progress" in text
    assert f"Submitted {timezone.localtime(worked_request.created_at):%-d %B %Y}" in text
    assert "A crew will clear the lay-by on Friday." in text
    updates = [" ".join(item.get_text(" ").split()) for item in page(response).select("main ol li")]
    assert len(updates) == 2  # the status change with its public note, and the submission
    assert updates[0].endswith("In progress A crew will clear the lay-by on Friday.")
    assert updates[1].endswith("Received")


def test_the_result_never_shows_the_answers_internal_notes_or_staff(client, clear_cache, worked_request):
    content = look_up(client, worked_request.display_reference, CITIZEN_EMAIL).content.decode()

    for secret in (
        "Suspect: Mr Jones.",
        "Check the CCTV first.",
        "White Ford Transit",
        "AB12 CDE",
        "Lay-by opposite the garage",
        "lay-by.png",
        "Wendy",
        "Assigned",
    ):
        assert secret not in content, secret


def test_a_resolved_request_shows_when_it_was_resolved(client, clear_cache, worked_request, waste_officer):
    casework.change_status(worked_request, Status.RESOLVED, actor=waste_officer)

    text = text_of(look_up(client, worked_request.display_reference, CITIZEN_EMAIL))

    assert "Status Resolved" in text
    assert f"Resolved {timezone.localtime(worked_request.resolved_at):%-d %B %Y}" in text


def test_wrong_reference_and_wrong_email_give_the_same_page(client, clear_cache, worked_request):
    wrong_reference = look_up(client, UNUSED_REFERENCE, CITIZEN_EMAIL)
    wrong_email = look_up(client, worked_request.display_reference, "someone.else@example.com")

    assert wrong_reference.status_code == wrong_email.status_code == 200
    assert without_csrf(wrong_reference.content) == without_csrf(wrong_email.content)
    assert error_summary(wrong_email) == {"#id_reference": NOT_FOUND}
    assert worked_request.display_reference not in wrong_email.content.decode()


def test_a_request_without_an_email_cannot_be_tracked(client, clear_cache, media_root):
    service_request = make_request(FLY_TIPPING, email="")

    response = look_up(client, service_request.display_reference, "")
    guessed = look_up(client, service_request.display_reference, "anyone@example.com")

    assert error_summary(response) == {"#id_email": "Enter your email address"}
    assert error_summary(guessed) == {"#id_reference": NOT_FOUND}


@pytest.mark.parametrize("typed", ["K7MQ", "K7MQ-X3PT-R0", "K7MQ-X3PT-RA-K7", "!!!!!!!!!!", "K" * 41])
def test_a_malformed_reference_gives_a_clear_field_error(client, clear_cache, typed):
    response = look_up(client, typed, CITIZEN_EMAIL)

    assert response.status_code == 200
    assert page(response).title.get_text().strip().startswith("Error:")
    assert error_summary(response) == {"#id_reference": FORMAT_ERROR}
    field = page(response).find(id="id_reference").find_parent(class_="govuk-form-group")
    assert "govuk-form-group--error" in field["class"]
    assert FORMAT_ERROR in field.select_one(".govuk-error-message").get_text()


def test_a_malformed_email_gives_a_clear_field_error(client, clear_cache, worked_request):
    response = look_up(client, worked_request.display_reference, "not an email")

    assert error_summary(response) == {
        "#id_email": "Enter an email address in the correct format, like name@example.com"
    }


def test_email_is_matched_whatever_its_case(client, clear_cache, media_root):
    service_request = make_request(FLY_TIPPING, email="Sam.Okafor@Example.com")

    response = look_up(client, service_request.display_reference, "  SAM.OKAFOR@EXAMPLE.COM ")

    assert f"Your request {service_request.display_reference}" in text_of(response)


@pytest.mark.parametrize("style", ["lower", "spaces", "no dashes", "mixed"])
def test_references_typed_with_spaces_dashes_or_lower_case_work(client, clear_cache, worked_request, style):
    shown = worked_request.display_reference  # e.g. K7MQ-X3PT-RA
    typed = {
        "lower": shown.lower(),
        "spaces": shown.replace("-", " "),
        "no dashes": worked_request.reference,
        "mixed": f"  {shown[:2].lower()} {shown[2:6]}--{shown[6:].lower()} ",
    }[style]

    response = look_up(client, typed, CITIZEN_EMAIL)

    assert f"Your request {shown}" in text_of(response)


@override_settings(TRACK_RATE_LIMIT=(3, 900))
def test_look_ups_over_the_limit_are_refused_with_a_clear_message(client, clear_cache, worked_request):
    address = {"REMOTE_ADDR": "198.51.100.7"}
    tries = [look_up(client, UNUSED_REFERENCE, CITIZEN_EMAIL, **address).status_code for _ in range(3)]

    refused = look_up(client, worked_request.display_reference, CITIZEN_EMAIL, **address)

    assert tries == [200, 200, 200]
    assert refused.status_code == 429
    assert error_summary(refused) == {"#id_reference": TOO_MANY}
    assert "Your request" not in text_of(refused)
    other = look_up(client, worked_request.display_reference, CITIZEN_EMAIL, REMOTE_ADDR="198.51.100.8")
    assert other.status_code == 200 and "Your request" in text_of(other)


@override_settings(TRACK_RATE_LIMIT=(2, 900))
def test_malformed_look_ups_count_towards_the_limit(client, clear_cache):
    statuses = [look_up(client, "nonsense", "x").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
