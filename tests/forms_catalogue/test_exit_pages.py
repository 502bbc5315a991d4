"""Exit pages: a step of kind "exit" ends the journey, with no request, when its condition holds."""

import pytest
from django.conf import settings
from django.test import RequestFactory
from jsonschema import Draft202012Validator

from backoffice.models import ServiceRequest
from forms_catalogue.definition import FormDefinition
from forms_catalogue.demo import definition_json, demo_forms
from forms_catalogue.models import EFormPage
from forms_catalogue.schema import json_schema
from forms_catalogue.stream import stream_data_from_definition
from forms_catalogue.views import preview

from .demo_answers import answers_for
from .journey_helpers import CHECK, change_link, form_page, schema_errors, section_titles, soup, stored_answers

EXIT_TITLE = "You cannot order a bin online"
EXIT_TEXT = "We only collect bins in Ashworth.\n\nAsk your own council instead: call 01632 960000."


def equals(question_id: str, value: str) -> dict:
    return {"match": "all", "rules": [{"question_id": question_id, "operator": "equals", "value": value}]}


def exit_step(**changes) -> dict:
    step = {
        "id": "elsewhere",
        "kind": "exit",
        "title": EXIT_TITLE,
        "intro": EXIT_TEXT,
        "condition": equals("lives_here", "no"),
        "questions": [],
    }
    return {**step, **changes}


def bin_form(*exit_steps: dict) -> dict:
    """A form asking where you live, then (maybe) exit pages, then what you want."""
    return {
        "title": "Order a bin",
        "declaration": "The answers are true.",
        "steps": [
            {
                "id": "where",
                "title": "Where you live",
                "questions": [{"id": "lives_here", "type": "yes_no", "label": "Do you live in Ashworth?"}],
            },
            *exit_steps,
            {
                "id": "details",
                "title": "Your order",
                "questions": [
                    {"id": "bin_size", "type": "short_text", "label": "What size of bin do you want?"},
                    {"id": "email", "type": "email", "label": "What is your email address?"},
                ],
            },
        ],
    }


ORDER = {"bin_size": "Large", "email": "sam@example.com"}


# --- the definition ---------------------------------------------------------------------------


def test_a_step_without_a_kind_asks_questions_and_an_exit_step_round_trips():
    definition = FormDefinition.from_json(bin_form(exit_step()))
    where, elsewhere, details = definition.steps
    assert (where.kind, where.is_exit, elsewhere.kind, elsewhere.is_exit) == ("questions", False, "exit", True)
    assert elsewhere.paragraphs() == [
        "We only collect bins in Ashworth.",
        "Ask your own council instead: call 01632 960000.",
    ]
    assert FormDefinition.from_json(definition.to_json()) == definition
    assert definition.to_json()["steps"][1]["kind"] == "exit"
    assert definition.problems() == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        (
            {"condition": None},
            f"Exit page '{EXIT_TITLE}' has no condition, so every journey would end there. "
            "Add a condition on an answer to an earlier question.",
        ),
        (
            {"condition": equals("bin_size", "Large")},
            f"The condition on step '{EXIT_TITLE}' refers to 'bin_size', which is not a question on an earlier step.",
        ),
        (
            {"questions": [{"id": "why", "type": "short_text", "label": "Why?"}]},
            f"Exit page '{EXIT_TITLE}' cannot have questions.",
        ),
        ({"repeat": {"min_items": 1, "max_items": 3}}, f"Exit page '{EXIT_TITLE}' cannot repeat."),
        ({"kind": "goodbye"}, f"Step '{EXIT_TITLE}' is of an unknown kind 'goodbye'."),
    ],
)
def test_an_exit_page_needs_a_condition_on_earlier_answers_and_nothing_else(changes, problem):
    assert FormDefinition.from_json(bin_form(exit_step(**changes))).problems() == [problem]


def test_a_questions_step_still_needs_questions():
    form = bin_form()
    form["steps"][1]["questions"] = []
    assert FormDefinition.from_json(form).problems() == ["Step 'Your order' has no questions."]


@pytest.mark.django_db
def test_an_exit_page_is_its_own_block_and_round_trips_through_the_stream_field():
    definition = bin_form(exit_step())
    stream = stream_data_from_definition(definition)
    assert [child["type"] for child in stream] == ["step", "exit_page", "step"]
    assert stream[1]["value"]["body"] == EXIT_TEXT
    page = EFormPage(title="Order a bin", declaration="The answers are true.", steps=stream)
    steps = page.definition().steps
    assert [step.kind for step in steps] == ["questions", "exit", "questions"]
    assert steps[1] == FormDefinition.from_json(definition).steps[1]
    page.fill_blank_ids()  # an exit page has no questions to give ids to
    assert page.definition().problems() == []


# --- the journey ------------------------------------------------------------------------------


def assert_exit_page(response, back_step: str) -> None:
    """The exit page: its title as the only h1 and in the page title, its text, a back link, nothing to send."""
    assert response.status_code == 200
    page = soup(response)
    main = page.select_one("main")
    assert [h1.get_text(strip=True) for h1 in main.select("h1")] == [EXIT_TITLE]
    assert page.title.get_text().strip() == f"{EXIT_TITLE} - Order a bin - {settings.COUNCIL_NAME}"
    assert [p.get_text(strip=True) for p in main.select("p.govuk-body")] == [
        "We only collect bins in Ashworth.",
        "Ask your own council instead: call 01632 960000.",
    ]
    assert page.select_one("a.govuk-back-link")["href"].endswith(f"/{back_step}/")
    assert not page.select("form[method=post]"), "an exit page has nothing to send"
    assert not page.select("button, .govuk-error-summary")


@pytest.mark.django_db
def test_a_journey_ends_on_the_exit_page_until_the_answer_is_changed(journey, publish_form):
    citizen = journey(publish_form(bin_form(exit_step())))
    citizen.answer({"lives_here": "no"})
    assert citizen.step == "elsewhere"
    assert_exit_page(citizen.show(), back_step="where")

    # Nothing after it can be opened or sent, whatever the URL.
    for step in ("details", CHECK):
        assert citizen.open(step).status_code == 302
        assert citizen.response["Location"] == citizen.url_of("elsewhere")
    assert citizen.post({f"{CHECK}-confirm": "on"}, url=citizen.url_of(CHECK))["Location"] == citizen.url_of(
        "elsewhere"
    )
    assert citizen.post({}, url=citizen.url_of("elsewhere"))["Location"] == citizen.url_of("elsewhere")
    assert not ServiceRequest.objects.exists()

    # Back, change the answer, and the journey goes on as usual; the exit page is never listed.
    citizen.answer({"lives_here": "yes"}, step="where")
    assert citizen.step == "details"
    assert citizen.open("elsewhere")["Location"] == citizen.url_of("details")
    citizen.complete(ORDER)
    assert section_titles(citizen.response) == ["Where you live", "Your order"]
    service_request, confirmation = citizen.send({"lives_here": "yes", **ORDER})
    assert service_request.answers == {"lives_here": "yes", **ORDER}
    assert EXIT_TITLE not in confirmation.content.decode()


@pytest.mark.django_db
def test_changing_an_answer_from_check_answers_can_lead_to_the_exit_page_and_back(journey, publish_form):
    citizen = journey(publish_form(bin_form(exit_step())))
    citizen.complete({"lives_here": "yes", **ORDER})
    citizen.visit(change_link(citizen.response, "Do you live in Ashworth?"))
    citizen.answer({"lives_here": "no"})
    assert citizen.step == "elsewhere"
    citizen.answer({"lives_here": "yes"}, step="where")
    assert citizen.step == CHECK
    assert citizen.submit()["Location"] == f"{citizen.base}confirmation/"


@pytest.mark.django_db
def test_an_exit_page_whose_condition_does_not_hold_is_skipped(journey, publish_form):
    other = exit_step(id="too_big", title="You cannot order that bin", condition=equals("lives_here", "maybe"))
    citizen = journey(publish_form(bin_form(other, exit_step())))
    citizen.answer({"lives_here": "no"})
    assert citizen.step == "elsewhere"


@pytest.mark.django_db
def test_the_demo_blue_badge_form_sends_people_outside_ashworth_to_their_own_council(journey):
    assert [step["id"] for step in demo_forms()["blue-badge"]["steps"] if step.get("kind") == "exit"] == [
        "apply_to_your_council"
    ]
    citizen = journey("blue-badge")
    citizen.answer({"applying_for": "myself"})
    citizen.answer({"lives_in_ashworth": "no"})
    assert citizen.step == "apply_to_your_council"
    main = soup(citizen.show()).select_one("main")
    assert main.select_one("h1").get_text(strip=True) == "You cannot apply for a Blue Badge online"
    assert "01632 960190" in main.get_text() and "parking@ashworth.example.gov.uk" in main.get_text()
    citizen.answer({"lives_in_ashworth": "yes"}, step="where_they_live")
    assert citizen.step == "badge_holder"


# --- JSON Schema and preview ------------------------------------------------------------------


def test_the_schema_lists_exit_pages_and_refuses_answers_that_lead_to_one():
    schema = json_schema(FormDefinition.from_json(bin_form(exit_step())))
    validator = Draft202012Validator(schema)
    condition = {"required": ["lives_here"], "properties": {"lives_here": {"enum": ["no"]}}}
    assert schema["x-exit-pages"] == [
        {"id": "elsewhere", "title": EXIT_TITLE, "description": EXIT_TEXT, "condition": condition}
    ]
    assert "elsewhere" not in schema["properties"]
    assert list(validator.iter_errors({"lives_here": "yes", **ORDER})) == []
    assert [error.validator for error in validator.iter_errors({"lives_here": "no", **ORDER})] == ["not"]


def test_a_form_without_exit_pages_has_no_exit_list():
    assert "x-exit-pages" not in json_schema(FormDefinition.from_json(bin_form()))


@pytest.mark.django_db
def test_the_published_blue_badge_schema_refuses_an_applicant_outside_ashworth(client):
    page = form_page("blue-badge")
    answers = stored_answers(answers_for("blue-badge"))
    assert schema_errors(client, page, answers) == []
    assert len(schema_errors(client, page, {**answers, "lives_in_ashworth": "no"})) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("mode", ["", "summary"])
def test_the_editor_preview_shows_exit_pages(mode):
    definition = definition_json(bin_form(exit_step()))
    page = EFormPage(title="Order a bin", slug="form", steps=stream_data_from_definition(definition))
    response = preview(RequestFactory().get("/"), page, mode)
    main = soup(response).select_one("main")
    assert EXIT_TITLE in main.get_text()
    assert "Ask your own council instead: call 01632 960000." in main.get_text()
    assert "exit page" in main.get_text().lower()
