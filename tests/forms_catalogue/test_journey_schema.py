"""Acceptance: `<form url>schema.json` describes exactly what the web journey stores, and refuses what it refuses."""

import json

import pytest
from jsonschema import Draft202012Validator

from .demo_answers import DEMO_ANSWERS, answers_for
from .journey_helpers import PageForm, form_page, page_problems, schema_errors, stored_answers

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py


def fetch_schema(client, page) -> dict:
    response = client.get(f"{page.url}schema.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/schema+json"
    return json.loads(response.content)


def validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.mark.parametrize("slug", sorted(DEMO_ANSWERS))
def test_each_form_publishes_its_schema_at_its_url(client, slug):
    page = form_page(slug)

    schema = fetch_schema(client, page)

    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == f"http://testserver{page.url}schema.json"
    assert schema["title"] == page.title
    assert schema["x-form-version"] == page.live_revision_id
    validator(schema).validate(stored_answers(DEMO_ANSWERS[slug]))


def test_there_is_no_schema_where_there_is_no_form(client):
    assert client.get("/bins-and-recycling/schema.json").status_code == 404
    assert client.get("/no-such-page/form/schema.json").status_code == 404


def test_an_unpublished_form_has_no_schema(client):
    page = form_page("order-a-bin")
    page.unpublish()

    assert client.get(f"{page.url}schema.json").status_code == 404


@pytest.mark.parametrize(
    ("slug", "changes"),
    [
        (
            "report-fly-tipping",
            {"saw_dumping": "yes", "vehicle_involved": "no", "vehicle_registration": None, "vehicle_description": None},
        ),
        ("report-pothole", {"depth": None, "width": None, "photo": None}),
    ],
)
def test_answers_of_other_branches_validate_too(journey, client, slug, changes):
    answers = answers_for(slug, **changes)
    citizen = journey(slug)

    service_request, _ = citizen.send(answers)

    assert service_request.answers == stored_answers(answers)
    assert schema_errors(client, citizen.page, service_request.answers) == []


# (question id, what the web form is sent, what the schema is given, the web form's message), by step.
INVALID = {
    ("report-missed-bin", "which_bin"): [
        ("bin_type", None, None, "Select which bin was missed"),
        ("bin_type", "purple", "purple", "Select which bin was missed"),
    ],
    ("report-missed-bin", "when"): [("out_by_7am", "maybe", "maybe", "Select yes or no")],
    ("report-fly-tipping", "waste"): [
        ("waste_types", ["sofa"], ["sofa"], "Select what has been dumped"),
        ("waste_types", [], [], "Select what has been dumped"),
    ],
    ("bulky-waste", "what"): [
        ("item_count", "9", 9, "How many items are there in total must be 5 or less"),
        ("item_count", "2.5", 2.5, "How many items are there in total must be a whole number"),
        ("items", ["sofa", "sofa_bed"], ["sofa", "sofa_bed"], "Select an answer to “What do you want us to collect?”"),
    ],
    ("noise-nuisance", "noise"): [("noise_type", "drums", "drums", "Select the noise")],
}


@pytest.mark.parametrize(("slug", "step"), sorted(INVALID))
def test_an_invalid_answer_is_refused_by_the_schema_and_the_web_form(journey, client, slug, step):
    answers = DEMO_ANSWERS[slug]
    citizen = journey(slug).complete(answers, until=step)

    for question_id, sent, payload_value, message in INVALID[(slug, step)]:
        form = PageForm.read(citizen.show())
        data = dict(form.hidden)
        for question, value in answers.items():
            if form.asks(step, question) and question != question_id:
                data.update(form.encode(step, question, value)[0])
        if sent is not None:
            data[f"{step}-{question_id}"] = sent  # what a tampered or scripted POST could send
        payload = {key: value for key, value in stored_answers(answers).items() if key != question_id}
        if payload_value is not None:
            payload[question_id] = payload_value

        response = citizen.post(data)

        assert response.status_code == 200
        assert message in page_problems(response), page_problems(response)
        assert any(
            f"'{question_id}'" in error or f"['{question_id}'" in error
            for error in schema_errors(client, citizen.page, payload)
        )
