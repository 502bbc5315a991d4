"""Each form's JSON Schema is valid, accepts real answers and rejects wrong, missing or hidden ones."""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.datastructures import MultiValueDict
from jsonschema import Draft202012Validator

from forms_catalogue.builder import FormBuilder
from forms_catalogue.definition import Condition, ConditionRule, FormDefinition
from forms_catalogue.demo import definition_json, demo_forms
from forms_catalogue.schema import DIALECT, condition_schema, json_schema
from tests import sample_files


def definition(slug: str) -> FormDefinition:
    return FormDefinition.from_json(definition_json(demo_forms()[slug]))


def validator(slug: str) -> Draft202012Validator:
    return Draft202012Validator(json_schema(definition(slug)), format_checker=Draft202012Validator.FORMAT_CHECKER)


def changed(answers: dict, **changes) -> dict:
    """A copy of the answers with some replaced; a value of None removes the answer."""
    result = copy.deepcopy(answers)
    for key, value in changes.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    return result


NAME = {"first_name": "Sam", "last_name": "Okafor"}
ADDRESS = {"line1": "14 Mill Lane", "line2": "", "town": "Eastbridge", "postcode": "EB4 7QT", "uprn": "100023336956"}

FLY_TIPPING = {
    "fly_tip_location": {"description": "Lay-by opposite the garage", "latitude": 52.21, "longitude": -1.52},
    "waste_types": ["furniture", "tyres"],
    "amount": "van",
    "date_seen": "2025-03-27",
    "photo": {"name": "lay-by.jpg", "size": 2_345_678, "content_type": "image/jpeg"},
    "saw_dumping": "no",
    "vehicle_involved": "yes",
    "witness_account": "A white van stopped and two men threw a sofa and tyres into the lay-by.",
    "vehicle_registration": "AB12 CDE",
}
COMPLAINT = {
    "feedback_type": "complaint",
    "service_area": "waste",
    "what_happened": "My recycling has been missed three weeks running.",
    "desired_outcome": "Collect it and make sure the crew knows my road.",
    "contact_method": "post",
    "name": NAME,
    "email": "sam.okafor@example.com",
    "postal_address": ADDRESS,
}
PERSON = {
    "person_name": {"first_name": "Ada", "last_name": "Okafor"},
    "person_date_of_birth": "2012-05-04",
    "person_relationship": "child",
}
HOUSING = {
    "name": NAME,
    "date_of_birth": "1985-03-27",
    "current_address": ADDRESS,
    "tenure": "private_tenant",
    "moved_in": "2019-09-01",
    "others_moving": "yes",
    "household": [PERSON],
    "housing_needs": ["none"],
    "email": "sam.okafor@example.com",
    "phone": "07700 900123",
}
POTHOLE = {
    "pothole_location": {"description": "Outside 14 Mill Lane, in the bus lane", "postcode": "EB4 7QT"},
    "road_position": "cycle_lane",
    "depth": 12,
    "width": 0.5,
    "immediate_danger": "yes",
    "name": NAME,
    "email": "sam.okafor@example.com",
}
PAYLOADS = {
    "report-fly-tipping": FLY_TIPPING,
    "make-a-complaint": COMPLAINT,
    "housing-register": HOUSING,
    "report-pothole": POTHOLE,
}


@pytest.mark.parametrize("slug", sorted(demo_forms()))
def test_every_demo_schema_is_a_valid_schema(slug):
    schema = json_schema(definition(slug))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == DIALECT
    assert schema["additionalProperties"] is False
    assert "email" in schema["properties"]


def test_title_id_and_version():
    schema = json_schema(definition("report-pothole"), schema_id="https://example.gov.uk/form/schema.json", version=7)
    assert (schema["$id"], schema["title"], schema["x-form-version"]) == (
        "https://example.gov.uk/form/schema.json",
        "Report a pothole",
        7,
    )
    assert "$id" not in json_schema(definition("report-pothole"))


def test_properties_carry_label_and_hint():
    prop = json_schema(definition("report-missed-bin"))["properties"]["bin_type"]
    assert prop["title"] == "Which bin was missed?"
    assert prop["description"].startswith("If more than one bin")
    assert prop["enum"] == ["general", "recycling", "food", "garden"]


@pytest.mark.parametrize("slug", sorted(PAYLOADS))
def test_hand_written_answers_are_valid(slug):
    errors = [error.message for error in validator(slug).iter_errors(PAYLOADS[slug])]
    assert errors == []


@pytest.mark.parametrize(
    ("slug", "changes"),
    [
        ("report-fly-tipping", {"amount": "skip"}),  # not an option
        ("report-fly-tipping", {"waste_types": ["sofa"]}),  # not an option
        ("report-fly-tipping", {"waste_types": []}),  # fewer than the minimum
        ("report-fly-tipping", {"date_seen": "27/03/2025"}),  # bad date format
        ("report-fly-tipping", {"date_seen": None}),  # required answer missing
        # the registration is answered although no vehicle was involved
        ("report-fly-tipping", {"saw_dumping": "yes", "vehicle_involved": "no"}),
        ("report-fly-tipping", {"saw_dumping": "no", "vehicle_involved": "no", "vehicle_registration": None}),
        ("report-fly-tipping", {"witness_account": None}),  # shown step's required answer missing
        ("report-fly-tipping", {"photo": {"name": "x.pdf", "size": 10, "content_type": "application/pdf"}}),
        ("report-fly-tipping", {"photo": {"name": "x.png", "size": 11 * 1024 * 1024, "content_type": "image/png"}}),
        ("report-fly-tipping", {"fly_tip_location": {"latitude": 40.0, "longitude": -1.5}}),  # outside the UK
        ("report-fly-tipping", {"fly_tip_location": {"latitude": 52.2}}),  # longitude missing
        ("report-fly-tipping", {"fly_tip_location": {"postcode": "EB4 7QT"}}),  # no description or map point
        ("report-fly-tipping", {"email": "not an email"}),
        ("report-fly-tipping", {"unexpected": "answer"}),
        ("make-a-complaint", {"desired_outcome": None}),  # condition-required answer missing
        ("make-a-complaint", {"feedback_type": "compliment"}),  # desired outcome present but hidden
        ("make-a-complaint", {"contact_method": "phone"}),  # phone required, postal address hidden
        ("make-a-complaint", {"postal_address": {**ADDRESS, "postcode": "NOT A POSTCODE"}}),
        ("make-a-complaint", {"email": None}),
        ("housing-register", {"household": [PERSON] * 7}),  # too many people
        ("housing-register", {"household": []}),
        ("housing-register", {"others_moving": "no"}),  # household present but hidden
        ("housing-register", {"household": None}),  # required when shown
        ("housing-register", {"household": [{**PERSON, "person_relationship": "cousin"}]}),
        ("housing-register", {"phone": "12345"}),
        ("report-pothole", {"depth": 2.5}),  # whole number expected
        ("report-pothole", {"depth": 101}),
        ("report-pothole", {"width": "0.5"}),  # numbers are JSON numbers, not strings
        ("report-pothole", {"width": 0.05}),
    ],
)
def test_wrong_answers_are_invalid(slug, changes):
    assert not validator(slug).is_valid(changed(PAYLOADS[slug], **changes))


@pytest.mark.parametrize(
    ("slug", "changes"),
    [
        ("report-fly-tipping", {"photo": None, "vehicle_registration": None}),  # optional answers left out
        (
            "report-fly-tipping",
            {"saw_dumping": "no", "vehicle_involved": "no", "witness_account": None, "vehicle_registration": None},
        ),
        ("make-a-complaint", {"feedback_type": "suggestion", "desired_outcome": None}),
        ("make-a-complaint", {"contact_method": "phone", "postal_address": None, "phone": "+44 1632 960 001"}),
        ("housing-register", {"others_moving": "no", "household": None}),
        ("housing-register", {"household": [PERSON] * 6}),
        ("report-pothole", {"depth": None, "width": 3}),
    ],
)
def test_other_valid_answers(slug, changes):
    errors = [error.message for error in validator(slug).iter_errors(changed(PAYLOADS[slug], **changes))]
    assert errors == []


def test_declaration_must_be_true():
    prop = json_schema(definition("blue-badge"))["properties"]["misuse_warning"]
    assert prop["const"] is True
    assert "fine of up to £1,000" in prop["description"]


def test_date_rules_are_described():
    prop = json_schema(definition("blue-badge"))["properties"]["date_of_birth"]
    assert prop["x-rules"] == {"direction": "past", "earliest": "1900-01-01"}
    assert prop["description"].endswith("Today or in the past. On or after 1 January 1900.")


ANSWER_SAMPLES = [
    {},
    {"choice": "a"},
    {"choice": "b"},
    {"choice": ""},
    {"boxes": ["a", "c"]},
    {"boxes": []},
    {"count": 3},
    {"count": 10},
    {"count": 4.5},
    {"place": {"line1": "", "postcode": "EB4 7QT"}},
    {"place": {"line1": "", "postcode": ""}},
]
RULES = [
    ConditionRule("choice", "equals", "a"),
    ConditionRule("choice", "not_equals", "a"),
    ConditionRule("choice", "any_of", "a, b"),
    ConditionRule("choice", "is_answered"),
    ConditionRule("boxes", "equals", "c"),
    ConditionRule("boxes", "not_equals", "c"),
    ConditionRule("boxes", "is_answered"),
    ConditionRule("count", "greater_than", "3"),
    ConditionRule("count", "less_than", "4.5"),
    ConditionRule("count", "equals", "3"),
    ConditionRule("place", "is_answered"),
]


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: f"{rule.question_id}-{rule.operator}-{rule.value}")
@pytest.mark.parametrize("match", ["all", "any"])
def test_condition_schemas_agree_with_the_wizards_conditions(rule, match):
    form = FormDefinition.from_json(
        {
            "title": "Conditions",
            "steps": [
                {
                    "id": "one",
                    "title": "One",
                    "questions": [
                        {
                            "id": "choice",
                            "type": "radios",
                            "label": "Choice",
                            "options": [{"value": "a", "label": "A"}],
                        },
                        {
                            "id": "boxes",
                            "type": "checkboxes",
                            "label": "Boxes",
                            "options": [{"value": "a", "label": "A"}],
                        },
                        {"id": "count", "type": "number", "label": "Count", "rules": {"whole_number": False}},
                        {"id": "place", "type": "address", "label": "Place"},
                    ],
                }
            ],
        }
    )
    condition = Condition(match=match, rules=(rule, ConditionRule("choice", "not_equals", "z")))
    schema = condition_schema(condition, form)
    for answers in ANSWER_SAMPLES:
        assert Draft202012Validator(schema).is_valid(answers) == condition.holds(answers), answers


# --- the schema describes what the web forms produce ---------------------------------------

PNG = sample_files.png()  # a real picture: uploads are parsed
WEB_POSTS = {
    "report-fly-tipping": {
        "fly_tip_location-description": "Lay-by on the A6 north of the roundabout",
        "fly_tip_location-postcode": "eb4 7qt",
        "fly_tip_location-latitude": "52.2053",
        "fly_tip_location-longitude": "-1.5256",
        "waste_types": ["furniture", "tyres"],
        "amount": "van",
        "date_seen-day": "27",
        "date_seen-month": "3",
        "date_seen-year": "2025",
        "saw_dumping": "no",
        "vehicle_involved": "yes",
        "witness_account": "A white van stopped and two men threw out a sofa.",
        "vehicle_registration": "AB12 CDE",
        "name-first_name": "Sam",
        "name-last_name": "Okafor",
        "email": "sam.okafor@example.com",
        "phone": "01632960001",
    },
    "blue-badge": {
        "applying_for": "someone_else",
        "lives_in_ashworth": "yes",
        "your_name-first_name": "Sam",
        "your_name-last_name": "Okafor",
        "relationship": "parent",
        "name-first_name": "Ada",
        "name-last_name": "Okafor",
        "date_of_birth-day": "4",
        "date_of_birth-month": "5",
        "date_of_birth-year": "2012",
        "home_address-line1": "14 Mill Lane",
        "home_address-town": "Eastbridge",
        "home_address-postcode": "EB47QT",
        "main_reason": "walking",
        "walking_distance": "40",
        "walking_aids": ["frame"],
        "walking_description": "She needs to stop every few steps because of pain in her hips.",
        "email": "sam.okafor@example.com",
        "misuse_warning": "on",
    },
}


def web_answers(form: FormDefinition, posted: dict) -> dict:
    """Answers as the wizard collects them: each shown step's form, with only its shown questions."""
    answers: dict = {}
    for step in form.steps:
        if not step.condition.holds(answers):
            continue
        questions = tuple(question for question in step.questions if question.condition.holds(answers))
        data = MultiValueDict({key: value if isinstance(value, list) else [value] for key, value in posted.items()})
        files = {q.id: SimpleUploadedFile(f"{q.id}.png", PNG, "image/png") for q in questions if q.type == "file"}
        step_form = FormBuilder(questions).get_form_class()(data=data, files=files)
        assert step_form.is_valid(), step_form.errors
        answers.update(step_form.answers())
    return answers


@pytest.mark.parametrize("slug", sorted(WEB_POSTS))
def test_answers_from_the_web_forms_match_the_schema(slug):
    answers = web_answers(definition(slug), WEB_POSTS[slug])
    assert [error.message for error in validator(slug).iter_errors(answers)] == []
