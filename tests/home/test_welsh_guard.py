"""A translated e-form keeps its source form's step ids, question ids and option values: publishing one that
does not is refused with a message naming the difference, in the admin and in code."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from wagtail.actions.copy_for_translation import CopyPageForTranslationAction
from wagtail.models import Locale

from forms_catalogue.models import EFormPage, FormVersion
from home.models import ServicePage
from home.translation import translate_and_publish, welsh_locale

pytestmark = pytest.mark.usefixtures("welsh_demo")


def welsh_form(slug: str) -> EFormPage:
    return EFormPage.objects.child_of(ServicePage.objects.get(slug=slug, locale=welsh_locale())).get()


def questions(page: EFormPage):
    return [child for step in page.steps for child in step.value.get("questions", ())]


def option_values(page: EFormPage, question_id: str):
    question = next(child for child in questions(page) if child.value["question_id"] == question_id)
    return question.value["options_list"]


def test_publishing_a_translation_with_another_option_value_is_refused_and_nothing_changes():
    page = welsh_form("report-missed-bin")
    live_revision, versions = page.live_revision_id, FormVersion.objects.filter(page=page).count()
    option_values(page, "bin_type")[0]["value"] = "cyffredinol"
    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish()
    assert (
        "Question 'bin_type': the option values must be 'general', 'recycling', 'food', 'garden', as in the English "
        "form, not 'cyffredinol', 'recycling', 'food', 'garden'. Translate the option labels only."
    ) in refused.value.messages
    page.refresh_from_db()
    assert page.live_revision_id == live_revision
    assert FormVersion.objects.filter(page=page).count() == versions


def test_publishing_a_translation_with_a_step_removed_is_refused():
    page = welsh_form("report-pothole")
    page.steps = [(step.block_type, step.value) for step in page.steps][:-1]
    with pytest.raises(ValidationError) as refused:
        page.save_revision().publish()
    assert "The step ids must be" in refused.value.messages[0]
    assert "A translation changes the texts only." in refused.value.messages[0]


def test_a_translation_that_changes_only_texts_is_published_as_a_new_version():
    page = welsh_form("report-missed-bin")
    option_values(page, "bin_type")[0]["label"] = "Bin du (sbwriel cyffredinol)"
    page.save_revision().publish()
    page.refresh_from_db()
    definition = page.current_version().definition()
    assert definition.question("bin_type").options[0].label == "Bin du (sbwriel cyffredinol)"
    assert definition.question("bin_type").options[0].value == "general"


def test_the_english_form_itself_is_not_held_to_the_welsh_one():
    page = EFormPage.objects.child_of(ServicePage.objects.get(slug="report-missed-bin", locale=Locale.get_default()))
    page = page.get()
    assert page.translation_problems() == []


@pytest.fixture
def welsh_draft():
    """A Welsh draft of an e-form just made by Translate (its service translated first), not yet published."""
    service = ServicePage.objects.get(slug="report-graffiti", locale=Locale.get_default())
    translate_and_publish(service, welsh_locale(), lambda page: None)
    english = EFormPage.objects.child_of(service).get()
    return CopyPageForTranslationAction(page=english, locale=welsh_locale()).execute(skip_permission_checks=True)


def test_a_draft_is_checked_when_it_is_being_published(welsh_draft):
    """The admin form marks the page as being published when the editor presses Publish (EFormPageForm)."""
    page = EFormPage.objects.get(pk=welsh_draft.pk)
    questions(page)[0].value["question_id"] = "lleoliad"
    page.full_clean()  # a draft being saved: not checked yet
    page.publishing = True
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert any("the question ids must be" in message for message in refused.value.messages)
