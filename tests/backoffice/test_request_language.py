"""Welsh and English requests: the language recorded at intake, the resident's emails in it, staff read English.

The Welsh catalogue (locale/cy) is not asserted on here: the emails are checked through the
language active while they are rendered and through Welsh month names, which Django's own
catalogue gives; their fixed texts become Welsh once the portal's catalogue has them.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.utils import timezone, translation
from django.utils.formats import date_format

from backoffice import casework, notifications
from backoffice.adapters.email import department_email_body
from backoffice.documents import request_document
from backoffice.intake import submit
from backoffice.models import Delivery, DeliveryKind, ServiceRequest
from forms_catalogue.models import FormVersion
from forms_catalogue.translations import journey_language, service_of
from portal.language import language_code, language_name, preferred_language
from tests.forms_catalogue.demo_answers import DEMO_ANSWERS
from tests.forms_catalogue.journey_helpers import Journey, form_page, stored_answers
from tests.forms_catalogue.test_assisted import RESIDENT, AssistedJourney
from tests.forms_catalogue.welsh import WELSH_PREFIX, publish_welsh_form

from .factories import MISSED_BIN, login, make_staff, make_user
from .test_staff_views import INDEX, detail_url, listed

pytestmark = pytest.mark.django_db

ADDRESS_LABEL = "What is the address of the missed collection?"
EMAIL = "pat.jones@example.com"


def month_in(language: str, moment) -> str:
    with translation.override(language):
        return date_format(timezone.localtime(moment), "F")


def confirmation_of(service_request: ServiceRequest) -> dict:
    return Delivery.objects.get(request=service_request, kind=DeliveryKind.CITIZEN_EMAIL, event=None).payload


def welsh_request(welsh_page, **changes) -> ServiceRequest:
    """A request made on the Welsh form, as its journey stores it."""
    answers = {**stored_answers(DEMO_ANSWERS[MISSED_BIN]), "email": EMAIL}
    arguments = {
        "service": service_of(welsh_page),
        "answers": answers,
        "form_version": welsh_page.current_version(),
        "contact_email": EMAIL,
        "language": journey_language(welsh_page),
    }
    request, _created = submit(**{**arguments, **changes})
    return request


@pytest.fixture
def welsh_form(db):
    """The missed-bin form in Welsh, under its Welsh service page (both published)."""
    welsh = publish_welsh_form(form_page(MISSED_BIN))
    service = welsh.get_parent().specific
    service.title = f"{WELSH_PREFIX}{service.title}"
    service.save_revision().publish()
    return welsh


@pytest.fixture
def rendering_languages(monkeypatch):
    """The language active each time a resident's email body is rendered."""
    seen = []
    render = notifications.render_to_string

    def recording(*args, **kwargs):
        seen.append(translation.get_language())
        return render(*args, **kwargs)

    monkeypatch.setattr(notifications, "render_to_string", recording)
    return seen


# --- reading languages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [("cy", "cy"), ("CY", "cy"), ("cy-GB", "cy"), ("en", "en-gb"), ("en-GB", "en-gb"), ("en_US", "en-gb")],
)
def test_a_language_is_read_in_any_spelling_of_the_two_offered(given, code):
    assert language_code(given) == code


@pytest.mark.parametrize("given", ["fr", "", "x" * 100, None, 5, "*"])
def test_a_language_not_offered_is_none(given):
    assert language_code(given) is None


def test_accept_language_is_a_preference_never_an_error():
    assert preferred_language("fr-FR, cy;q=0.8, en;q=0.5") == "cy"
    assert preferred_language("en-GB,en;q=0.9") == "en-gb"
    assert preferred_language("fr, de") == "en-gb"
    assert preferred_language("") == preferred_language(None) == preferred_language(";;;q=x,,") == "en-gb"
    assert language_name("cy") == "Welsh (Cymraeg)" and language_name("en-gb") == "English"


# --- the web journey and its emails -----------------------------------------------------------


def test_an_english_journey_records_english_and_emails_in_english(client, media_root, rendering_languages):
    service_request, _page = Journey(client, form_page(MISSED_BIN)).start().send(DEMO_ANSWERS[MISSED_BIN])

    assert service_request.language == "en-gb"
    email = confirmation_of(service_request)
    assert rendering_languages == ["en-gb"]
    subject = f"Report a missed bin collection: we have your request {service_request.display_reference}"
    assert email["subject"] == subject
    assert month_in("en-gb", service_request.created_at) in email["body"]
    assert f"- {ADDRESS_LABEL}:" in email["body"]


def test_a_journey_made_in_welsh_records_welsh_and_the_confirmation_is_rendered_in_welsh(
    client, media_root, welsh_form, rendering_languages
):
    service_request, _page = Journey(client, welsh_form).start().send(DEMO_ANSWERS[MISSED_BIN])  # under /cy/

    assert service_request.language == "cy"
    email = confirmation_of(service_request)
    assert rendering_languages == ["cy"]
    welsh_month = month_in("cy", service_request.created_at)
    english_month = month_in("en-gb", service_request.created_at)
    assert welsh_month != english_month
    assert welsh_month in email["body"] and english_month not in email["body"]
    assert service_request.display_reference in email["subject"]


def test_a_status_update_is_written_in_the_requests_language_whatever_the_staff_member_uses(
    welsh_form, rendering_languages
):
    service_request = welsh_request(welsh_form)
    officer = make_staff("wendy", "Waste and Recycling")
    with translation.override("en-gb"):
        casework.change_status(service_request, "in_progress", actor=officer, public_note="Mae'r criw ar y ffordd.")

    update = Delivery.objects.filter(request=service_request, kind=DeliveryKind.CITIZEN_EMAIL).exclude(event=None).get()
    assert rendering_languages == ["cy", "cy"]  # the confirmation, then the update
    assert update.payload["subject"].startswith(f"{WELSH_PREFIX}Report a missed bin collection: ")
    assert "Mae'r criw ar y ffordd." in update.payload["body"]


def test_a_welsh_form_makes_a_welsh_request_for_the_english_service(welsh_form, rendering_languages):
    english_service = form_page(MISSED_BIN).get_parent().specific

    service_request = welsh_request(welsh_form)

    assert journey_language(welsh_form) == "cy"
    assert (service_request.language, service_request.service) == ("cy", english_service)
    assert service_request.queue is not None
    email = confirmation_of(service_request)
    assert rendering_languages == ["cy"]
    assert email["subject"] == (
        f"{WELSH_PREFIX}Report a missed bin collection: mae eich cais gennym {service_request.display_reference}"
    )
    assert f"- {WELSH_PREFIX}{ADDRESS_LABEL}:" in email["body"]  # the resident's copy of their answers, as asked


def test_save_and_return_email_is_sent_in_the_journeys_language(client, media_root):
    with translation.override("cy"):
        citizen = Journey(client, form_page(MISSED_BIN)).start()
        citizen.answer({}, save=True)
        response = client.post(f"{citizen.base}save/", {"email": EMAIL})
        sent_in = translation.get_language()

    assert response.status_code == 200 and sent_in == "cy"
    assert [message.to for message in mail.outbox] == [[EMAIL]]
    assert mail.outbox[0].subject == "Your saved form: Report a missed bin collection"  # Welsh once translated


# --- assisted digital ------------------------------------------------------------------------


@pytest.fixture
def agent_client(client):
    from django.contrib.auth.models import Group

    from backoffice.demo import CONTACT_CENTRE

    login(client, make_user("alex", groups=(Group.objects.get(name=CONTACT_CENTRE),)))
    return client


def test_an_agent_records_the_residents_language_english_unless_chosen(agent_client, media_root, rendering_languages):
    page = form_page(MISSED_BIN)
    form = agent_client.get(f"/admin/assisted/{page.pk}/").content.decode()
    assert 'name="language" value="en-gb"' in form and "Welsh (Cymraeg)" in form

    in_welsh, _sent = (
        AssistedJourney(agent_client, page).start({**RESIDENT, "language": "cy"}).send(DEMO_ANSWERS[MISSED_BIN])
    )
    in_english, _sent = AssistedJourney(agent_client, page).start(RESIDENT).send(DEMO_ANSWERS[MISSED_BIN])

    assert (in_welsh.language, in_english.language) == ("cy", "en-gb")
    assert rendering_languages == ["cy", "en-gb"]
    refused = agent_client.post(f"/admin/assisted/{page.pk}/", {**RESIDENT, "language": "fr"})
    assert refused.status_code == 200 and "Select English or Welsh" in refused.content.decode()


# --- what staff read --------------------------------------------------------------------------


def test_staff_read_a_welsh_request_under_the_english_labels_with_its_language(client, welsh_form):
    service_request = welsh_request(welsh_form)
    officer = make_staff("wendy", "Waste and Recycling")
    login(client, officer)

    html = client.get(detail_url(service_request)).content.decode()

    assert ADDRESS_LABEL in html and f"{WELSH_PREFIX}{ADDRESS_LABEL}" not in html
    assert "Welsh (Cymraeg)" in html
    document = request_document(service_request, "key")
    assert document["language"] == "cy"
    assert document["form"]["title"] == "Report a missed bin collection"
    labels = {question["id"]: question["label"] for question in document["form"]["questions"]}
    assert labels["collection_address"] == ADDRESS_LABEL
    body = department_email_body({**document, "files": []})
    assert "Language: Welsh (Cymraeg)" in body and f"{ADDRESS_LABEL}: " in body


def test_without_an_english_version_staff_read_the_labels_stored_with_the_request(client, welsh_form):
    service_request = welsh_request(welsh_form)
    FormVersion.objects.filter(page=form_page(MISSED_BIN)).delete()
    login(client, make_staff("wendy", "Waste and Recycling"))

    html = client.get(detail_url(service_request)).content.decode()

    assert f"{WELSH_PREFIX}{ADDRESS_LABEL}" in html
    labels = {item["id"]: item["label"] for item in request_document(service_request, "key")["form"]["questions"]}
    assert labels["collection_address"] == f"{WELSH_PREFIX}{ADDRESS_LABEL}"


def test_staff_filter_the_list_by_language(client, welsh_form):
    in_welsh = welsh_request(welsh_form)
    in_english = welsh_request(welsh_form, language="en-gb")
    login(client, make_staff("wendy", "Waste and Recycling"))

    assert listed(client.get(INDEX, {"language": "cy"})) == [in_welsh.display_reference]
    assert in_english.display_reference in listed(client.get(INDEX, {"language": "en-gb"}))
    assert in_welsh.display_reference not in listed(client.get(INDEX, {"language": "en-gb"}))
    assert client.get(INDEX, {"language": "klingon"}).status_code == 200


def test_an_english_form_answered_for_a_welsh_speaker_gets_the_welsh_wording_in_the_email(welsh_form):
    english_version = form_page(MISSED_BIN).current_version()

    for_welsh_speaker = welsh_request(welsh_form, form_version=english_version, language="cy")
    for_english_speaker = welsh_request(welsh_form, form_version=english_version, language="en-gb")

    assert f"- {WELSH_PREFIX}{ADDRESS_LABEL}:" in confirmation_of(for_welsh_speaker)["body"]
    english_body = confirmation_of(for_english_speaker)["body"]
    assert f"- {ADDRESS_LABEL}:" in english_body and WELSH_PREFIX not in english_body
