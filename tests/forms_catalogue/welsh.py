"""A Welsh translation of an e-form, made as an editor makes one (simple translation), then published."""

from wagtail.models import Locale

from forms_catalogue.models import EFormPage

WELSH_PREFIX = "CY "


def publish_welsh_form(english: EFormPage, prefix: str = WELSH_PREFIX) -> EFormPage:
    """Translate `english` into Welsh (under its service's Welsh translation, made as a draft when there is none),
    mark every text with `prefix`, and publish it.

    The step and question ids stay the English form's, as a translation keeps them.
    """
    welsh_locale = Locale.objects.get(language_code="cy")
    service = english.get_parent().specific
    if service.get_translation_or_none(welsh_locale) is None:
        service.copy_for_translation(welsh_locale, copy_parents=True)
    welsh = english.copy_for_translation(welsh_locale)
    welsh.title = f"{prefix}{english.title}"
    for step in welsh.steps:
        step.value["title"] = f"{prefix}{step.value['title']}"
        for child in step.value.get("questions", ()):
            child.value["label"] = f"{prefix}{child.value['label']}"
    welsh.save_revision().publish()
    welsh.refresh_from_db()
    return welsh
