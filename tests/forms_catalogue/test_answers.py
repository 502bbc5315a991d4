"""Answers sent as JSON are checked by the web journey's own step forms (forms_catalogue/answers.py).

The messages expected here are the web form's own (test_journey_bad_input.py checks them on the
rendered pages); a few cases also send the same answers through the web journey and compare.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.models import Channel, RequestFile, ServiceRequest
from forms_catalogue.answers import (
    AnswerProblem,
    AnswersInvalid,
    CheckedAnswers,
    JourneyEnded,
    check_answers,
    submit_answers,
)
from forms_catalogue.definition import FormDefinition
from forms_catalogue.demo import definition_json, demo_forms

from .demo_answers import ADDRESS, DEMO_ANSWERS, EMAIL, NAME, answers_for, person
from .journey_helpers import (
    FUTURE,
    HTML_BYTES,
    PNG_BYTES,
    Upload,
    days_from_today,
    form_page,
    page_problems,
    pdf,
    png,
    soup,
    stored_answers,
)
from .test_journey_uploads import EVIDENCE_FORM

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py

MEGABYTE = 1024 * 1024


def definition_of(slug: str) -> FormDefinition:
    """The definition of a demo form's published version (what citizens' journeys run on)."""
    return form_page(slug).current_version().definition()


def json_and_files(answers: dict[str, Any], prefix: str = "") -> tuple[dict[str, Any], dict[str, Any]]:
    """Answers as an API client sends them: each Upload taken out of the answers, as a file at its JSON pointer."""
    payload: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, Upload):
            files[f"{prefix}/{key}"] = value.file()
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            payload[key] = []
            for index, item in enumerate(value):
                item_payload, item_files = json_and_files(item, f"{prefix}/{key}/{index}")
                payload[key].append(item_payload)
                files.update(item_files)
        else:
            payload[key] = value
    return payload, files


def check(slug: str, answers: Any, files: dict[str, Any] | None = None) -> CheckedAnswers:
    return check_answers(definition_of(slug), answers, files)


def problems_of(definition: FormDefinition | str, answers: Any, files: dict[str, Any] | None = None):
    """The problems check_answers raises (a demo form by its slug, or a definition)."""
    if isinstance(definition, str):
        definition = definition_of(definition)
    with pytest.raises(AnswersInvalid) as raised:
        check_answers(definition, answers, files)
    return raised.value.problems


def demo_json(slug: str, **changes: Any) -> dict[str, Any]:
    """A demo form's answers as JSON (without its files), some changed; a change to None removes the answer."""
    return json_and_files(answers_for(slug, **changes))[0]


# --- every demo form ----------------------------------------------------------------------


@pytest.mark.parametrize("slug", sorted(DEMO_ANSWERS))
def test_each_demo_form_accepts_its_answers_and_keeps_what_the_web_journey_stores(slug):
    payload, files = json_and_files(DEMO_ANSWERS[slug])

    checked = check(slug, payload, files)

    assert checked.answers == stored_answers(DEMO_ANSWERS[slug])
    assert json.loads(json.dumps(checked.answers)) == checked.answers  # plain JSON, ready to store
    assert sorted((f.question_id, f.item_index, f.file.content_type) for f in checked.files) == sorted(
        (pointer.rsplit("/", 1)[-1], None, upload.content_type) for pointer, upload in files.items()
    )
    assert checked.contact_email == DEMO_ANSWERS[slug].get("email", "")


def test_a_file_answer_may_also_give_the_files_name_size_and_type_and_the_file_decides_them():
    answers = answers_for("report-pothole")
    payload, files = json_and_files(answers)
    payload["photo"] = {"name": "what-i-say.png", "size": 1, "content_type": "text/plain"}

    checked = check("report-pothole", payload, files)

    assert checked.answers["photo"] == answers["photo"].stored()


def test_the_files_type_is_found_from_its_content_not_what_the_client_says():
    upload = Upload("photo.jpg", PNG_BYTES, "image/jpeg", "image/png")

    checked = check("report-pothole", demo_json("report-pothole", photo=None), {"/photo": upload.file()})

    # The name keeps what the citizen called it, and ends with what it really is.
    assert checked.answers["photo"] == {"name": "photo.jpg.png", "size": len(PNG_BYTES), "content_type": "image/png"}


def test_text_is_cleaned_and_numbers_and_coordinates_are_given_as_json_numbers():
    checked = check(
        "report-fly-tipping",
        demo_json(
            "report-fly-tipping",
            photo=None,
            witness_account="  Two men\r\nthrew a sofa\x00  ",
            fly_tip_location={"description": "Lay-by", "postcode": "ab47qt", "latitude": 52, "longitude": -1.5},
        ),
    )

    assert checked.answers["witness_account"] == "Two men\nthrew a sofa"
    assert checked.answers["fly_tip_location"] == {
        "description": "Lay-by",
        "postcode": "AB4 7QT",
        "latitude": 52.0,
        "longitude": -1.5,
    }


def test_optional_answers_left_out_empty_or_null_are_not_stored():
    checked = check(
        "report-missed-bin",
        demo_json("report-missed-bin", bin_type="general", subscription_number=None)
        | {
            "access_notes": "",
            "phone": None,
        },
    )

    assert "access_notes" not in checked.answers
    assert "phone" not in checked.answers
    assert "subscription_number" not in checked.answers


# --- the web form's messages --------------------------------------------------------------

# (demo form, changes to its answers, the problem expected: pointer, message, code, part)
WEB_ERRORS = [
    ("report-missed-bin", {"bin_type": None}, ("/bin_type", "Select which bin was missed", "required", "")),
    ("report-missed-bin", {"bin_type": "purple"}, ("/bin_type", "Select which bin was missed", "invalid_choice", "")),
    (
        "report-missed-bin",
        {"email": "sam@"},
        ("/email", "Enter an email address in the correct format, like name@example.com", "invalid", ""),
    ),
    ("report-missed-bin", {"email": None}, ("/email", "Enter your email address", "required", "")),
    (
        "report-missed-bin",
        {"email": "sam@" + "x" * 100_000},
        ("/email", "What is your email address must be 254 characters or less", "max_length", ""),
    ),
    (
        "report-missed-bin",
        {"phone": "call me maybe"},
        (
            "/phone",
            "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
            "invalid",
            "",
        ),
    ),
    (
        "report-missed-bin",
        {"collection_address": {**ADDRESS, "postcode": "NOT ONE"}},
        ("/collection_address", "Enter a real postcode", "invalid", "postcode"),
    ),
    (
        "report-missed-bin",
        {"collection_address": {"line2": "", "town": "Ashworth", "postcode": "AB4 7QT"}},
        ("/collection_address", "Enter address line 1, typically the building and street", "required", "line1"),
    ),
    (
        "report-missed-bin",
        {"name": {"first_name": "Sam", "last_name": ""}},
        ("/name", "Enter your last name", "required", "last_name"),
    ),
    (
        "report-missed-bin",
        {"name": {"first_name": "S" * 100_000, "last_name": "Okafor"}},
        ("/name", "First name must be 100 characters or less", "max_length", "first_name"),
    ),
    (
        "report-missed-bin",
        {"collection_date": None},
        ("/collection_date", "Enter an answer to “When was your bin due to be collected?”", "required", ""),
    ),
    (
        "report-missed-bin",
        {"collection_date": "2024-02-31"},
        ("/collection_date", "When was your bin due to be collected must be a real date", "invalid", ""),
    ),
    (
        "report-missed-bin",
        {"collection_date": "0000-01-01"},
        ("/collection_date", "When was your bin due to be collected must be a real date", "invalid", ""),
    ),
    (
        "report-missed-bin",
        {"collection_date": days_from_today(1)},
        ("/collection_date", "When was your bin due to be collected must be today or in the past", "invalid", ""),
    ),
    (
        "report-missed-bin",
        {"access_notes": "x" * 100_000},
        (
            "/access_notes",
            "Is there anything else the crew should know must be 1,000 characters or less",
            "max_length",
            "",
        ),
    ),
    ("report-missed-bin", {"out_by_7am": "maybe"}, ("/out_by_7am", "Select yes or no", "invalid_choice", "")),
    (
        "bulky-waste",
        {"item_count": 6},
        ("/item_count", "How many items are there in total must be 5 or less", "max_value", ""),
    ),
    (
        "bulky-waste",
        {"item_count": 0},
        ("/item_count", "How many items are there in total must be 1 or more", "min_value", ""),
    ),
    (
        "bulky-waste",
        {"item_count": 2.5},
        ("/item_count", "How many items are there in total must be a whole number", "whole_number", ""),
    ),
    (
        "bulky-waste",
        {"item_count": 10**400},
        ("/item_count", "How many items are there in total must be 5 or less", "max_value", ""),
    ),
    (
        "bulky-waste",
        {"item_count": float("nan")},
        ("/item_count", "How many items are there in total must be a number", "invalid", ""),
    ),
    (
        "bulky-waste",
        {"items": ["sofa", "bed", "mattress", "wardrobe", "table", "fridge"]},
        ("/items", "Select no more than 5 options", "max_selections", ""),
    ),
    (
        "bulky-waste",
        {"items": ["sofa", "sofa_bed"]},
        ("/items", "Select an answer to “What do you want us to collect?”", "invalid_choice", ""),
    ),
    ("bulky-waste", {"items": []}, ("/items", "Select an answer to “What do you want us to collect?”", "required", "")),
    (
        "bulky-waste",
        {"preferred_date": days_from_today(-1)},
        ("/preferred_date", "Which date would you like the collection must be today or in the future", "invalid", ""),
    ),
    (
        "report-fly-tipping",
        {"fly_tip_location": {"description": ""}},
        ("/fly_tip_location", "Enter a description of the location", "required", "description"),
    ),
    (
        "report-fly-tipping",
        {"fly_tip_location": {"latitude": 95, "longitude": -1.5}},
        ("/fly_tip_location", "Latitude must be between 49 and 61", "invalid", "latitude"),
    ),
    (
        "report-fly-tipping",
        {"fly_tip_location": {"latitude": 52.1}},
        ("/fly_tip_location", "Enter both latitude and longitude", "incomplete", "longitude"),
    ),
    (
        "blue-badge",
        {"date_of_birth": "1899-12-31"},
        ("/date_of_birth", "What is their date of birth must be the same as or after 1 January 1900", "invalid", ""),
    ),
    (
        "blue-badge",
        {"walking_distance": -1},
        ("/walking_distance", "About how far can they walk without stopping must be 0 or more", "min_value", ""),
    ),
    ("blue-badge", {"misuse_warning": None}, ("/misuse_warning", "You must confirm the declaration", "required", "")),
    ("blue-badge", {"misuse_warning": False}, ("/misuse_warning", "You must confirm the declaration", "required", "")),
    (
        "blue-badge",
        {"relationship": "cousin"},
        (
            "/relationship",
            "Select your relationship to the person you are applying for",
            "invalid_choice",
            "",
        ),
    ),
]


@pytest.mark.parametrize(("slug", "changes", "expected"), WEB_ERRORS, ids=lambda value: str(value)[:40])
def test_a_wrong_or_missing_answer_gets_the_web_forms_message_at_its_pointer(slug, changes, expected):
    payload, files = json_and_files(answers_for(slug, **changes))
    pointer, message, code, part = expected

    problems = problems_of(slug, payload, files)

    assert problems == [AnswerProblem(pointer, pointer.rsplit("/", 1)[-1], message, code, part)]


@pytest.mark.parametrize(
    ("slug", "step", "changes"),
    [
        ("report-missed-bin", "contact", {"email": "sam@", "phone": "12", "name": {"first_name": "", "last_name": ""}}),
        ("bulky-waste", "what", {"items": ["sofa", "bed", "mattress", "wardrobe", "table", "fridge"], "item_count": 0}),
        ("report-fly-tipping", "where", {"fly_tip_location": {"postcode": "nowhere", "latitude": 60}}),
    ],
)
def test_the_web_journey_shows_the_same_messages_in_the_same_order(journey, slug, step, changes):
    answers = answers_for(slug, **changes)
    typed = {
        key: {part: str(text) for part, text in value.items()}
        for key, value in changes.items()
        if isinstance(value, dict)
    }
    citizen = journey(slug).complete(DEMO_ANSWERS[slug], until=step)

    response = citizen.answer({**answers, **typed})  # boxes of several parts are typed as text
    problems = problems_of(slug, *json_and_files(answers))

    assert response.status_code == 200
    first_of_each: dict[str, str] = {}
    for problem in problems:
        first_of_each.setdefault(problem.pointer, problem.message)
    assert list(first_of_each.values()) == page_problems(response)  # the summary: one per question
    beside = [error.get_text(" ", strip=True) for error in soup(response).select(".govuk-error-message")]
    assert sorted(f"Error: {problem.message}" for problem in problems) == sorted(beside)  # beside each box


# --- answers of the wrong JSON type -------------------------------------------------------

WRONG_TYPES = [
    ("report-missed-bin", "access_notes", 12, "Enter the answer as text", ""),
    ("report-missed-bin", "access_notes", True, "Enter the answer as text", ""),
    ("report-missed-bin", "email", ["sam@example.com"], "Enter the answer as text", ""),
    ("report-missed-bin", "phone", 1632960001, "Enter the answer as text", ""),
    ("report-missed-bin", "subscription_number", {"$ne": ""}, "Enter the answer as text", ""),
    ("report-missed-bin", "bin_type", ["garden"], "Give the value of one of the options, as text", ""),
    ("report-missed-bin", "out_by_7am", True, "Give the value of one of the options, as text", ""),
    ("report-missed-bin", "collection_date", 20240501, "Enter the date in the format YYYY-MM-DD, like 2007-03-27", ""),
    (
        "report-missed-bin",
        "collection_date",
        "1/5/2024",
        "Enter the date in the format YYYY-MM-DD, like 2007-03-27",
        "",
    ),
    (
        "report-missed-bin",
        "collection_date",
        "2024-05-01\n",
        "Enter the date in the format YYYY-MM-DD, like 2007-03-27",
        "",
    ),
    (
        "report-missed-bin",
        "name",
        "Sam Okafor",
        "Give the answer as an object with the parts first_name, last_name",
        "",
    ),
    ("report-missed-bin", "name", {"first_name": 5, "last_name": "Okafor"}, "Enter the answer as text", "first_name"),
    (
        "report-missed-bin",
        "collection_address",
        ["14 Mill Lane"],
        "Give the answer as an object with the parts line1, line2, town, postcode, uprn",
        "",
    ),
    ("bulky-waste", "item_count", "3", "Enter the answer as a number", ""),
    ("bulky-waste", "item_count", True, "Enter the answer as a number", ""),
    ("bulky-waste", "items", "sofa", "Give the answer as a list of the values of the options chosen", ""),
    ("bulky-waste", "items", ["sofa", 3], "Give the answer as a list of the values of the options chosen", ""),
    (
        "report-fly-tipping",
        "fly_tip_location",
        {"latitude": "52.1", "longitude": -1.5},
        "Enter the answer as a number",
        "latitude",
    ),
    ("blue-badge", "misuse_warning", "yes", "Give the answer as true to confirm the declaration", ""),
]


@pytest.mark.parametrize(("slug", "question_id", "value", "message", "part"), WRONG_TYPES)
def test_an_answer_of_the_wrong_json_type_is_invalid_with_a_clear_message(slug, question_id, value, message, part):
    payload, files = json_and_files(answers_for(slug, **{question_id: "placeholder"}))
    payload[question_id] = value

    problems = problems_of(slug, payload, files)

    assert problems == [AnswerProblem(f"/{question_id}", question_id, message, "invalid", part)]


def test_a_part_an_answer_does_not_have_is_named():
    problems = problems_of("report-missed-bin", demo_json("report-missed-bin", name={**NAME, "middle_name": "J"}))

    assert problems == [
        AnswerProblem("/name", "name", "This answer has no part “middle_name”", "unknown_part", "middle_name")
    ]


@pytest.mark.parametrize("answers", [[], ["email"], "email=sam@example.com", None, 42, True])
def test_answers_that_are_not_an_object_are_refused_whole(answers):
    problems = problems_of("report-missed-bin", answers)

    assert problems == [
        AnswerProblem("", "", "Send the answers as a JSON object, with each answer under its question’s id", "invalid")
    ]


def test_deeply_nested_junk_is_refused_without_reading_into_it():
    deep: Any = "bottom"
    for _ in range(5000):
        deep = [{"x": deep}]

    problems = problems_of("housing-register", {**demo_json("housing-register"), "others_moving": deep, "junk": deep})

    assert [(problem.pointer, problem.code) for problem in problems] == [
        ("/others_moving", "invalid"),
        ("/junk", "unknown_question"),
    ]


def test_every_problem_is_reported_in_the_order_of_the_questions():
    answers = demo_json("report-missed-bin", email="sam@", bin_type=None)
    answers = {"colour": "green", **answers, "collection_date": "yesterday"}

    problems = problems_of("report-missed-bin", answers)

    assert [(problem.pointer, problem.code) for problem in problems] == [
        ("/bin_type", "required"),
        ("/collection_date", "invalid"),
        ("/email", "invalid"),
        ("/colour", "unknown_question"),
    ]


def test_a_key_that_is_not_a_question_of_the_form_is_refused():
    problems = problems_of("report-missed-bin", {**demo_json("report-missed-bin"), "bin_colour": "green", "a/b~c": 1})

    assert problems == [
        AnswerProblem("/bin_colour", "bin_colour", "This form has no question “bin_colour”", "unknown_question"),
        AnswerProblem("/a~1b~0c", "a/b~c", "This form has no question “a/b~c”", "unknown_question"),
    ]


# --- conditions ---------------------------------------------------------------------------

CONDITIONAL_FORM = FormDefinition.from_json(
    {
        "title": "Report a dog",
        "steps": [
            {
                "id": "dog",
                "title": "The dog",
                "questions": [
                    {
                        "id": "dangerous",
                        "type": "yes_no",
                        "label": "Is the dog dangerous?",
                    },
                ],
            },
            {
                "id": "details",
                "title": "Details",
                "questions": [
                    {"id": "where", "type": "short_text", "label": "Where is the dog?"},
                    {
                        "id": "injuries",
                        "type": "long_text",
                        "label": "Describe any injuries",
                        "condition": {"rules": [{"question_id": "dangerous", "operator": "equals", "value": "yes"}]},
                    },
                ],
            },
        ],
    }
)


def test_a_question_shown_by_an_earlier_answer_is_required_then():
    problems = problems_of(CONDITIONAL_FORM, {"dangerous": "yes", "where": "Park"})

    assert problems == [AnswerProblem("/injuries", "injuries", "Describe any injuries", "required")]
    answers = {"dangerous": "yes", "where": "Park", "injuries": "A bite"}
    assert check_answers(CONDITIONAL_FORM, answers).answers == answers


def test_a_question_hidden_by_an_earlier_answer_is_not_asked_and_may_not_be_answered():
    assert check_answers(CONDITIONAL_FORM, {"dangerous": "no", "where": "Park"}).answers == {
        "dangerous": "no",
        "where": "Park",
    }

    problems = problems_of(CONDITIONAL_FORM, {"dangerous": "no", "where": "Park", "injuries": "None"})

    assert problems == [
        AnswerProblem(
            "/injuries",
            "injuries",
            "This question is only asked when the answer to “Is the dog dangerous?” is “yes”",
            "not_asked",
        )
    ]


def test_a_step_hidden_by_an_earlier_answer_is_not_asked():
    problems = problems_of("report-missed-bin", demo_json("report-missed-bin", bin_type="general"))

    assert problems == [
        AnswerProblem(
            "/subscription_number",
            "subscription_number",
            "This question is only asked when the answer to “Which bin was missed?” is “garden”",
            "not_asked",
        )
    ]


def test_a_step_shown_when_any_rule_holds_is_required_when_one_does():
    base = {"saw_dumping": "yes", "vehicle_involved": "no", "vehicle_registration": None, "vehicle_description": None}
    answers = demo_json("report-fly-tipping", photo=None, **base)

    assert check("report-fly-tipping", answers).answers["witness_account"] == answers["witness_account"]
    problems = problems_of("report-fly-tipping", {**answers, "witness_account": None})
    assert [(problem.pointer, problem.code) for problem in problems] == [("/witness_account", "required")]
    hidden = demo_json("report-fly-tipping", photo=None, **{**base, "saw_dumping": "no"})
    problems = problems_of("report-fly-tipping", hidden)
    assert [(problem.pointer, problem.code) for problem in problems] == [("/witness_account", "not_asked")]
    assert problems[0].message == (
        "This question is only asked when the answer to “Did you see anyone dumping the waste?” is “yes” "
        "or the answer to “Was a vehicle used to dump the waste?” is “yes”"
    )


def test_what_depends_on_a_wrong_answer_is_not_called_not_asked():
    problems = problems_of("report-missed-bin", demo_json("report-missed-bin", bin_type="compost"))

    assert [(problem.pointer, problem.code) for problem in problems] == [("/bin_type", "invalid_choice")]


# --- repeating steps ----------------------------------------------------------------------


def household(*people: dict) -> dict:
    return demo_json("housing-register", household=list(people))


ADA = person("Ada", "1987-11-02", "partner")


def test_a_repeating_step_needs_its_minimum_and_allows_its_maximum_number_of_items():
    assert len(check("housing-register", household(*[ADA] * 6)).answers["household"]) == 6

    assert problems_of("housing-register", household()) == [
        AnswerProblem("/household", "household", "You must add at least 1 person", "too_few_items")
    ]
    assert problems_of("housing-register", demo_json("housing-register", household=None)) == [
        AnswerProblem("/household", "household", "You must add at least 1 person", "too_few_items")
    ]
    assert problems_of("housing-register", household(*[ADA] * 7)) == [
        AnswerProblem("/household", "household", "You cannot add more than 6 people", "too_many_items")
    ]


def test_each_item_is_checked_and_its_problems_point_into_it():
    ben = {**person("Ben", "2015-02-30", "child"), "person_relationship": "dog"}
    third = {"person_name": NAME, "person_date_of_birth": "1990-01-01"}

    problems = problems_of("housing-register", household(ADA, ben, third))

    assert problems == [
        AnswerProblem(
            "/household/1/person_date_of_birth",
            "person_date_of_birth",
            "What is their date of birth must be a real date",
            "invalid",
        ),
        AnswerProblem("/household/1/person_relationship", "person_relationship", problems[1].message, "invalid_choice"),
        AnswerProblem("/household/2/person_relationship", "person_relationship", problems[2].message, "required"),
    ]
    assert problems[1].message == problems[2].message


def test_items_of_the_wrong_shape_and_unknown_keys_in_items_are_refused():
    assert problems_of("housing-register", demo_json("housing-register", household={"person_name": NAME})) == [
        AnswerProblem(
            "/household", "household", "Give the answers as a list, with one object for each person", "invalid"
        )
    ]
    answers = {**household(ADA), "household": [ADA, "Ben", {**ADA, "shoe_size": 9}]}

    problems = problems_of("housing-register", answers)

    assert problems == [
        AnswerProblem(
            "/household/1",
            "household",
            "Give the answers for each person as an object, with each answer under its id",
            "invalid",
        ),
        AnswerProblem(
            "/household/2/shoe_size",
            "shoe_size",
            "There is no question “shoe_size” for each person",
            "unknown_question",
        ),
    ]


def test_a_question_of_a_repeating_step_given_outside_its_items_is_explained():
    problems = problems_of("housing-register", {**demo_json("housing-register"), "person_name": NAME})

    assert problems == [
        AnswerProblem(
            "/person_name",
            "person_name",
            "“person_name” is asked for each person: give it in each object of “household”",
            "unknown_question",
        )
    ]


def test_a_repeating_step_hidden_by_an_earlier_answer_is_not_asked():
    problems = problems_of("housing-register", demo_json("housing-register", others_moving="no"))

    assert [(problem.pointer, problem.code) for problem in problems] == [("/household", "not_asked")]
    answers = demo_json("housing-register", others_moving="no", household=None)
    assert "household" not in check("housing-register", answers).answers


# --- exit pages ---------------------------------------------------------------------------


def test_answers_that_lead_to_an_exit_page_end_the_journey_there():
    answers = demo_json("blue-badge", lives_in_ashworth="no")

    with pytest.raises(JourneyEnded) as ended:
        check("blue-badge", answers)

    assert ended.value.step.id == "apply_to_your_council"
    assert ended.value.step.title == "You cannot apply for a Blue Badge online"
    assert ended.value.step.paragraphs()


def test_an_exit_page_comes_before_problems_after_it_but_not_before_it():
    after = {"applying_for": "myself", "lives_in_ashworth": "no", "email": "not an email", "photo": "x"}
    with pytest.raises(JourneyEnded):
        check_answers(definition_of("blue-badge"), after)

    before = {"lives_in_ashworth": "no"}
    assert problems_of("blue-badge", before) == [
        AnswerProblem("/applying_for", "applying_for", "Select an answer to “Who are you applying for?”", "required")
    ]


# --- files --------------------------------------------------------------------------------

EVIDENCE = FormDefinition.from_json(EVIDENCE_FORM)


def evidence(*notes: str) -> dict:
    return {"evidence": [{"note": note} for note in notes], "email": EMAIL}


def test_files_of_repeated_items_are_checked_and_kept_with_their_item():
    files = {"/evidence/0/document": pdf("passport.pdf").file(), "/evidence/1/document": png("bill.png").file()}

    checked = check_answers(EVIDENCE, evidence("Passport", "Bill"), files)

    assert checked.answers["evidence"] == [
        {"note": "Passport", "document": pdf("passport.pdf").stored()},
        {"note": "Bill", "document": png("bill.png").stored()},
    ]
    assert [(f.question_id, f.item_index, f.file.name) for f in checked.files] == [
        ("document", 0, "passport.pdf"),
        ("document", 1, "bill.png"),
    ]


def test_a_file_of_a_forbidden_type_or_too_big_or_empty_is_refused_with_the_web_forms_message():
    files = {
        "/evidence/0/document": SimpleUploadedFile("page.pdf", HTML_BYTES, "application/pdf"),
        "/evidence/1/document": SimpleUploadedFile("big.png", PNG_BYTES + b"\0" * MEGABYTE, "image/png"),
        "/evidence/2/document": SimpleUploadedFile("empty.pdf", b"", "application/pdf"),
    }

    problems = problems_of(EVIDENCE, evidence("A", "B", "C"), files)

    assert [(problem.pointer, problem.message, problem.code) for problem in problems] == [
        ("/evidence/0/document", "The selected file must be a PDF or PNG", "type"),
        ("/evidence/1/document", "The selected file must be smaller than 1MB", "too_big"),
        ("/evidence/2/document", "The selected file is empty", "empty"),
    ]


def test_a_file_answer_without_its_file_is_refused():
    payload = evidence("Passport", "Bill")
    payload["evidence"][0]["document"] = pdf().stored()
    payload["evidence"][1]["document"] = "JVBERi0xLjcK"

    problems = problems_of(EVIDENCE, payload, {})

    assert problems == [
        AnswerProblem(
            "/evidence/0/document", "document", "Send the file itself, not only its name, size and type", "missing"
        ),
        AnswerProblem(
            "/evidence/1/document",
            "document",
            "Send the file itself: the answer to a file question is only its name, size and type",
            "invalid",
        ),
    ]


def test_a_missing_required_file_gets_the_web_forms_message():
    problems = problems_of(EVIDENCE, evidence("Passport", "Bill"), {"/evidence/0/document": pdf().file()})

    assert problems == [AnswerProblem("/evidence/1/document", "document", "Upload the document", "required")]


def test_a_file_sent_where_no_file_question_is_asked_is_refused():
    files = {
        "/evidence/0/document": pdf().file(),
        "/evidence/1/document": pdf().file(),
        "/email": pdf().file(),
        "/evidence/5/document": pdf().file(),
        "/passport": pdf().file(),
    }

    problems = problems_of(EVIDENCE, evidence("A", "B"), files)

    assert [(problem.pointer, problem.code) for problem in problems] == [
        ("/evidence/5/document", "unknown_question"),
        ("/email", "invalid"),
        ("/passport", "unknown_question"),
    ]


def test_a_file_for_a_question_that_is_not_asked_is_refused():
    answers = demo_json("report-missed-bin", bin_type="general", subscription_number=None)
    files = {"/subscription_number": png().file()}

    problems = problems_of("report-missed-bin", answers, files)

    assert [(problem.pointer, problem.code) for problem in problems] == [("/subscription_number", "not_asked")]


# --- submitting ---------------------------------------------------------------------------


def test_submit_answers_stores_the_request_with_its_channel_answers_and_files(media_root):
    page = form_page("blue-badge")
    payload, files = json_and_files(DEMO_ANSWERS["blue-badge"])

    service_request, created = submit_answers(
        page, page.current_version(), payload, files, channel=Channel.API, idempotency_key="api:test:1"
    )

    assert created
    service_request.refresh_from_db()
    assert service_request.channel == Channel.API
    assert service_request.answers == stored_answers(DEMO_ANSWERS["blue-badge"])
    assert service_request.service.slug == "blue-badge"
    assert service_request.form_version == page.current_version()
    assert service_request.contact_email == EMAIL
    stored = {record.question_id: record for record in RequestFile.objects.filter(request=service_request)}
    assert sorted(stored) == ["photo", "proof_of_address", "proof_of_identity"]
    with stored["proof_of_identity"].file.open("rb") as saved:
        assert saved.read().startswith(b"%PDF-")
    assert stored["photo"].content_type == "image/png"


def test_submit_answers_with_the_same_idempotency_key_makes_one_request(media_root):
    page = form_page("report-missed-bin")
    payload = demo_json("report-missed-bin")

    first, created = submit_answers(page, page.current_version(), payload, channel="open311", idempotency_key="k-1")
    again, created_again = submit_answers(
        page, page.current_version(), payload, channel="open311", idempotency_key="k-1"
    )

    assert created and not created_again
    assert again.pk == first.pk
    assert ServiceRequest.objects.filter(idempotency_key="k-1").count() == 1


def test_submit_answers_stores_nothing_for_wrong_answers_or_an_exit_page(media_root):
    page = form_page("blue-badge")
    before = ServiceRequest.objects.count()

    with pytest.raises(AnswersInvalid):
        submit_answers(page, page.current_version(), {"email": "x"}, channel=Channel.API)
    with pytest.raises(JourneyEnded):
        submit_answers(page, page.current_version(), demo_json("blue-badge", lives_in_ashworth="no"), channel="api")

    assert ServiceRequest.objects.count() == before


def test_submit_answers_refuses_a_version_of_another_form():
    page = form_page("report-missed-bin")

    with pytest.raises(ValueError, match="not a version of the e-form page"):
        submit_answers(page, form_page("bulky-waste").current_version(), {}, channel=Channel.API)


# --- any JSON at all ----------------------------------------------------------------------

FUZZED_FORMS = ("report-missed-bin", "housing-register", "blue-badge", "report-fly-tipping", "bulky-waste")


def file_definition(slug: str) -> FormDefinition:
    return FormDefinition.from_json(definition_json(demo_forms()[slug]))


DEFINITIONS = {slug: file_definition(slug) for slug in FUZZED_FORMS}
KEYS = sorted({name for d in DEFINITIONS.values() for s in d.steps for name in (s.id, *(q.id for q in s.questions))})
PARTS = [
    "first_name",
    "last_name",
    "line1",
    "line2",
    "town",
    "postcode",
    "uprn",
    "description",
    "latitude",
    "longitude",
]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=30)
    | st.sampled_from(["yes", "no", "garden", "2024-02-29", "2024-13-01", FUTURE, "AB4 7QT", EMAIL, "sofa", "52.1"])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS + PARTS) | st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
UPLOADS = st.sampled_from(
    [
        lambda: png().file(),
        lambda: pdf().file(),
        lambda: SimpleUploadedFile("x.html", HTML_BYTES, "text/html"),
        lambda: SimpleUploadedFile("empty.png", b"", "image/png"),
    ]
)
POINTERS = st.sampled_from(["/photo", "/proof_of_identity", "/email", "/household/0/person_name", "/nothing", "", "/"])


def assert_only_expected_outcomes(definition: FormDefinition, answers: Any, files: dict[str, Any]) -> None:
    try:
        checked = check_answers(definition, answers, files)
    except AnswersInvalid as invalid:
        assert invalid.problems
        assert all(isinstance(problem.message, str) and problem.message for problem in invalid.problems)
        return
    except JourneyEnded as ended:
        assert ended.step.is_exit
        return
    json.dumps(checked.answers)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(slug=st.sampled_from(FUZZED_FORMS), answers=JSON_VALUES)
def test_any_json_value_gives_answers_problems_or_an_exit_page_and_nothing_else(slug, answers):
    assert_only_expected_outcomes(DEFINITIONS[slug], answers, {})


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    slug=st.sampled_from(FUZZED_FORMS),
    changes=st.dictionaries(st.sampled_from(KEYS), JSON_VALUES, max_size=3),
    files=st.dictionaries(POINTERS, UPLOADS, max_size=2),
)
def test_demo_answers_with_any_json_changed_give_answers_problems_or_an_exit_page(slug, changes, files):
    answers = {**json_and_files(copy.deepcopy(DEMO_ANSWERS[slug]))[0], **changes}

    assert_only_expected_outcomes(DEFINITIONS[slug], answers, {pointer: make() for pointer, make in files.items()})


def test_the_demo_form_files_are_the_published_definitions():
    for slug, definition in DEFINITIONS.items():
        assert definition == definition_of(slug)
