"""The demo council's e-forms: well-formed, varied enough to show every feature, and loaded once."""

import pytest

from forms_catalogue.definition import QUESTION_TYPES, FormDefinition
from forms_catalogue.demo import definition_json, demo_forms, load_demo_forms
from forms_catalogue.models import EFormPage, FormVersion
from home.demo import read_data
from home.models import OnlineStatus, ServicePage

FORM_PATTERNS = {"report", "apply", "request", "book", "notify", "feedback"}


def definitions() -> dict[str, FormDefinition]:
    return {slug: FormDefinition.from_json(definition_json(form)) for slug, form in demo_forms().items()}


def test_there_are_at_least_ten_forms_for_services_that_take_requests():
    services = {row["slug"]: row for row in read_data("services.json")}
    assert len(demo_forms()) >= 10
    for slug, form in demo_forms().items():
        assert form["service_slug"] == slug
        assert services[slug]["pattern"] in FORM_PATTERNS
        assert form["title"] and form["intro"] and form["confirmation_text"]


@pytest.mark.parametrize("slug", sorted(demo_forms()))
def test_each_form_has_no_problems_and_an_email_question(slug):
    definition = definitions()[slug]
    assert definition.problems() == []
    email = definition.question("email")
    assert email is not None and email.type == "email"
    step_ids = {step.id for step in definition.steps}
    assert not step_ids & {question.id for _, question in definition.questions()}, "schema keys would clash"


def test_every_question_type_is_used():
    used = {question.type for definition in definitions().values() for _, question in definition.questions()}
    assert used == set(QUESTION_TYPES)


def test_the_forms_show_branches_repeats_uploads_and_rules():
    steps = [step for definition in definitions().values() for step in definition.steps]
    questions = [question for definition in definitions().values() for _, question in definition.questions()]
    assert sum(1 for step in steps if step.condition.rules) >= 2
    assert any(question.condition.rules for question in questions)
    assert any(step.repeat and (step.repeat.min_items, step.repeat.max_items) == (1, 6) for step in steps)
    assert sum(1 for question in questions if question.type == "file") >= 2
    numbers = [question for question in questions if question.type == "number"]
    assert any("min_value" in question.rules and "max_value" in question.rules for question in numbers)
    directions = {question.rules.get("direction") for question in questions if question.type == "date"}
    assert {"past", "future"} <= directions
    checkboxes = [question for question in questions if question.type == "checkboxes"]
    assert any("min_selections" in question.rules and "max_selections" in question.rules for question in checkboxes)


@pytest.mark.django_db
def test_loading_publishes_each_form_once():
    for page in EFormPage.objects.all():  # the demo loader may already have added them
        page.delete()

    created = load_demo_forms()

    assert created >= 10
    assert created == len(demo_forms())
    assert load_demo_forms() == 0
    for slug, form in demo_forms().items():
        service = ServicePage.objects.get(slug=slug)
        page = EFormPage.objects.child_of(service).live().get()
        assert page.title == form["title"]
        assert page.confirmation_text.startswith("<p>")
        assert page.definition().steps == FormDefinition.from_json(definition_json(form)).steps
        assert FormVersion.objects.filter(page=page).count() == 1
        assert ServicePage.objects.get(pk=service.pk).online_status == OnlineStatus.ONLINE_FORM
