"""The form exchange format: export, parse (never trusting the file), import as a draft, round trips."""

from __future__ import annotations

import json

import pytest
from wagtail.models import Page

from forms_catalogue.demo import demo_forms
from forms_catalogue.exchange import (
    FORMAT,
    ImportProblem,
    export_document,
    export_json,
    import_document,
    parse_document,
)
from forms_catalogue.models import EFormPage
from home.models import ServicePage
from tests.home.factories import make_category, make_services

from .journey_helpers import form_page

pytestmark = pytest.mark.engine_neutral  # see tests/conftest.py


def valid_document() -> dict:
    """A small, valid exchange document: a choice, a condition on it, a repeat, rules."""
    return {
        "format": FORMAT,
        "format_version": 1,
        "pattern": {"id": "report", "name": "Report a problem", "description": "One line."},
        "source": {"council": "Elsewhere Council", "service": "Report a thing", "exported_at": "2026-01-01T10:00:00"},
        "form": {
            "title": "Report a thing",
            "intro": "Tell us about the thing.",
            "confirmation_text": "We will look at it.\n\nWe will email you.",
            "declaration": "",
            "steps": [
                {
                    "id": "what",
                    "title": "What happened",
                    "questions": [
                        {
                            "id": "kind",
                            "type": "radios",
                            "label": "What kind of thing?",
                            "options": [{"value": "big", "label": "Big"}, {"value": "small", "label": "Small"}],
                        },
                        {"id": "size", "type": "number", "label": "How big?", "rules": {"min_value": "1"}},
                    ],
                },
                {
                    "id": "details",
                    "title": "Your details",
                    "condition": {
                        "match": "all",
                        "rules": [{"question_id": "kind", "operator": "equals", "value": "big"}],
                    },
                    "repeat": {"min_items": 1, "max_items": 3, "item_label": "witness", "item_label_plural": ""},
                    "questions": [{"id": "email", "type": "email", "label": "Email address"}],
                },
            ],
        },
    }


def changed(change) -> bytes:
    document = valid_document()
    change(document)
    return json.dumps(document).encode()


def set_in(path: str, value):
    """A change setting document[a][b]... (path 'form.steps.1.title') to value, or deleting it when value is DELETE."""

    def change(document):
        *parents, last = [int(part) if part.isdigit() else part for part in path.split(".")]
        target = document
        for part in parents:
            target = target[part]
        if value is DELETE:
            del target[last]
        else:
            target[last] = value

    return change


DELETE = object()


def nested(levels: int) -> list:
    """A list inside a list ... `levels` deep."""
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


QUESTION = "form.steps.1.questions.0"

MALFORMED = [
    ("not_json", b'{"format": "council-portal/e-form", ', "The file is not valid JSON"),
    ("not_utf8", '{"format": "café"}'.encode("latin-1"), "The file is not UTF-8 text"),
    ("empty", b"   ", "The file is empty."),
    (
        "nan",
        changed(set_in(f"{QUESTION}.required", "__NAN__")).replace(b'"__NAN__"', b"NaN"),
        "NaN is not a JSON value",
    ),
    ("a_list", b"[1, 2]", "must contain a JSON object ({...}), but it contains a list"),
    ("wrong_format", changed(set_in("format", "something/else")), 'This is not a form file: its "format" is'),
    ("no_format", changed(set_in("format", DELETE)), 'it has no "format"'),
    ("no_version", changed(set_in("format_version", DELETE)), 'which version of the format it uses ("format_version")'),
    (
        "newer_version",
        changed(set_in("format_version", 2)),
        "This file was made by a newer version of the portal (format 2); this portal reads format 1.",
    ),
    ("version_text", changed(set_in("format_version", "1")), 'The "format_version" must be a whole number'),
    ("no_form", changed(set_in("form", DELETE)), 'The file has no form ("form").'),
    ("form_list", changed(set_in("form", [])), 'The "form" must be an object, not a list.'),
    ("no_title", changed(set_in("form.title", DELETE)), 'The form: "title" is missing.'),
    ("no_steps", changed(set_in("form.steps", DELETE)), 'The form: "steps" is missing.'),
    ("steps_text", changed(set_in("form.steps", "step one")), 'The form: "steps" must be a list, not text.'),
    (
        "unknown_type",
        changed(set_in(f"{QUESTION}.type", "emial")),
        "Step 2 'Your details', question 'email': unknown question type 'emial'.",
    ),
    (
        "label_number",
        changed(set_in(f"{QUESTION}.label", 42)),
        "Step 2 'Your details', question 'email': \"label\" must be text, not a number.",
    ),
    (
        "unknown_kind",
        changed(set_in("form.steps.1.kind", "quiz")),
        "Step 2 'Your details': unknown step kind 'quiz'",
    ),
    (
        "exit_with_questions",
        changed(set_in("form.steps.1.kind", "exit")),
        "Step 2 'Your details': an exit step has no questions.",
    ),
    (
        "option_without_value",
        changed(set_in("form.steps.0.questions.0.options.1", {"label": "Small"})),
        "Step 1 'What happened', question 'kind', option 2: it has no value.",
    ),
    (
        "condition_unknown_question",
        changed(set_in("form.steps.1.condition.rules.0.question_id", "colour")),
        "refers to 'colour', which is not a question on an earlier step.",
    ),
    (
        "condition_later_question",
        changed(set_in("form.steps.1.condition.rules.0.question_id", "email")),
        "refers to 'email', which is not a question on an earlier step.",
    ),
    (
        "condition_unknown_operator",
        changed(set_in("form.steps.1.condition.rules.0.operator", "resembles")),
        "Step 2 'Your details', condition rule 1: unknown operator 'resembles'",
    ),
    (
        "clashing_question_ids",
        changed(set_in(f"{QUESTION}.id", "kind")),
        "The question id 'kind' is used twice. Question ids must be unique.",
    ),
    (
        "clashing_step_ids",
        changed(set_in("form.steps.1.id", "what")),
        "Two steps have the id 'what'. Step ids must be unique.",
    ),
    (
        "invalid_id",
        changed(set_in(f"{QUESTION}.id", "Email Address")),
        "the id 'Email Address' must start with a letter and use only lower-case letters",
    ),
    (
        "unknown_rule",
        changed(set_in(f"{QUESTION}.rules", {"max_size_mb": 3})),
        "Step 2 'Your details', question 'email': has an unknown rule 'max_size_mb'.",
    ),
    (
        "rule_not_a_number",
        changed(set_in("form.steps.0.questions.1.rules.min_value", "big")),
        "Step 1 'What happened', question 'size': a rule that must be a number is not one.",
    ),
    (
        "required_text",
        changed(set_in(f"{QUESTION}.required", "yes")),
        '"required" must be true or false, not text.',
    ),
    (
        "repeat_text_limit",
        changed(set_in("form.steps.1.repeat.max_items", "three")),
        "Step 2 'Your details': the repeat's \"max_items\" must be a number, not text.",
    ),
    (
        "too_long_label",
        changed(set_in(f"{QUESTION}.label", "x" * 301)),
        "Step 2 'Your details', question 'email' (label): Ensure this value has at most 300 characters",
    ),
    (
        "too_large",
        b'{"x": "' + b"a" * 1_000_001 + b'"}',
        "The file is too large (1,000 KB): a form file can be at most 1 MB.",
    ),
    ("too_deep", b"[" * 100_000 + b"]" * 100_000, "The file is nested too deeply"),
    ("too_deep_in_json", changed(set_in("source", {"a": nested(25)})), "The file is nested too deeply"),
    ("pattern_list", changed(set_in("pattern", ["report"])), 'The "pattern" must be an object or null, not a list.'),
    ("unknown_field", changed(set_in("form.colour", "blue")), 'The form: unknown field "colour".'),
]


@pytest.fixture
def service(db) -> ServicePage:
    return make_services(make_category("Imports", "imports"), 1)[0]


def test_the_valid_document_parses():
    parsed = parse_document(json.dumps(valid_document()))
    assert parsed.title == "Report a thing"
    assert parsed.pattern_id == "report"
    assert parsed.form["steps"][1]["repeat"]["max_items"] == 3


@pytest.mark.parametrize(("data", "message"), [case[1:] for case in MALFORMED], ids=[case[0] for case in MALFORMED])
def test_a_malformed_file_is_refused_with_its_problem_and_creates_nothing(service, data, message):
    pages = Page.objects.count()
    with pytest.raises(ImportProblem) as refusal:
        import_document(parse_document(data), service)
    assert message in str(refusal.value)
    assert Page.objects.count() == pages


def test_a_problem_lists_every_problem_and_says_how_many_more():
    document = valid_document()
    document["form"]["steps"][0]["questions"][0]["type"] = "dial"
    document["form"]["steps"][1]["questions"][0]["type"] = "emial"
    with pytest.raises(ImportProblem) as refusal:
        parse_document(json.dumps(document))
    assert len(refusal.value.problems) == 2
    assert str(refusal.value).endswith("(and 1 more problem)")


def test_an_exit_step_without_questions_passes_the_structural_check():
    document = valid_document()
    document["form"]["steps"].append(
        {"id": "cannot_apply", "kind": "exit", "title": "You cannot apply online", "intro": "Call us.", "questions": []}
    )
    from forms_catalogue.exchange import _form_structure_problems

    assert _form_structure_problems(document["form"]) == []


def test_a_form_imports_as_a_draft_under_the_service(service, django_user_model):
    user = django_user_model.objects.create_user("importer")
    page = import_document(parse_document(json.dumps(valid_document())), service, user=user)
    page.refresh_from_db()
    assert page.get_parent().pk == service.pk
    assert not page.live and page.has_unpublished_changes
    assert page.pattern_id == "report" and page.owner == user
    assert page.confirmation_text == "<p>We will look at it.</p><p>We will email you.</p>"
    assert page.definition().step("details").repeat.max_items == 3
    assert page.get_latest_revision().user == user


def test_a_service_with_a_form_is_refused(service):
    parsed = parse_document(json.dumps(valid_document()))
    import_document(parsed, service)
    pages = Page.objects.count()
    with pytest.raises(ImportProblem, match="already has an e-form"):
        import_document(parsed, service)
    assert Page.objects.count() == pages


def test_a_page_that_is_not_a_service_is_refused(service):
    pages = Page.objects.count()
    with pytest.raises(ImportProblem, match="'Imports' is not a service page"):
        import_document(parse_document(json.dumps(valid_document())), service.get_parent())
    assert Page.objects.count() == pages


def test_confirmation_html_keeps_links_and_lists_and_loses_scripts(service):
    document = valid_document()
    document["form"]["confirmation_text"] = (
        '<p>See <a href="https://example.org/x">this</a>.<script>alert(1)</script></p><ul><li>One</li></ul>'
        '<p><a href="javascript:alert(1)">bad</a></p>'
    )
    page = import_document(parse_document(json.dumps(document)), service)
    assert page.confirmation_text == (
        '<p>See <a href="https://example.org/x">this</a>.alert(1)</p><ul><li>One</li></ul><p><a>bad</a></p>'
    )


@pytest.mark.django_db
@pytest.mark.parametrize("slug", sorted(demo_forms()))
def test_export_import_export_gives_the_same_form(slug, council_name):
    exported = export_document(form_page(slug))
    assert exported["format"] == FORMAT and exported["format_version"] == 1
    assert exported["source"]["council"] == council_name
    assert exported["source"]["service"] == ServicePage.objects.get(slug=slug).title
    assert exported["form"]["steps"] == json.loads(json.dumps(exported["form"]["steps"]))
    target = make_services(make_category("Copies", "copies"), 1)[0]
    imported = import_document(parse_document(export_json(exported)), target)
    again = export_document(EFormPage.objects.get(pk=imported.pk))
    assert again["form"] == exported["form"]
    assert again["pattern"] == exported["pattern"]


@pytest.mark.django_db
def test_the_export_of_a_demo_form_keeps_ids_conditions_and_repeats():
    form = export_document(form_page("housing-register"))["form"]
    demo = demo_forms()["housing-register"]
    assert [step["id"] for step in form["steps"]] == [step["id"] for step in demo["steps"]]
    assert any(step["repeat"] for step in form["steps"])
    assert any(step["condition"]["rules"] for step in form["steps"])
    assert form["intro"] == demo["intro"]
