"""Put this service online: a draft e-form from each form pattern, tailored to the service and routed to its queue."""

from __future__ import annotations

import json

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from wagtail.models import GroupPagePermission, Page

from backoffice.models import Queue
from forms_catalogue.definition import FormDefinition
from forms_catalogue.exchange import ImportProblem, export_document, import_document, parse_document
from forms_catalogue.models import EFormPage
from forms_catalogue.patterns import SHIPPED_PATTERNS_DIR, find_pattern
from forms_catalogue.put_online import (
    CATEGORY_QUESTIONS,
    PATTERN_ORDER,
    PutOnlineError,
    create_form_from_pattern,
    fill_placeholders,
    lower_first,
    placeholder_values,
    tailored_form,
)
from home.models import CategoryPage, ServicePage

from .demo_answers import ADDRESS, EMAIL, NAME, PHONE
from .journey_helpers import FUTURE, PAST, jpeg, pdf, requests_for, soup

PLACEHOLDERS = ("{service}", "{service_lower}", "{department}", "{department_phone}", "{department_email}", "{council}")

# One answer for every question of every pattern (each journey uses those its pages ask).
PATTERN_ANSWERS = {
    "problem_description": "A drain cover is broken and rocking.",
    "immediate_danger": "no",
    "problem_location": {"description": "Outside 14 Mill Lane", "postcode": "AB4 7QT"},
    "photo": jpeg("drain.jpg"),
    "date_noticed": PAST,
    "name": NAME,
    "email": EMAIL,
    "phone": PHONE,
    "lives_in_area": "yes",
    "date_of_birth": "1985-03-27",
    "address": ADDRESS,
    "application_details": "I need a permit for my street.",
    "start_date": FUTURE,
    "proof_of_identity": pdf("passport.pdf"),
    "proof_of_address": pdf("bill.pdf"),
    "request_details": "Two items.",
    "service_address": ADDRESS,
    "service_option": "standard",
    "preferred_date": FUTURE,
    "booking_type": "appointment",
    "booking_slot": "tuesday_morning",
    "attendee_name": NAME,
    "people_count": 2,
    "change_type": "address",
    "change_description": "I have moved to a new flat.",
    "change_date": PAST,
    "feedback_type": "complaint",
    "what_happened": "My bin was missed three times.",
    "desired_outcome": "Collect it.",
    "wants_reply": "yes",
    "request_type": "foi",
    "information_wanted": "Spending on road repairs.",
    "format": "email",
    "person_age": "adult",
    "concern_description": "My neighbour has not been seen for a week.",
    "stay_anonymous": "no",
    "notification_details": "A new food business.",
    "effective_date": PAST,
    "supporting_document": pdf("certificate.pdf"),
    "vehicle_registration": "AB12 CDE",
    "vehicle_make": "Ford Fiesta",
    "road_position": "pavement",
    "bin_type": "recycling",
}

# A category for each pattern's service: two with extra questions, the rest without.
PATTERN_CATEGORIES = {"report": "roads-and-pavements", "apply": "parking-and-transport"}


@pytest.fixture
def new_service(db):
    """A function adding a live service page, with no e-form, under a demo category."""

    def make(title: str = "Report a blocked drain", category: str = "housing", **fields) -> ServicePage:
        queue = Queue.objects.filter(is_default=True).select_related("department").order_by("pk").first()
        parent = CategoryPage.objects.get(slug=category)
        service = ServicePage(
            title=title, slug=f"test-{len(title)}-{category}", summary="Test", department=queue.department, **fields
        )
        parent.add_child(instance=service)
        service.save_revision().publish()
        return ServicePage.objects.get(pk=service.pk)

    return make


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("online-editor", "editor@example.com", "x")
    client.force_login(user)
    client.user = user
    return client


def shipped(pattern_id: str) -> dict:
    """A shipped pattern file as it is on disk."""
    return json.loads((SHIPPED_PATTERNS_DIR / f"{pattern_id}.json").read_text(encoding="utf-8"))


def put_online(client, service: ServicePage, pattern_id: str):
    return client.post(reverse("put_service_online", args=[service.pk]), {"pattern": pattern_id})


# --- the patterns -------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_nine_patterns_are_shipped_and_parse():
    assert sorted(path.stem for path in SHIPPED_PATTERNS_DIR.glob("*.json")) == sorted(PATTERN_ORDER)
    for pattern_id in PATTERN_ORDER:
        document = shipped(pattern_id)
        assert parse_document(json.dumps(document)).pattern_id == pattern_id
        assert find_pattern(pattern_id).document.form == document["form"]
        assert document["format"] == "council-portal/e-form" and document["format_version"] == 1
        assert document["pattern"]["id"] == pattern_id
        assert document["pattern"]["name"] and document["pattern"]["description"]
        form = document["form"]
        assert form["intro"] and form["declaration"] and form["confirmation_text"]


@pytest.mark.parametrize("pattern_id", PATTERN_ORDER)
def test_each_pattern_is_a_valid_form_with_a_contact_email(pattern_id):
    definition = FormDefinition.from_json(shipped(pattern_id)["form"])
    assert definition.problems() == []
    assert definition.question("email").type == "email"
    assert any(step.id == "details" for step in definition.steps), "the main step extra questions go to"


def test_apply_ends_on_an_exit_page_when_not_eligible_and_concern_when_in_danger():
    exits = {
        pattern_id: [step for step in shipped(pattern_id)["form"]["steps"] if step.get("kind") == "exit"]
        for pattern_id in ("apply", "concern")
    }
    assert exits["apply"][0]["condition"]["rules"] == [
        {"question_id": "lives_in_area", "operator": "equals", "value": "no"}
    ]
    assert exits["concern"][0]["condition"]["rules"][0]["question_id"] == "immediate_danger"


def test_the_concern_pattern_warns_about_immediate_danger_and_cannot_be_saved():
    form = shipped("concern")["form"]
    assert form["intro"].startswith("If someone is in immediate danger, call 999.")
    assert form["allow_save"] is False
    assert [key for key in PATTERN_ORDER if shipped(key)["form"].get("allow_save", True) is False] == ["concern"]


# --- tailoring ----------------------------------------------------------------------------


def test_lower_first_keeps_acronyms():
    assert lower_first("Apply for a Blue Badge") == "apply for a Blue Badge"
    assert lower_first("CCTV footage request") == "CCTV footage request"
    assert lower_first("") == ""


def test_placeholders_are_filled_everywhere_and_other_braces_left_alone():
    values = {"service": "Report a pothole", "council": "Ashworth Borough Council"}
    filled = fill_placeholders({"a": ["{service} to {council}", {"b": "{other} {service}"}], "n": 3}, values)
    assert filled == {"a": ["Report a pothole to Ashworth Borough Council", {"b": "{other} Report a pothole"}], "n": 3}


@pytest.mark.django_db
def test_placeholder_values_come_from_the_service_and_its_department(new_service, council_name):
    service = new_service("Apply for a dropped kerb")
    values = placeholder_values(service)
    assert values == {
        "service": "Apply for a dropped kerb",
        "service_lower": "apply for a dropped kerb",
        "department": service.department.name,
        "department_phone": service.department.phone,
        "department_email": service.department.email,
        "council": council_name,
    }
    service.phone = "01632 960123"
    assert placeholder_values(service)["department_phone"] == "01632 960123"


@pytest.mark.django_db
@pytest.mark.parametrize("pattern_id", PATTERN_ORDER)
def test_the_tailored_form_has_no_placeholder_left(new_service, pattern_id):
    form = tailored_form(new_service(), find_pattern(pattern_id))
    text = str(form)
    assert not [placeholder for placeholder in PLACEHOLDERS if placeholder in text]
    assert form["title"] == "Report a blocked drain"


@pytest.mark.django_db
@pytest.mark.parametrize("category", ["parking-and-transport", "roads-and-pavements"])
def test_a_category_adds_its_questions_to_the_main_step(new_service, category):
    form = tailored_form(new_service(category=category), find_pattern("request"))
    details = next(step for step in form["steps"] if step["id"] == "details")
    extra_ids = [question["id"] for question in CATEGORY_QUESTIONS[category]]
    assert [question["id"] for question in details["questions"][-len(extra_ids) :]] == extra_ids
    assert FormDefinition.from_json(form).problems() == []


@pytest.mark.django_db
def test_a_question_the_pattern_already_has_is_not_added_twice(new_service):
    CATEGORY_QUESTIONS["housing"] = [{"id": "email", "type": "email", "label": "Email again"}]
    try:
        form = tailored_form(new_service(), find_pattern("report"))
    finally:
        del CATEGORY_QUESTIONS["housing"]
    assert FormDefinition.from_json(form).problems() == []


# --- creating the draft -------------------------------------------------------------------


@pytest.mark.django_db
def test_the_draft_is_tailored_and_never_published(new_service, admin_client):
    service = new_service("Report a blocked drain")

    page = create_form_from_pattern(service, "report", admin_client.user)

    page = EFormPage.objects.get(pk=page.pk)
    assert (page.live, page.has_unpublished_changes, page.title, page.slug) == (False, True, service.title, "form")
    assert page.get_parent().pk == service.pk
    assert page.pattern_id == "report"
    assert service.department.phone in page.intro
    assert page.confirmation_text.startswith("<p>") and service.department.email in page.confirmation_text
    assert "{" not in page.declaration
    assert page.save_and_return is True
    assert page.latest_revision.user == admin_client.user
    assert ServicePage.objects.get(pk=service.pk).online_status == "offline"


@pytest.mark.django_db
def test_a_concern_form_cannot_be_saved_for_later(new_service, admin_client):
    page = create_form_from_pattern(new_service(), "concern", admin_client.user)
    assert EFormPage.objects.get(pk=page.pk).save_and_return is False


@pytest.mark.django_db
def test_refuses_a_service_that_already_has_an_e_form(new_service, admin_client):
    service = new_service()
    create_form_from_pattern(service, "report", admin_client.user)
    with pytest.raises(PutOnlineError, match="already has an e-form"):
        create_form_from_pattern(service, "request", admin_client.user)
    assert EFormPage.objects.child_of(service).count() == 1


@pytest.mark.django_db
def test_refuses_an_information_only_service_and_an_unknown_pattern(new_service, admin_client):
    with pytest.raises(PutOnlineError, match="only gives information"):
        create_form_from_pattern(new_service(information_only=True), "report", admin_client.user)
    service = new_service("Request a bench")
    with pytest.raises(PutOnlineError, match="no form pattern called “nope”"):
        create_form_from_pattern(service, "nope", admin_client.user)
    assert not EFormPage.objects.child_of(service).exists()


# --- the admin action ---------------------------------------------------------------------


@pytest.mark.django_db
def test_the_action_lists_the_patterns_as_radios(new_service, admin_client):
    service = new_service()
    response = admin_client.get(reverse("put_service_online", args=[service.pk]))
    assert response.status_code == 200
    radios = soup(response).select("input[type=radio][name=pattern]")
    assert [radio["value"] for radio in radios] == list(PATTERN_ORDER)
    assert "Report a problem" in response.content.decode()


@pytest.mark.django_db
def test_the_action_is_in_the_page_header_and_listing_menu_only_without_an_e_form(new_service, admin_client):
    service = new_service()
    url = reverse("put_service_online", args=[service.pk])
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[service.pk]))
    listing = admin_client.get(reverse("wagtailadmin_explore", args=[service.get_parent().pk]))
    assert url in edit.content.decode() and url in listing.content.decode()

    create_form_from_pattern(service, "report", admin_client.user)

    assert url not in admin_client.get(reverse("wagtailadmin_pages:edit", args=[service.pk])).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{}, {"pattern": ""}, {"pattern": "nope"}, {"pattern": "../report"}])
def test_a_bad_choice_gives_a_clear_error_and_creates_nothing(new_service, admin_client, data):
    service = new_service()
    response = admin_client.post(reverse("put_service_online", args=[service.pk]), data)
    assert response.status_code == 200
    assert soup(response).select_one(".help-critical a[href='#id_pattern_0']").get_text().startswith("Choose")
    assert not EFormPage.objects.child_of(service).exists()


@pytest.mark.django_db
def test_a_service_that_cannot_be_put_online_is_explained(new_service, admin_client):
    service = new_service(information_only=True)
    response = put_online(admin_client, service, "report")
    assert response.status_code == 200
    assert "only gives information" in response.content.decode()
    assert not EFormPage.objects.child_of(service).exists()


@pytest.mark.django_db
def test_an_unknown_page_or_one_that_is_not_a_service_is_not_found(admin_client):
    assert admin_client.get(reverse("put_service_online", args=[999999])).status_code == 404
    home = Page.objects.get(depth=2)
    assert admin_client.post(reverse("put_service_online", args=[home.pk]), {"pattern": "report"}).status_code == 404


@pytest.mark.django_db
def test_an_editor_who_cannot_add_pages_under_the_service_is_refused(new_service, client):
    service = new_service()
    group = Group.objects.create(name="Other editors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(group=group, page=Page.objects.get(slug="council-tax"), permission_type="add")
    user = User.objects.create_user("other", password="x")
    user.groups.add(group)
    client.force_login(user)

    denied = client.get(reverse("put_service_online", args=[service.pk]), follow=True)
    assert denied.redirect_chain == [(reverse("wagtailadmin_home"), 302)]
    assert "Sorry, you do not have permission" in denied.content.decode()
    assert put_online(client, service, "report").status_code == 302
    assert not EFormPage.objects.child_of(service).exists()
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[service.pk]))
    assert reverse("put_service_online", args=[service.pk]) not in edit.content.decode()


@pytest.mark.django_db
def test_a_councils_own_pattern_is_offered_after_the_nine_and_a_broken_one_is_not(
    new_service, admin_client, settings, tmp_path
):
    own = {**shipped("request"), "pattern": {"id": "permit", "name": "Ask for a permit", "description": "A permit."}}
    broken = {**own, "pattern": {"id": "broken", "name": "Broken", "description": "x"}, "form": {"title": "x"}}
    (tmp_path / "permit.json").write_text(json.dumps(own), encoding="utf-8")
    (tmp_path / "broken.json").write_text(json.dumps(broken), encoding="utf-8")
    settings.FORM_PATTERNS_DIR = str(tmp_path)
    service = new_service()

    response = admin_client.get(reverse("put_service_online", args=[service.pk]))
    refused = put_online(admin_client, service, "broken")

    radios = [radio["value"] for radio in soup(response).select("input[type=radio][name=pattern]")]
    assert radios == [*PATTERN_ORDER, "permit"]
    assert "Choose one of the form patterns in the list" in refused.content.decode()
    assert put_online(admin_client, service, "permit").status_code == 302
    assert EFormPage.objects.child_of(service).get().pattern_id == "permit"


@pytest.mark.django_db
def test_a_category_question_that_does_not_validate_gives_a_clear_error(new_service, admin_client):
    CATEGORY_QUESTIONS["housing"] = [{"id": "too_long", "type": "short_text", "label": "x" * 301}]
    try:
        response = put_online(admin_client, new_service(), "report")
    finally:
        del CATEGORY_QUESTIONS["housing"]
    assert response.status_code == 200
    problem = soup(response).select_one(".help-critical li").get_text()
    assert problem.startswith("The pattern “report” has a problem, so no e-form was created:")
    assert "too_long" in problem


@pytest.mark.django_db
@pytest.mark.parametrize("pattern_id", PATTERN_ORDER)
def test_a_form_from_each_pattern_is_published_completed_and_lands_in_the_department_queue(
    new_service, admin_client, client, journey, pattern_id
):
    service = new_service(f"Test service for {pattern_id}", category=PATTERN_CATEGORIES.get(pattern_id, "housing"))

    response = put_online(admin_client, service, pattern_id)

    page = EFormPage.objects.child_of(service).get()
    assert response.status_code == 302 and response["Location"] == reverse("wagtailadmin_pages:edit", args=[page.pk])
    assert not page.live
    page.save_revision(user=admin_client.user).publish()
    assert ServicePage.objects.get(pk=service.pk).online_status == "online_form"

    admin_client.logout()
    service_request, confirmation = journey(EFormPage.objects.get(pk=page.pk), browser=client).send(PATTERN_ANSWERS)

    assert service_request.service_id == service.pk
    assert service_request.queue == Queue.default_for(service.department)
    assert service_request.queue.department == service.department
    assert service_request.contact_email == EMAIL
    for question_id in (question["id"] for question in CATEGORY_QUESTIONS.get(PATTERN_CATEGORIES.get(pattern_id), [])):
        assert question_id in service_request.answers


@pytest.mark.django_db
def test_a_form_without_save_for_later_says_so_in_its_file_and_keeps_it_on_import(new_service, admin_client):
    page = create_form_from_pattern(new_service(), "feedback", admin_client.user)
    assert "allow_save" not in export_document(page)["form"]
    page.save_and_return = False
    page.save_revision()

    document = export_document(EFormPage.objects.get(pk=page.pk))
    copied = import_document(parse_document(json.dumps(document)), new_service("Give feedback"))

    assert document["form"]["allow_save"] is False
    assert EFormPage.objects.get(pk=copied.pk).save_and_return is False


def test_allow_save_must_be_true_or_false():
    document = {**shipped("feedback"), "form": {**shipped("feedback")["form"], "allow_save": "no"}}
    with pytest.raises(ImportProblem, match='"allow_save" must be true or false, not text'):
        parse_document(json.dumps(document))


@pytest.mark.django_db
def test_an_applicant_outside_the_area_ends_on_the_exit_page_with_the_departments_phone(
    new_service, admin_client, client, journey
):
    service = new_service("Apply for a dropped kerb", category="roads-and-pavements")
    page = create_form_from_pattern(service, "apply", admin_client.user)
    page.save_revision(user=admin_client.user).publish()

    citizen = journey(EFormPage.objects.get(pk=page.pk), browser=client)
    citizen.answer({"lives_in_area": "no"})
    exit_page = citizen.show()

    assert citizen.step == "cannot_apply"
    assert soup(exit_page).h1.get_text(strip=True) == "You cannot apply for a dropped kerb online"
    assert service.department.phone in exit_page.content.decode()
    assert not requests_for(page).exists()


@pytest.mark.django_db
def test_a_concern_journey_offers_no_save_for_later_and_sends_someone_in_danger_to_999(
    new_service, admin_client, client, journey
):
    page = create_form_from_pattern(new_service("Report a concern about an adult"), "concern", admin_client.user)
    page.save_revision(user=admin_client.user).publish()
    page = EFormPage.objects.get(pk=page.pk)

    start = client.get(page.url)
    citizen = journey(page, browser=client)
    first_step = citizen.show()
    citizen.answer({"immediate_danger": "yes"})
    exit_page = citizen.show()

    assert "If someone is in immediate danger, call 999." in start.content.decode()
    assert "Save and come back later" not in first_step.content.decode()
    assert citizen.step == "call_999"
    assert soup(exit_page).h1.get_text(strip=True) == "Call 999 now"
    assert not requests_for(page).exists()
