"""The Welsh demo council: Welsh forms with the English forms' structure, Welsh pages published as translations
of the English ones by the demo loader, and loading again publishing nothing."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Locale, Page, Revision

from forms_catalogue.definition import FormDefinition
from forms_catalogue.demo import WELSH_FORMS_DIR, definition_json, demo_forms, load_welsh_demo_forms, parsed_document
from forms_catalogue.models import EFormPage
from forms_catalogue.translation_structure import TEXT_RULES, structure_differences
from home.demo import read_data
from home.demo_welsh import load_welsh_pages, welsh_rows
from home.models import CategoryPage, HomePage, InformationPage, ServicePage

WELSH_SERVICES = {
    "report-fly-tipping",
    "housing-register",
    "blue-badge",
    "report-missed-bin",
    "make-a-complaint",
    "order-a-bin",
    "report-pothole",
    "council-tax-moving-home",
    "bulky-waste",
    "street-light-fault",
    "noise-nuisance",
    "garden-waste",
}
SAME_IN_WELSH = {"person", "cm"}
TEXT_KEYS = {"title", "intro", "confirmation_text", "declaration", "label", "hint", "item_label", "item_label_plural"}


def welsh_forms() -> dict[str, dict]:
    return demo_forms(WELSH_FORMS_DIR)


def without_texts(value):
    """A form file with every text a translator writes taken out: what must be identical in every language."""
    if isinstance(value, dict):
        return {key: ("" if key in TEXT_KEYS | TEXT_RULES else without_texts(item)) for key, item in value.items()}
    if isinstance(value, list):
        return [without_texts(item) for item in value]
    return value


def texts(value) -> list[str]:
    """Every text a translator writes in a form file."""
    if isinstance(value, dict):
        found = [item for key, item in value.items() if key in TEXT_KEYS | TEXT_RULES and isinstance(item, str)]
        return found + [text for item in value.values() for text in texts(item)]
    if isinstance(value, list):
        return [text for item in value for text in texts(item)]
    return []


def english(model, slug: str):
    return model.objects.get(slug=slug, locale=Locale.get_default())


def test_the_twelve_most_used_services_have_welsh_forms_and_pages():
    assert set(welsh_forms()) == WELSH_SERVICES
    assert set(welsh_rows("services.json")) == WELSH_SERVICES
    english_categories = {row["name"]: row["slug"] for row in read_data("categories.json")}
    needed = {
        english_categories[row["category"]] for row in read_data("services.json") if row["slug"] in WELSH_SERVICES
    }
    assert set(welsh_rows("categories.json")) == needed
    assert set(welsh_rows("information_pages.json")) == {row["slug"] for row in read_data("information_pages.json")}


@pytest.mark.parametrize("slug", sorted(WELSH_SERVICES))
def test_a_welsh_form_has_exactly_the_english_forms_ids_values_rules_and_conditions(slug):
    welsh, english_form = welsh_forms()[slug], demo_forms()[slug]
    assert without_texts(welsh) == without_texts(english_form)
    source, translation = (FormDefinition.from_json(definition_json(form)) for form in (english_form, welsh))
    assert structure_differences(source, translation) == []
    # Every text is translated: none is left as in English but words that are the same in Welsh.
    english_texts, welsh_texts = texts(english_form), texts(welsh)
    untranslated = {text for text, original in zip(welsh_texts, english_texts, strict=True) if text == original != ""}
    assert untranslated <= SAME_IN_WELSH
    parsed_document(welsh)  # checked like an imported form file: raises ImportProblem naming any problem


def test_a_changed_option_value_or_question_id_is_a_structural_difference():
    english_form = demo_forms()["report-missed-bin"]
    source = FormDefinition.from_json(definition_json(english_form))
    changed = json.loads(json.dumps(english_form))
    changed["steps"][1]["questions"][0]["options"][0]["value"] = "cyffredinol"
    changed["steps"][3]["questions"][0]["id"] = "rhif_tanysgrifiad"
    problems = structure_differences(source, FormDefinition.from_json(definition_json(changed)), "English")
    assert problems == [
        "Question 'bin_type': the option values must be 'general', 'recycling', 'food', 'garden', as in the English "
        "form, not 'cyffredinol', 'recycling', 'food', 'garden'. Translate the option labels only.",
        "Step 'garden_subscription': the question ids must be 'subscription_number', as in the English form, not "
        "'rhif_tanysgrifiad'.",
    ]


def test_the_welsh_pages_are_live_translations_of_the_english_ones(welsh_demo):
    welsh = Locale.objects.get(language_code="cy")
    english_home = HomePage.objects.get(locale=Locale.get_default())
    welsh_home = HomePage.objects.get(locale=welsh)
    assert welsh_home.live and welsh_home.translation_key == english_home.translation_key
    assert welsh_home.title == "Cyngor Bwrdeistref Ashworth"
    for model, name in ((CategoryPage, "categories.json"), (InformationPage, "information_pages.json")):
        for slug, row in welsh_rows(name).items():
            page = model.objects.get(slug=slug, locale=welsh)
            assert page.live and page.title == row.get("name", row.get("title"))
            assert page.translation_key == english(model, slug).translation_key
            assert page.get_parent().pk == welsh_home.pk
    for slug, row in welsh_rows("services.json").items():
        service = ServicePage.objects.get(slug=slug, locale=welsh)
        source = english(ServicePage, slug)
        assert service.live and service.title == row["name"] and service.summary == row["summary"]
        assert service.translation_key == source.translation_key
        assert service.get_parent().specific.translation_key == source.get_parent().specific.translation_key
        assert (service.target_amount, service.target_unit) == (source.target_amount, source.target_unit)
        form = EFormPage.objects.child_of(service).get()
        english_form = EFormPage.objects.child_of(source).get()
        assert form.live and form.locale == welsh and form.translation_key == english_form.translation_key
        assert form.title == welsh_forms()[slug]["title"]
        version = form.current_version()
        assert version is not None and version.revision_id == form.live_revision_id
        assert structure_differences(english_form.current_version().definition(), version.definition()) == []


def test_only_the_twelve_services_are_translated(welsh_demo):
    welsh = Locale.objects.get(language_code="cy")
    assert set(ServicePage.objects.filter(locale=welsh).values_list("slug", flat=True)) == WELSH_SERVICES
    assert EFormPage.objects.filter(locale=welsh, live=True).count() == len(WELSH_SERVICES)


def test_the_command_loads_them_once(welsh_demo, settings):
    assert "22 Welsh pages and 12 Welsh e-forms" in welsh_demo
    revisions, pages = Revision.objects.count(), Page.objects.count()
    assert load_welsh_pages() == 0
    assert load_welsh_demo_forms() == 0
    out = StringIO()
    call_command("load_demo_council", stdout=out)
    assert out.getvalue().strip() == "Demo council already loaded: nothing to do."
    assert (Revision.objects.count(), Page.objects.count()) == (revisions, pages)


def test_the_test_database_is_english_only_unless_asked(db):
    assert not Page.objects.filter(locale__language_code="cy").exists()
