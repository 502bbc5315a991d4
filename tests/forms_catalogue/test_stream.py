"""Definitions become StreamField data that gives the same definition back; the page's checks run on it."""

import pytest
from django.core.exceptions import ValidationError

from forms_catalogue.definition import FormDefinition, Repeat
from forms_catalogue.demo import definition_json, demo_forms, eform_page
from forms_catalogue.models import EFormPage
from forms_catalogue.stream import stream_data_from_definition, stream_problems
from home.models import ServicePage

pytestmark = [pytest.mark.django_db, pytest.mark.engine_neutral]  # see tests/conftest.py


def page_for(definition: dict) -> EFormPage:
    return EFormPage(title=definition["title"], steps=stream_data_from_definition(definition))


def minimal(*steps: dict) -> dict:
    return {"title": "Test form", "steps": list(steps)}


def step(step_id: str, *questions: dict, **extra) -> dict:
    return {"id": step_id, "title": step_id.replace("_", " ").capitalize(), "questions": list(questions), **extra}


def question(question_id: str, question_type: str = "yes_no", **extra) -> dict:
    return {"id": question_id, "type": question_type, "label": f"Label of {question_id}", **extra}


def equals(question_id: str, value: str) -> dict:
    return {"match": "all", "rules": [{"question_id": question_id, "operator": "equals", "value": value}]}


@pytest.mark.parametrize("slug", sorted(demo_forms()))
def test_every_demo_form_round_trips(slug):
    definition = definition_json(demo_forms()[slug])
    assert page_for(definition).definition().steps == FormDefinition.from_json(definition).steps


@pytest.mark.parametrize("slug", sorted(demo_forms()))
def test_to_json_output_round_trips_and_passes_block_validation(slug):
    definition = FormDefinition.from_json(definition_json(demo_forms()[slug])).to_json()
    data = stream_data_from_definition(definition)
    assert stream_problems(data) == []
    assert EFormPage(title="x", steps=data).definition().steps == FormDefinition.from_json(definition).steps


def test_raw_data_uses_the_block_child_names_and_list_item_format():
    definition = minimal(
        step(
            "first",
            question("colour", "radios", options=[{"value": "red", "label": "Red"}]),
            question("size", "number", rules={"min_value": 1, "max_value": "2.5", "whole_number": False}),
        ),
        step(
            "people",
            question("who", "name"),
            condition=equals("colour", "red"),
            repeat={"min_items": 1, "max_items": 6, "item_label": "person", "item_label_plural": "people"},
        ),
    )
    first, second = stream_data_from_definition(definition)
    assert first["type"] == "step" and first["value"]["step_id"] == "first"
    colour, size = first["value"]["questions"]
    assert colour["type"] == "radios"
    assert [item["type"] for item in colour["value"]["options_list"]] == ["item"]
    assert colour["value"]["options_list"][0]["value"] == {"label": "Red", "value": "red"}
    assert (size["value"]["min_value"], size["value"]["max_value"], size["value"]["whole_number"]) == (
        "1",
        "2.5",
        False,
    )
    rule = second["value"]["condition"]["rules"][0]
    assert rule["type"] == "item" and rule["value"] == {"question_id": "colour", "operator": "equals", "value": "red"}
    assert second["value"]["repeat"] == {
        "enabled": True,
        "item_label": "person",
        "item_label_plural": "people",
        "min_items": 1,
        "max_items": 6,
    }
    assert first["value"]["repeat"]["enabled"] is False


def test_a_repeat_saved_without_a_plural_label_makes_one():
    repeat_json = {"min_items": 1, "max_items": 6, "item_label": "person"}
    old = minimal(step("people", question("who", "name"), repeat=repeat_json))
    repeat = FormDefinition.from_json(old).steps[0].repeat  # a version frozen before plural labels
    assert repeat == Repeat(1, 6, "person", "")
    assert [repeat.label_for(count) for count in (1, 2, 6)] == ["person", "people", "people"]
    data = stream_data_from_definition(old)
    del data[0]["value"]["repeat"]["item_label_plural"]  # a page saved before the block had the field
    assert EFormPage(title="x", steps=data).definition().steps[0].repeat == repeat
    labels = {"document": "documents", "box": "boxes", "property": "properties", "day": "days", "child": "children"}
    assert {label: Repeat(item_label=label).label_for(2) for label in labels} == labels
    assert Repeat(item_label="tenant", item_label_plural="joint tenants").label_for(3) == "joint tenants"


def test_omitted_settings_take_the_block_defaults():
    page = page_for(minimal(step("only", question("note", "short_text"), question("upload", "file"))))
    note, upload = page.definition().steps[0].questions
    assert note.required is True and note.hint == "" and not note.condition.rules
    assert note.rules == {"max_length": 200}
    assert upload.rules == {"max_size_mb": 10, "allowed_types": ["pdf", "jpeg", "png"]}


def test_old_list_block_format_is_read_too():
    data = stream_data_from_definition(
        minimal(step("one", question("pick", "select", options=[{"value": "a", "label": "A"}])))
    )
    options = data[0]["value"]["questions"][0]["value"]["options_list"]
    data[0]["value"]["questions"][0]["value"]["options_list"] = [item["value"] for item in options]
    assert EFormPage(title="x", steps=data).definition().steps[0].questions[0].options[0].value == "a"


@pytest.mark.parametrize(
    "bad_question",
    [question("odd", "signature"), question("odd", "short_text", rules={"min_length": 3})],
)
def test_unknown_types_and_rules_are_refused(bad_question):
    with pytest.raises(ValueError, match="unknown"):
        stream_data_from_definition(minimal(step("one", bad_question)))


def test_block_validation_problems_are_reported_as_text():
    data = stream_data_from_definition(minimal(step("one", question("agree", "declaration"))))
    assert stream_problems(data) == ["/0/questions/0/statement: This field is required."]


# --- EFormPage.clean() on stream data -------------------------------------------------------


@pytest.fixture
def service():
    return ServicePage.objects.live().first()


def add_form(service: ServicePage, definition: dict) -> EFormPage:
    page = page_for(definition)
    page.slug = "test-form"
    service.add_child(instance=page)
    return page


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            minimal(step("one", question("first", condition=equals("later", "yes"))), step("two", question("later"))),
            "refers to 'later', which is not a question on an earlier step",
        ),
        (
            minimal(
                step("one", question("first")), step("two", question("second"), condition=equals("missing", "yes"))
            ),
            "refers to 'missing', which is not a question on an earlier step",
        ),
        (
            minimal(step("one", question("same")), step("two", question("same"))),
            "The question id 'same' is used twice",
        ),
    ],
)
def test_page_validation_reports_problems(service, definition, message):
    with pytest.raises(ValidationError, match=message):
        add_form(service, definition)


def test_a_question_id_cannot_change_after_publishing(service):
    for existing in EFormPage.objects.child_of(service):
        existing.delete()
    page = eform_page(demo_forms()["report-missed-bin"])
    service.add_child(instance=page)
    page.save_revision().publish()

    draft = EFormPage.objects.get(pk=page.pk)
    draft.steps[0].value["questions"][0].value["label"] = "Where is the bin kept?"
    draft.full_clean()  # a new label is fine

    draft.steps[0].value["questions"][0].value["question_id"] = "bin_address"
    with pytest.raises(ValidationError, match="cannot change from 'collection_address'"):
        draft.full_clean()
