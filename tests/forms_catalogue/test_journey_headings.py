"""Acceptance: a one-question step uses its question as the page heading (GOV.UK question pages)."""

import pytest
from django.conf import settings

from .journey_helpers import assert_field_error, error_summary, soup

pytestmark = pytest.mark.django_db

COLOUR = "Which colour bin do you want?"
REFERENCE = "What is your reference number?"
GARDEN = "How big is your garden?"
HEADINGS_FORM = {
    "title": "Order a painted bin",
    "declaration": "The answers are true.",
    "steps": [
        {
            "id": "colour",
            "title": COLOUR,
            "intro": "We paint bins in three colours.",
            "questions": [
                {
                    "id": "colour_choice",
                    "type": "radios",
                    "label": COLOUR,
                    "options": [{"value": "red", "label": "Red"}, {"value": "blue", "label": "Blue"}],
                }
            ],
        },
        {
            "id": "reference",
            "title": REFERENCE,
            "intro": "It is at the top of our letter.",
            "questions": [{"id": "reference_number", "type": "short_text", "label": REFERENCE, "hint": "Like AB123"}],
        },
        {
            "id": "garden",
            "title": "Your garden",
            "intro": "We ask so that we send the right bin.",
            "questions": [{"id": "garden_size", "type": "number", "label": GARDEN}],
        },
        {
            "id": "contact",
            "title": "Your contact details",
            "intro": "We only use these to tell you about your order.",
            "questions": [
                {"id": "email", "type": "email", "label": "What is your email address?"},
                {"id": "phone", "type": "phone", "label": "What is your phone number?"},
            ],
        },
    ],
}


def title_of(response) -> str:
    return soup(response).title.get_text().strip()


def assert_question_is_the_heading(response, question: str, intro: str, hint_id: str = "") -> None:
    """One h1, the question's own label or legend, said once; the intro follows it and describes the field."""
    main = soup(response).select_one("main")
    headings = main.select("h1")
    assert [heading.get_text(strip=True) for heading in headings] == [question]
    assert main.get_text(" ", strip=True).count(question) == 1, "the question is shown twice"
    heading = headings[0]
    if heading.parent.name == "legend":
        assert "govuk-fieldset__legend--l" in heading.parent["class"]
        described_by = heading.find_parent("fieldset")["aria-describedby"].split()
    else:
        label = heading.select_one("label.govuk-label--l")
        assert label is not None, heading
        described_by = main.find(id=label["for"])["aria-describedby"].split()
    intro_element = main.find(string=intro).parent
    assert intro_element.get("id") in described_by, described_by
    assert not hint_id or hint_id in described_by, described_by
    assert title_of(response) == f"{question} - {HEADINGS_FORM['title']} - {settings.COUNCIL_NAME}"


def test_a_one_question_step_with_an_intro_says_its_question_once_as_the_heading(journey, publish_form):
    citizen = journey(publish_form(HEADINGS_FORM))

    colour = citizen.show()
    assert citizen.step == "colour"
    assert_question_is_the_heading(colour, COLOUR, "We paint bins in three colours.")
    citizen.answer({"colour_choice": "blue"})

    reference = citizen.show()
    assert citizen.step == "reference"
    assert_question_is_the_heading(
        reference, REFERENCE, "It is at the top of our letter.", "id_reference-reference_number-hint"
    )


def test_the_question_is_the_heading_in_the_error_state_and_the_summary_reaches_it(journey, publish_form):
    citizen = journey(publish_form(HEADINGS_FORM))
    citizen.answer({"colour_choice": "red"})

    response = citizen.answer({})

    [(anchor, message)] = error_summary(response).items()
    assert anchor == "id_reference-reference_number"
    assert_field_error(response, anchor, message)
    assert title_of(response).startswith(f"Error: {REFERENCE} - ")
    assert [heading.get_text(strip=True) for heading in soup(response).select("main h1")] == [REFERENCE]
    assert soup(response).select_one("main form").get_text(" ", strip=True).count(REFERENCE) == 1


def test_a_one_question_step_uses_its_question_even_when_the_title_differs(journey, publish_form):
    citizen = journey(publish_form(HEADINGS_FORM))
    citizen.answer({"colour_choice": "red"})
    citizen.answer({"reference_number": "AB123"})

    garden = citizen.show()

    assert citizen.step == "garden"
    assert_question_is_the_heading(garden, GARDEN, "We ask so that we send the right bin.")
    assert "Your garden" not in soup(garden).select_one("main").get_text()


def test_a_step_of_several_questions_keeps_its_title_as_the_heading(journey, publish_form):
    citizen = journey(publish_form(HEADINGS_FORM))
    citizen.answer({"colour_choice": "red"})
    citizen.answer({"reference_number": "AB123"})
    citizen.answer({"garden_size": "12"})

    contact = soup(citizen.show())

    assert citizen.step == "contact"
    assert [heading.get_text(strip=True) for heading in contact.select("main h1")] == ["Your contact details"]
    assert contact.select_one("main h1 + p.govuk-body").get_text(strip=True).startswith("We only use these")
    assert [label.get_text(strip=True) for label in contact.select("main label.govuk-label--m")] == [
        "What is your email address?",
        "What is your phone number?",
    ]
