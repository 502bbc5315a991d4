"""Acceptance: "Save and come back later", the emailed link, and resuming on the same or another device."""

import base64
import json
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from forms_catalogue.models import SavedJourney

from .demo_answers import answers_for
from .journey_helpers import (
    CHECK,
    Journey,
    PageForm,
    assert_field_error,
    emailed_link,
    input_values,
    soup,
    stored_answers,
)

pytestmark = pytest.mark.django_db

SLUG = "report-fly-tipping"
EMAIL = "sam.okafor@example.com"


def save(citizen: Journey, email: str = EMAIL, answers: dict | None = None):
    """Press "Save and come back later" on the current step, then give the email address."""
    response = citizen.answer(answers or {}, save=True)
    assert response["Location"] == f"{citizen.base}save/"
    form_page = citizen.client.get(response["Location"])
    assert form_page.status_code == 200
    assert "Save your answers and come back later" in form_page.content.decode()
    return citizen.client.post(f"{citizen.base}save/", {"email": email})


def test_save_and_come_back_later_on_another_device(journey, temp_uploads):
    answers = answers_for(SLUG)
    citizen = journey(SLUG).complete(answers, until="photo_upload")

    saved_page = save(citizen, answers={"photo": answers["photo"]})

    assert saved_page.status_code == 200
    assert f"We have sent a link to {EMAIL}" in saved_page.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [EMAIL]
    assert message.subject == "Your saved form: Report fly-tipping"
    assert "The link works for 28 days" in message.body
    saved = SavedJourney.objects.with_email(EMAIL).get()
    assert saved.version == citizen.page.current_version()
    assert timedelta(days=27) < saved.expires_at - timezone.now() <= timedelta(days=28)
    on_this_device = temp_uploads()

    other_device = Journey.resume(Client(), citizen.page, emailed_link(message))

    assert other_device.journey_id != citizen.journey_id
    assert other_device.step == "witness", "the journey resumes where it stopped"
    photo_page = other_device.show("photo_upload").content.decode()
    assert "You have uploaded lay-by.png" in photo_page
    assert input_values(other_device.show("waste"))["waste-waste_types"] == answers["waste_types"]
    service_request, confirmation = other_device.send(answers)
    assert service_request.answers == stored_answers(answers)
    assert service_request.files.get().original_name == "lay-by.png"
    assert service_request.display_reference in confirmation.content.decode()
    assert not SavedJourney.objects.filter(pk=saved.pk).exists(), "a sent journey's saved copy is deleted"
    assert temp_uploads() == {name for name in on_this_device if name not in _saved_files(saved)}
    gone = Client().get(emailed_link(message))
    assert gone.status_code == 410
    assert "This link has expired" in gone.content.decode()


def _saved_files(saved: SavedJourney) -> set[str]:
    return {info["tmp_name"] for step in saved.data["step_files"].values() for info in step.values()}


def test_resume_in_the_same_browser_and_the_first_journey_still_works(journey, client):
    answers = answers_for(SLUG)
    citizen = journey(SLUG).complete(answers, until="when_seen")
    saved_page = save(citizen)

    resumed = Journey.resume(client, citizen.page, emailed_link(mail.outbox[0]))

    assert resumed.step == "when_seen"
    service_request, _ = resumed.send(answers)
    assert service_request.answers == stored_answers(answers)
    citizen.visit(soup(saved_page).find("a", string="Carry on now instead")["href"])
    assert citizen.step == "when_seen"
    first, _ = citizen.send(answers)
    assert first.pk != service_request.pk
    assert first.answers == service_request.answers


def test_saving_a_page_with_errors_keeps_the_answers_before_it(journey):
    answers = answers_for(SLUG)
    citizen = journey(SLUG).complete(answers, until="waste")

    save(citizen, answers={"waste_types": ["tyres"], "amount": None})

    resumed = Journey.resume(Client(), citizen.page, emailed_link(mail.outbox[0]))
    assert resumed.step == "waste"
    assert PageForm.read(resumed.response).values.get("waste-waste_types") is None
    assert (
        input_values(resumed.show("where"))["where-fly_tip_location-description"]
        == (answers["fly_tip_location"]["description"])
    )


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Enter your email address"),
        ("sam.okafor", "Enter an email address in the correct format, like name@example.com"),
    ],
)
def test_the_email_address_is_checked(journey, email, message):
    citizen = journey(SLUG).complete(answers_for(SLUG), until="waste")

    response = save(citizen, email=email)

    assert_field_error(response, "id_email", message)
    assert soup(response).select_one("#id_email").get("value", "") == email
    assert mail.outbox == []
    assert not SavedJourney.objects.filter(page=citizen.page).exists()


def test_an_expired_saved_journey_shows_a_clear_page(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG), until="waste")
    save(citizen)
    SavedJourney.objects.with_email(EMAIL).update(expires_at=timezone.now() - timedelta(seconds=1))

    response = Client().get(emailed_link(mail.outbox[0]))

    assert response.status_code == 410
    page = soup(response)
    assert page.h1.get_text(strip=True) == "This link has expired"
    assert page.select_one(f'a[href="{citizen.page.url}"]').get_text(strip=True) == "Start again"


def test_a_purged_saved_journey_shows_the_expired_page(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG), until="waste")
    save(citizen)
    SavedJourney.objects.with_email(EMAIL).delete()

    response = Client().get(emailed_link(mail.outbox[0]))

    assert response.status_code == 410
    assert soup(response).h1.get_text(strip=True) == "This link has expired"


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _tampered(token: str, saved: SavedJourney) -> list[str]:
    """Links someone might make: a character changed, cut short, made up, or signed without the server's key."""
    middle = len(token) // 2
    changed = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    payload = {"saved": saved.pk, "page": saved.page_id}
    other_salt = signing.dumps(payload, compress=True)
    other_key = signing.dumps(payload, key="not-the-secret-key", salt="forms_catalogue.resume", compress=True)
    return [changed, token[:-5], "not-a-token", _b64(other_salt), _b64(other_key), _b64(json.dumps(payload))]


def test_a_forged_or_modified_link_shows_a_clear_page(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG), until="waste")
    save(citizen)
    link = emailed_link(mail.outbox[0])
    token = link.removeprefix(f"{citizen.page.url}resume/").strip("/")

    for forged in _tampered(token, SavedJourney.objects.with_email(EMAIL).get()):
        response = Client().get(f"{citizen.page.url}resume/{forged}/")
        assert response.status_code == 404, forged
        page = soup(response)
        assert page.h1.get_text(strip=True) == "This link is not valid"
        assert "Check you copied the whole link" in response.content.decode()


def test_a_link_for_one_form_does_not_open_another(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG), until="waste")
    save(citizen)
    link = emailed_link(mail.outbox[0])
    other = journey("report-pothole").page

    response = Client().get(link.replace(citizen.page.url, other.url))

    assert response.status_code in (404, 410)
    assert soup(response).h1.get_text(strip=True) in ("This link is not valid", "This link has expired")


def test_check_your_answers_has_no_save_button(journey):
    citizen = journey(SLUG).complete(answers_for(SLUG))

    assert citizen.step == CHECK
    assert "Save and come back later" not in citizen.response.content.decode()


def test_a_saved_journey_resumes_on_the_version_it_was_saved_on(journey):
    answers = answers_for(SLUG)
    citizen = journey(SLUG).complete(answers, until="when_seen")
    save(citizen)
    saved_on = citizen.page.current_version()
    page = citizen.page.specific
    page.title = "Report fly-tipping or dumped rubbish"
    page.save_revision().publish()
    assert page.current_version() != saved_on

    resumed = Journey.resume(Client(), citizen.page, emailed_link(mail.outbox[0]))
    service_request, _ = resumed.send(answers)

    assert service_request.form_version == saved_on
    assert service_request.form_snapshot["title"] == "Report fly-tipping"
