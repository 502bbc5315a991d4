"""Assisted digital: an agent submits a resident's e-form from the admin, on the citizen's own journey."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import ModelLogEntry

from backoffice.demo import CONTACT_CENTRE
from backoffice.models import Channel, Delivery, DeliveryKind, RequestEvent, ServiceRequest
from forms_catalogue.models import SavedJourney
from tests.backoffice.factories import login, make_staff, make_user

from .demo_answers import DEMO_ANSWERS, EMAIL, answers_for
from .journey_helpers import (
    CHECK,
    Journey,
    form_page,
    page_problems,
    sections,
    soup,
    stored_answers,
)

pytestmark = pytest.mark.django_db

MISSED_BIN = "report-missed-bin"
FORMS = "/admin/assisted/"
BAD_EMAIL = "Enter an email address in the correct format, like name@example.com"
BAD_PHONE = "Enter a UK telephone number, like 01632 960 001 or 07700 900 982"
RESIDENT = {"channel": "phone", "name": "Pat Jones", "email": "pat.jones@example.com", "phone": "01632 960123"}


class AssistedJourney(Journey):
    """The same journey driven in the admin: the resident's details first, then the form's own steps."""

    def start(self, resident: dict | None = None) -> AssistedJourney:
        response = self.client.post(f"{FORMS}{self.page.pk}/", resident or RESIDENT)
        assert response.status_code == 302, page_problems(response) or admin_errors(response)
        self.url = response["Location"]
        self.journey_id = self.url.removeprefix(f"{FORMS}{self.page.pk}/").split("/")[0]
        return self

    @property
    def base(self) -> str:
        return f"{FORMS}{self.page.pk}/{self.journey_id}/step/"

    def send(self, answers):
        self.complete(answers)
        response = self.submit()
        assert response.status_code == 302, page_problems(response)
        assert response["Location"] == f"{FORMS}{self.page.pk}/{self.journey_id}/sent/"
        sent = self.client.get(response["Location"])
        assert sent.status_code == 200
        reference = soup(sent).select_one("[data-reference]").get_text(strip=True)
        return ServiceRequest.objects.get(reference=reference.replace("-", "")), sent


def admin_errors(response) -> list[str]:
    """The messages of the admin's error summary (backoffice/admin/includes/error_summary.html)."""
    return [item.get_text(" ", strip=True) for item in soup(response).select(".help-critical li")]


@pytest.fixture
def agent(db):
    """A contact-centre agent: the demo council's "Contact centre" group, no queue."""
    return make_user("alex", groups=(Group.objects.get(name=CONTACT_CENTRE),), first_name="Alex", last_name="Agent")


@pytest.fixture
def agent_client(client, agent):
    login(client, agent)
    return client


def test_the_list_offers_every_live_form_and_searches_by_form_or_service(agent_client):
    page = form_page(MISSED_BIN)
    listing = soup(agent_client.get(FORMS))
    assert len(listing.select("table.listing tbody tr")) == 50 and listing.select_one("nav.pagination")
    found = agent_client.get(FORMS, {"q": "missed BIN"}).content.decode()
    assert page.title in found and f'href="{FORMS}{page.pk}/"' in found
    assert form_page("report-pothole").title not in found
    by_service = agent_client.get(FORMS, {"q": page.get_parent().title}).content.decode()
    assert page.title in by_service
    assert "No live e-form matches" in agent_client.get(FORMS, {"q": "zzzz"}).content.decode()


def test_an_agent_submits_for_a_caller_by_phone_with_the_same_answers_as_online(agent_client, agent, client):
    page = form_page(MISSED_BIN)
    answers = DEMO_ANSWERS[MISSED_BIN]
    journey = AssistedJourney(agent_client, page).start()
    service_request, sent = journey.send(answers)
    assert service_request.answers == stored_answers(answers)
    assert (service_request.channel, service_request.entered_by, service_request.form_page) == ("phone", agent, page)
    assert (service_request.contact_name, service_request.contact_phone, service_request.contact_email) == (
        "Pat Jones",
        "01632 960123",
        "pat.jones@example.com",
    )
    submitted = service_request.events.get(kind=RequestEvent.Kind.SUBMITTED)
    assert submitted.actor == agent
    entry = ModelLogEntry.objects.for_instance(service_request).get(action="backoffice.submit_on_behalf")
    assert entry.user == agent and entry.data == {"channel": "phone"}
    assert "(Phone)" in entry.message
    confirmation = Delivery.objects.get(request=service_request, kind=DeliveryKind.CITIZEN_EMAIL)
    assert confirmation.payload["to"] == ["pat.jones@example.com"]
    assert service_request.display_reference in confirmation.payload["subject"]
    html = sent.content.decode()
    assert service_request.display_reference in html and "pat.jones@example.com" in html
    assert "which your groups do not work" in html  # the agent works no queue: no link to the request
    assert f"/admin/requests/{service_request.pk}/" not in html


def test_the_steps_conditions_and_check_answers_are_those_of_the_citizen_journey(agent_client, client):
    page = form_page(MISSED_BIN)
    answers = DEMO_ANSWERS[MISSED_BIN]
    online = Journey(client, page).start().complete(answers)
    assisted = AssistedJourney(agent_client, page).start().complete(answers)
    assert assisted.visited == online.visited
    online_sections, assisted_sections = sections(online.response), sections(assisted.response)
    assert assisted_sections.pop("About the resident")["Name"] == "Pat Jones"
    assert assisted_sections == online_sections


def test_a_step_is_validated_as_online_and_the_page_is_in_the_admin(agent_client):
    journey = AssistedJourney(agent_client, form_page(MISSED_BIN)).start()
    step = journey.step
    response = journey.answer({}, step=step)
    assert response.status_code == 200
    public = Journey(agent_client, form_page(MISSED_BIN)).start()
    public_response = public.answer({}, step=step)
    assert page_problems(response) == page_problems(public_response) != []
    html = response.content.decode()
    assert "wagtailadmin" in html and "assisted-journey" in html and "govuk-template" not in html
    assert "Save and come back later" not in html


def test_no_save_and_return_in_assisted_mode(agent_client):
    journey = AssistedJourney(agent_client, form_page(MISSED_BIN)).start()
    response = journey.answer(DEMO_ANSWERS[MISSED_BIN], extra={"save_and_return": "1"})
    assert response.status_code == 302 and "/save/" not in response["Location"]
    assert not SavedJourney.objects.exists()


def test_the_public_url_cannot_carry_on_an_assisted_journey(agent_client):
    page = form_page(MISSED_BIN)
    journey = AssistedJourney(agent_client, page).start()
    response = agent_client.get(f"{page.url}{journey.journey_id}/{journey.step}/")
    assert response.status_code == 200 and "Your session has ended" in response.content.decode()


def test_the_resident_can_be_changed_from_check_your_answers(agent_client):
    page = form_page(MISSED_BIN)
    journey = AssistedJourney(agent_client, page).start().complete(DEMO_ANSWERS[MISSED_BIN])
    change_url = f"{FORMS}{page.pk}/{journey.journey_id}/resident/"
    assert change_url in journey.response.content.decode()
    form = agent_client.get(change_url).content.decode()
    assert 'value="Pat Jones"' in form
    response = agent_client.post(change_url, {**RESIDENT, "channel": "face_to_face", "name": "Pat Jones-Smith"})
    assert response["Location"] == journey.url_of(CHECK)
    service_request, _sent = journey.send(DEMO_ANSWERS[MISSED_BIN])
    assert (service_request.channel, service_request.contact_name) == ("face_to_face", "Pat Jones-Smith")


@pytest.mark.parametrize(
    "resident, field, message",
    [
        ({**RESIDENT, "channel": ""}, "id_channel_0", "Select how the resident contacted the council"),
        ({**RESIDENT, "channel": "web"}, "id_channel_0", "Select phone, face to face or post"),
        ({**RESIDENT, "name": ""}, "id_name", "Enter the resident's full name"),
        ({**RESIDENT, "email": "pat@"}, "id_email", BAD_EMAIL),
        ({**RESIDENT, "phone": "12345"}, "id_phone", BAD_PHONE),
        (
            {"channel": "post", "name": "Pat Jones", "email": "pat@example.com"},
            "id_address",
            "Enter the resident's postal address: their request came by post",
        ),
        (
            {"channel": "phone", "name": "Pat Jones"},
            "",
            "Enter at least one way to contact the resident: an email address, a phone number or an address",
        ),
    ],
)
def test_resident_details_are_checked_with_specific_messages(agent_client, resident, field, message):
    page = form_page(MISSED_BIN)
    response = agent_client.post(f"{FORMS}{page.pk}/", resident)
    assert response.status_code == 200
    summary = {
        link.get("href", "").removeprefix("#"): link.get_text(strip=True)
        for link in soup(response).select(".help-critical li a")
    }
    if field:
        assert summary.get(field) == message, summary
    else:
        assert message in admin_errors(response)
    assert "<title>Error:" in response.content.decode()
    assert not any(key.startswith("wizard_assisted_") for key in agent_client.session.keys())


def test_uploads_work_a_phone_is_stored_canonically_and_no_email_sends_no_confirmation(agent_client, media_root):
    page = form_page("report-fly-tipping")  # a photo upload; its email question is optional
    answers = answers_for("report-fly-tipping", email=None)
    resident = {"channel": "face_to_face", "name": "Pat Jones", "phone": "(01632) 960123"}
    journey = AssistedJourney(agent_client, page).start(resident)
    service_request, sent = journey.send(answers)
    assert service_request.answers == stored_answers(answers)
    assert [item.original_name for item in service_request.files.all()] == ["lay-by.png"]
    assert (service_request.channel, service_request.contact_phone) == ("face_to_face", "01632 960123")
    assert not Delivery.objects.filter(request=service_request, kind=DeliveryKind.CITIZEN_EMAIL).exists()
    assert "No confirmation email will be sent" in sent.content.decode()


def test_an_email_answered_in_the_form_gets_the_confirmation_when_the_agent_took_none(agent_client):
    page = form_page(MISSED_BIN)
    resident = {"channel": "phone", "name": "Pat Jones", "phone": "01632 960123"}
    service_request, _sent = AssistedJourney(agent_client, page).start(resident).send(DEMO_ANSWERS[MISSED_BIN])
    assert service_request.contact_email == EMAIL


def test_an_agent_who_works_the_queue_gets_a_link_to_the_request(client):
    officer = make_staff("robin", "Waste and Recycling")
    officer.groups.add(Group.objects.get(name=CONTACT_CENTRE))
    login(client, officer)
    service_request, sent = AssistedJourney(client, form_page(MISSED_BIN)).start().send(DEMO_ANSWERS[MISSED_BIN])
    assert f'href="/admin/requests/{service_request.pk}/"' in sent.content.decode()


def test_sending_twice_makes_one_request(agent_client):
    page = form_page(MISSED_BIN)
    journey = AssistedJourney(agent_client, page).start().complete(DEMO_ANSWERS[MISSED_BIN])
    check = journey.response
    first = journey.submit()
    assert first.status_code == 302
    journey.response = check
    journey.url = journey.url_of(CHECK)
    again = agent_client.post(journey.url, {"check-answers-confirm": "on"})
    assert again.status_code == 302 and again["Location"].endswith("/sent/")
    assert ServiceRequest.objects.filter(entered_by__username="alex").count() == 1


def test_only_agents_may_use_it(client):
    page = form_page(MISSED_BIN)
    officer = make_staff("wendy", "Waste and Recycling")
    login(client, officer)
    assert "Submit on behalf of a resident" not in client.get("/admin/").content.decode()
    for response in (client.get(FORMS), client.get(f"{FORMS}{page.pk}/"), client.post(f"{FORMS}{page.pk}/", RESIDENT)):
        assert (response.status_code, response["Location"]) == (302, "/admin/")  # the admin's "permission denied"
    assert "Pat Jones" not in [request.contact_name for request in ServiceRequest.objects.all()]  # encrypted
    client.logout()
    assert client.get(FORMS)["Location"].startswith("/admin/login/")


def test_a_missing_or_unpublished_form_is_not_found(agent_client):
    assert agent_client.get(f"{FORMS}999999/").status_code == 404
    page = form_page(MISSED_BIN)
    page.unpublish()
    assert agent_client.get(f"{FORMS}{page.pk}/").status_code == 404


def test_staff_see_the_channel_and_the_agent_in_the_list_and_on_the_request(agent_client, client):
    service_request, _sent = AssistedJourney(agent_client, form_page(MISSED_BIN)).start().send(DEMO_ANSWERS[MISSED_BIN])
    officer = make_staff("wendy", "Waste and Recycling")
    login(client, officer)
    listing = client.get("/admin/requests/", {"channel": "phone"}).content.decode()
    assert "Phone (Alex Agent)" in listing and service_request.display_reference in listing
    detail = client.get(f"/admin/requests/{service_request.pk}/").content.decode()
    assert "Alex Agent, on the resident's behalf" in detail
    assert "Pat Jones" in detail and "01632 960123" in detail


def test_the_old_staff_channel_is_still_readable():
    assert str(Channel("staff").label) == "Staff on a caller's behalf (channel not recorded)"
