"""Acceptance: a citizen completes each demo e-form in a browser without JavaScript, and the request is stored."""

import pytest

from backoffice.models import Channel, RequestFile
from forms_catalogue.demo import demo_forms

from .demo_answers import DEMO_ANSWERS, answers_for
from .journey_helpers import (
    CHECK,
    REFERENCE,
    PageForm,
    assert_field_error,
    change_link,
    form_page,
    input_values,
    schema_errors,
    section_titles,
    soup,
    stored_answers,
    summary_rows,
    uploads_in,
)

pytestmark = pytest.mark.django_db


def test_the_answered_forms_are_demo_forms():
    assert set(DEMO_ANSWERS) <= set(demo_forms())


@pytest.mark.parametrize("slug", sorted(DEMO_ANSWERS))
def test_full_journey_stores_the_request(slug, journey, client, temp_uploads):
    page = form_page(slug)
    version = page.current_version()
    answers = DEMO_ANSWERS[slug]
    start_page = client.get(page.url)
    assert start_page.status_code == 200
    assert soup(start_page).select_one(f'a[href="{page.url}start/"]') is not None

    citizen = journey(slug).complete(answers)

    check = citizen.response
    assert citizen.step == CHECK
    assert page.declaration in check.content.decode()
    shown = summary_rows(check)
    for step in version.definition().steps:
        for question in step.questions:
            if question.id in answers and not step.repeat:
                assert shown[question.label], f"{question.label} is not on check your answers"

    service_request, confirmation = citizen.send(answers)

    assert REFERENCE.match(service_request.reference)
    assert soup(confirmation).select_one("[data-reference]").get_text(strip=True) == service_request.display_reference
    assert service_request.service.specific == page.get_parent().specific
    assert service_request.form_page_id == page.pk
    assert service_request.form_version == version
    assert service_request.form_revision_id == page.live_revision_id == version.revision_id
    assert service_request.form_snapshot == version.snapshot
    assert service_request.channel == Channel.WEB
    assert service_request.contact_email == answers.get("email", "")
    assert service_request.answers == stored_answers(answers)
    files = {record.question_id: record for record in RequestFile.objects.filter(request=service_request)}
    assert set(files) == set(uploads_in(answers))
    for question_id, upload in uploads_in(answers).items():
        record = files[question_id]
        assert (record.original_name, record.size, record.content_type) == (
            upload.name,
            len(upload.content),
            upload.real_type,
        )
        assert record.file.storage.exists(record.file.name)
        with record.file.open("rb") as handle:  # decrypted by the request files' storage
            assert handle.read() == upload.content
    assert temp_uploads() == set(), "the journey's temporary uploads were not removed"
    assert schema_errors(client, page, service_request.answers) == []


def test_the_confirmation_says_where_to_track_the_request(journey, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://portal.ashworth.example.gov.uk"
    _, confirmation = journey("report-missed-bin").send(DEMO_ANSWERS["report-missed-bin"])

    link = soup(confirmation).select_one('main a[href$="/track/"]')
    assert link["href"] == link.get_text(strip=True) == "https://portal.ashworth.example.gov.uk/track/"
    assert "using your reference number and email address" in link.parent.get_text(" ", strip=True)


# --- branches -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reason", "shown", "skipped"),
    [
        ("damaged", ["damage"], ["household"]),
        ("bigger", ["household"], ["damage"]),
        ("lost_stolen", [], ["damage", "household"]),
    ],
)
def test_a_condition_shows_or_skips_a_step(journey, reason, shown, skipped):
    answers = answers_for(
        "order-a-bin",
        reason=reason,
        damage_type="lid" if reason == "damaged" else None,
        damaged_by_crew="yes" if reason == "damaged" else None,
        household_size=7 if reason == "bigger" else None,
    )
    citizen = journey("order-a-bin")

    service_request, _ = citizen.send(answers)
    assert schema_errors(citizen.client, citizen.page, service_request.answers) == []

    assert set(shown) <= set(citizen.visited)
    assert not set(skipped) & set(citizen.visited)
    assert service_request.answers == answers


def test_a_skipped_step_cannot_be_opened_by_its_url(journey):
    citizen = journey("order-a-bin").complete(
        answers_for("order-a-bin", reason="lost_stolen", damage_type=None, damaged_by_crew=None)
    )

    response = citizen.open("damage")

    assert response.status_code == 302
    assert response["Location"] == citizen.url_of(CHECK)


def test_a_condition_shows_or_hides_a_question(journey):
    complaint = journey("make-a-complaint")
    complaint.complete(answers_for("make-a-complaint"), until="details")
    assert PageForm.read(complaint.show()).asks("details", "desired_outcome")
    response = complaint.answer({"what_happened": "The crew missed my bin."})
    assert_field_error(
        response, "id_details-desired_outcome", "Enter an answer to “What would you like us to do to put things right?”"
    )

    compliment = journey("make-a-complaint")
    answers = answers_for("make-a-complaint", feedback_type="compliment", desired_outcome=None)
    compliment.complete(answers, until="details")
    assert not PageForm.read(compliment.show()).asks("details", "desired_outcome")
    service_request, _ = compliment.send(answers)
    assert schema_errors(compliment.client, compliment.page, service_request.answers) == []
    assert service_request.answers == stored_answers(answers)
    assert "desired_outcome" not in service_request.answers


@pytest.mark.parametrize(
    ("contact_method", "asked"), [("email", set()), ("phone", {"phone"}), ("post", {"postal_address"})]
)
def test_a_question_shown_by_an_earlier_answer_is_required_only_then(journey, contact_method, asked):
    answers = answers_for(
        "make-a-complaint",
        contact_method=contact_method,
        phone="01632 960001" if "phone" in asked else None,
        postal_address=DEMO_ANSWERS["make-a-complaint"]["postal_address"] if "postal_address" in asked else None,
    )
    citizen = journey("make-a-complaint").complete(answers, until="contact")

    form = PageForm.read(citizen.show())

    assert {question for question in ("phone", "postal_address") if form.asks("contact", question)} == asked
    service_request, _ = citizen.send(answers)
    assert schema_errors(citizen.client, citizen.page, service_request.answers) == []
    assert service_request.answers == stored_answers(answers)


def test_moving_out_skips_the_new_home_questions_that_do_not_apply(journey):
    answers = answers_for("council-tax-moving-home", move_type="out", move_in_date=None, adults=None)
    citizen = journey("council-tax-moving-home")

    service_request, _ = citizen.send(answers)
    assert schema_errors(citizen.client, citizen.page, service_request.answers) == []

    assert "old_home" in citizen.visited
    assert service_request.answers == answers

    moving_in = journey("council-tax-moving-home")
    answers = answers_for(
        "council-tax-moving-home", move_type="into", old_address=None, move_out_date=None, account_number=None
    )
    service_request, _ = moving_in.send(answers)
    assert schema_errors(moving_in.client, moving_in.page, service_request.answers) == []
    assert "old_home" not in moving_in.visited
    assert service_request.answers == answers


# --- change from check your answers -------------------------------------------------------


def test_changing_an_answer_returns_to_check_your_answers(journey):
    answers = answers_for("report-missed-bin", bin_type="general", subscription_number=None)
    citizen = journey("report-missed-bin").complete(answers)

    citizen.visit(change_link(citizen.response, "Is there anything else the crew should know?"))
    assert citizen.step == "anything_else"
    assert input_values(citizen.response)["anything_else-access_notes"] == answers["access_notes"]
    response = citizen.answer({"access_notes": "Please close the gate."})

    assert response["Location"] == citizen.url_of(CHECK)
    assert summary_rows(citizen.show())["Is there anything else the crew should know?"] == "Please close the gate."


def test_a_change_that_opens_a_step_asks_it_then_returns_to_check(journey):
    answers = answers_for("report-missed-bin", bin_type="general", subscription_number=None)
    citizen = journey("report-missed-bin").complete(answers)
    assert "Your garden waste subscription" not in section_titles(citizen.response)

    citizen.visit(change_link(citizen.response, "Which bin was missed?"))
    response = citizen.answer({"bin_type": "garden"})
    assert response["Location"] == citizen.url_of("garden_subscription")
    response = citizen.answer({"subscription_number": "GW000001"})
    assert response["Location"] == citizen.url_of(CHECK)
    assert "Your garden waste subscription" in section_titles(citizen.show())

    citizen.visit(change_link(citizen.response, "Which bin was missed?"))
    citizen.answer({"bin_type": "recycling"})
    assert citizen.step == CHECK
    assert "Your garden waste subscription" not in section_titles(citizen.show())
    service_request, _ = citizen.send({})
    assert schema_errors(citizen.client, citizen.page, service_request.answers) == []
    assert service_request.answers == {**answers, "bin_type": "recycling"}


def test_a_change_that_shows_a_required_question_asks_it_before_sending(journey):
    answers = answers_for("make-a-complaint", feedback_type="suggestion", desired_outcome=None)
    citizen = journey("make-a-complaint").complete(answers)

    citizen.visit(change_link(citizen.response, "What would you like to do?"))
    response = citizen.answer({"feedback_type": "complaint"})

    assert response["Location"] == citizen.url_of("details")
    assert PageForm.read(citizen.show()).asks("details", "desired_outcome")
    assert input_values(citizen.response)["details-what_happened"] == answers["what_happened"]
    assert citizen.client.get(citizen.url_of(CHECK))["Location"] == citizen.url_of("details")
    citizen.answer({"desired_outcome": "Say sorry."})
    assert citizen.step == CHECK
    service_request, _ = citizen.send({})
    assert schema_errors(citizen.client, citizen.page, service_request.answers) == []
    assert service_request.answers == stored_answers(
        {**answers, "feedback_type": "complaint", "desired_outcome": "Say sorry."}
    )
