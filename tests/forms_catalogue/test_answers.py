"""Answers sent as JSON are checked by the web journey's own step forms (forms_catalogue/answers.py)."""

from __future__ import annotations

from typing import Any

import pytest

from forms_catalogue.answers import AnswerProblem, AnswersInvalid, JourneyEnded, check_answers
from forms_catalogue.definition import FormDefinition

from .demo_answers import DEMO_ANSWERS, answers_for
from .journey_helpers import Upload, form_page, stored_answers

pytestmark = pytest.mark.django_db


def definition_of(slug: str) -> FormDefinition:
    return form_page(slug).current_version().definition()


def json_and_files(answers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Answers as an API client sends them: each Upload as a file by its JSON pointer, out of the answers."""
    payload: dict[str, Any] = {}
    files: dict[str, Any] = {}
    for key, value in answers.items():
        if isinstance(value, Upload):
            files[f"/{key}"] = value.file()
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            payload[key] = []
            for index, item in enumerate(value):
                item_payload, item_files = json_and_files(item)
                payload[key].append(item_payload)
                files.update({f"/{key}/{index}{pointer}": upload for pointer, upload in item_files.items()})
        else:
            payload[key] = value
    return payload, files


def problems_of(slug: str, answers: Any, files: dict[str, Any] | None = None) -> list[AnswerProblem]:
    with pytest.raises(AnswersInvalid) as raised:
        check_answers(definition_of(slug), answers, files)
    return raised.value.problems


@pytest.mark.parametrize("slug", sorted(DEMO_ANSWERS))
def test_each_demo_form_accepts_its_answers_and_stores_what_the_web_journey_stores(slug):
    payload, files = json_and_files(DEMO_ANSWERS[slug])

    checked = check_answers(definition_of(slug), payload, files)

    assert checked.answers == stored_answers(DEMO_ANSWERS[slug])
    assert sorted(submitted.question_id for submitted in checked.files) == sorted(p.rsplit("/", 1)[-1] for p in files)
    assert checked.contact_email == DEMO_ANSWERS[slug].get("email", "")


def test_a_missing_required_answer_gets_the_web_forms_message():
    problems = problems_of("report-missed-bin", stored_answers(answers_for("report-missed-bin", bin_type=None)))

    assert problems == [AnswerProblem("/bin_type", "bin_type", "Select which bin was missed", "required")]
